"""Message catalogs: every key in every language, same placeholders, real translations."""

from __future__ import annotations

import pytest

from repstride.i18n import (
    DEFAULT_LANGUAGE, LANGUAGES, catalog, placeholders, translate, translate_tree,
)

OTHER_LANGUAGES = [lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE]


def test_nine_languages_of_the_seed() -> None:
    assert set(LANGUAGES) == {"en", "fr", "de", "zh", "ko", "pt", "es", "it", "ja"}


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_no_key_missing_or_extra(lang: str) -> None:
    ref, cat = set(catalog(DEFAULT_LANGUAGE)), set(catalog(lang))
    assert sorted(ref - cat) == [], f"{lang} lacks keys"
    assert sorted(cat - ref) == [], f"{lang} has keys English lacks"


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_same_placeholders_and_non_empty(lang: str) -> None:
    en = catalog(DEFAULT_LANGUAGE)
    for key, text in catalog(lang).items():
        assert text.strip(), f"{lang}:{key} is empty"
        assert placeholders(text) == placeholders(en[key]), f"{lang}:{key} placeholders differ"


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_translated_not_copied(lang: str) -> None:
    # A sentence identical to English is an untranslated copy; allow only short technical
    # strings (unit labels, proper names) that are the same in every language.
    en = catalog(DEFAULT_LANGUAGE)
    copies = [k for k, v in catalog(lang).items() if v == en[k] and len(v.split()) > 2]
    assert len(copies) <= max(1, len(en) // 50), f"{lang} copies English: {copies[:10]}"


def test_analysis_message_keys_have_all_nine_translations() -> None:
    from repstride.analysis.running.messages import MESSAGE_KEYS

    keys = dict(MESSAGE_KEYS)
    assert keys, "MESSAGE_KEYS is empty"
    for lang in LANGUAGES:
        missing = sorted(set(keys) - set(catalog(lang)))
        assert missing == [], f"{lang} lacks analysis keys {missing[:10]}"
    # English is MESSAGE_KEYS verbatim: an edited English default means stale translations.
    stale = sorted(k for k, english in keys.items() if catalog("en")[k] != english)
    assert stale == [], f"English changed, re-translate: {stale[:10]}"


def test_analysis_content_keys_have_all_nine_translations() -> None:
    # Every title, position, recap line, exercise and reason the analysis_content blocks can
    # use; with the tests above each is non-empty and translated in every language.
    from repstride.service.running.content import message_keys

    keys = message_keys()
    assert len(keys) > 80
    for lang in LANGUAGES:
        cat = catalog(lang)
        missing = sorted(k for k in keys if not cat.get(k, "").strip())
        assert missing == [], f"{lang} lacks analysis_content keys {missing[:10]}"


def test_translate_fills_placeholders_and_falls_back() -> None:
    assert translate("running_api.error.file_too_large", "fr", max_mb=30) == (
        "La vidéo dépasse la limite de 30 Mo.")
    assert "30" in translate("running_api.error.file_too_large", "zh", max_mb=30)
    # Unknown keys stay visible rather than disappearing; a missing parameter stays a placeholder.
    assert translate("no.such.key", "de") == "no.such.key"
    assert "{max_s}" in translate("running_api.error.video_too_long", "en", duration_s=12)
    with pytest.raises(KeyError):
        translate("running_api.error.not_found", "xx")


def test_translate_tree_keeps_keys_and_adds_texts() -> None:
    tree = {
        "title_key": "running_api.status.success",
        "advice": "running_api.status.failed",
        "type": "rearfoot",
        "type_key": "running_api.status.pending",
        "notes": [{"key": "running_api.error.invalid_height", "params": {"min": 50, "max": 250}},
                  "running_api.status.pending"],
        "value": 1.5,
        "nested": {"k": None, "reason": None},
    }
    out = translate_tree(tree, "es")
    assert out["title_key"] == "running_api.status.success"
    assert out["title"] == "El análisis ha finalizado."
    assert out["advice"] == "No se pudo completar el análisis."
    assert out["advice_key"] == "running_api.status.failed"
    assert out["type"] == "rearfoot" and out["type_key"] == "running_api.status.pending"
    assert out["type_label"] == "El análisis está en cola, esperando un turno de procesamiento."
    assert out["notes"] == ["La estatura debe estar entre 50 y 250 cm.",
                            "El análisis está en cola, esperando un turno de procesamiento."]
    assert out["value"] == 1.5 and out["nested"] == {"k": None, "reason": None}
    assert tree["title_key"] == "running_api.status.success" and "title" not in tree  # a copy
