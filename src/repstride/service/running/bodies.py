"""The Running Analysis API's three result levels as JSON bodies (status, ``/results``,
``calculated_data``, ``raw_data``): a part of :class:`~repstride.service.running.service.RunningService`
(it inherits :class:`RunningBodies`), kept apart from the lifecycle code."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from repstride.i18n import translate, translate_tree
from repstride.service.running.content import analysis_content
from repstride.service.running.models import FAILED, MEDIA_FAILED, MEDIA_READY, SUCCESS
from repstride.service.running.params import RunningParams
from repstride.service.running.records import RunningRecord

if TYPE_CHECKING:
    from repstride.analysis.track import PoseTrack
    from repstride.service.running.settings import RunningSettings


class RunningBodies:
    """The body builders; the service provides ``settings``, ``services`` (its blob store),
    ``clock`` and ``load_track``."""

    settings: RunningSettings
    services: Any

    def status_body(self, rec: RunningRecord, lang: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "analysis_id": rec.id, "id": rec.id, "status": rec.status,
            "analysis_type": rec.analysis_type, "language": lang,
            "percentage": rec.percentage,
            "message": translate(f"running_api.status.{rec.status}", lang,
                                 percentage=rec.percentage),
        }
        if rec.status == FAILED:
            code = rec.reason_code or "internal_error"
            key = f"running_api.failed.{code}"
            reason = translate(key, lang)
            if reason == key:  # a code without a catalog text: the generic sentence
                reason = translate("running_api.status.failed", lang)
            body.update(code=code, reason=reason, reason_detail=rec.reason_detail,
                        credit_refunded=rec.refunded)
        return body

    def results_body(self, rec: RunningRecord, lang: str, *, base_url: str) -> dict[str, Any]:
        body = self.status_body(rec, lang)
        if rec.status != SUCCESS:
            return body
        ttl = self.settings.media_url_ttl_s
        blobs = self.services.blobs

        def url(key: str | None) -> str | None:
            if key is None or not blobs.exists(key):
                return None
            return blobs.presigned_get(key, expires_s=ttl, base_url=base_url)

        thumb, video = url(rec.thumbnail_key), url(rec.output_video_key)
        media = rec.media_status
        if media == MEDIA_READY and (thumb is None or video is None):
            media = MEDIA_FAILED  # a stored file went missing
        body.update(
            thumbnail=thumb, output_video=video, media_status=media,
            urls_expire_at=int(self.clock() + ttl) if (thumb or video) else None,
            parameters=_parameters_wire(rec.params),
            video_input_information=_video_info_wire(rec),
            biomechanical_analysis={**self._analysis_wire(rec, lang), "analysis_content":
                                    analysis_content(rec.result, rec.analysis_type, lang)},
        )
        if media == MEDIA_FAILED:
            body["media_reason"] = translate(rec.media_reason or "running_api.media.render_failed",
                                             lang)
        return body

    def calculated_body(self, rec: RunningRecord, lang: str) -> dict[str, Any]:
        self._require_success(rec, lang)
        result = self._analysis_wire(rec, lang)
        return {"analysis_id": rec.id, "id": rec.id, "status": rec.status,
                "analysis_type": rec.analysis_type, "language": lang, **result}

    def raw_body(self, rec: RunningRecord, lang: str) -> dict[str, Any]:
        self._require_success(rec, lang)
        track = self.load_track(rec)
        return {"analysis_id": rec.id, "id": rec.id, "status": rec.status,
                "video_input_information": _video_info_wire(rec, track),
                "landmark_names": list(landmark_names()),
                "frames": frames_wire(track)}

    @staticmethod
    def _analysis_wire(rec: RunningRecord, lang: str) -> dict[str, Any]:
        """The analysis' wire body in ``lang``, plus ``titles``: the section and phase headings a
        report shows (they are message keys the wire body does not carry itself)."""
        body = translate_tree(rec.result or {}, lang)
        body.setdefault("titles", section_titles(rec.analysis_type, lang))
        return body

    def _require_success(self, rec: RunningRecord, lang: str) -> None:
        if rec.status != SUCCESS:
            from repstride.errors import AnalysisNotCompleted

            raise AnalysisNotCompleted(
                translate("running_api.error.not_completed", lang, status=rec.status),
                details={"status": rec.status, "percentage": rec.percentage})


# --- wire helpers -------------------------------------------------------------------------------

#: Report sections per analysis type (each has a ``<section>.title`` message).
SECTIONS: dict[str, tuple[str, ...]] = {
    "side_view": ("side_view", "total_score", "metrics", "overstride", "foot_landing",
                  "joint_angles", "running_styles"),
    "back_view": ("back_view", "gait_cycle"),
}
#: Side-view joint-angle phases (``phase.<name>`` messages).
PHASES: tuple[str, ...] = ("touch_down", "mid_stance", "toe_off", "range")


def section_titles(analysis_type: str, lang: str) -> dict[str, Any]:
    titles: dict[str, Any] = {s: translate(f"{s}.title", lang)
                              for s in SECTIONS.get(analysis_type, ())}
    if analysis_type == "side_view":
        titles["phases"] = {p: translate(f"phase.{p}", lang) for p in PHASES}
    return titles



def _parameters_wire(p: RunningParams) -> dict[str, Any]:
    pace = None
    if p.pace_s_per_km is not None:
        m, s = divmod(int(round(p.pace_s_per_km)), 60)
        pace = f"{m:02d}:{s:02d}"
    return {"analysis_type": p.analysis_type, "height": p.height_cm, "weight": p.weight_kg,
            "pace": pace, "language": p.language, "treadmill": p.treadmill,
            "full_body": p.full_body}


def _video_info_wire(rec: RunningRecord, track: PoseTrack | None = None) -> dict[str, Any]:
    width = rec.width if rec.width else (track.width if track is not None else None)
    height = rec.height if rec.height else (track.height if track is not None else None)
    fps = rec.fps if rec.fps else (track.fps if track is not None else None)
    return {
        "resolution": {"width": width, "height": height},
        "fps": None if fps is None else round(float(fps), 3),
        "duration": None if rec.duration_s is None else round(float(rec.duration_s), 3),
        "frames": rec.frames if rec.frames else (len(track) if track is not None else None),
        "format": rec.container,
    }


def landmark_names() -> tuple[str, ...]:
    """Landmark names of the raw data (BlazePose topology, ``left_ankle`` style)."""
    from repstride.analysis.track import Joint

    return tuple(j.name.lower() for j in Joint)


def frames_wire(track: PoseTrack) -> dict[str, dict[str, Any]]:
    """``{frame number: {timestamp, detected, landmarks: [{name, x, y, z, visibility}]}}``.

    ``x``, ``y`` are normalised to the displayed frame (0..1, y down); ``z`` is the model's
    world-space depth in metres (hip-centred, towards the camera negative); ``visibility`` 0..1.
    Frames where the runner was not found have ``detected: false`` and no landmarks.
    """
    names = landmark_names()
    xy = np.asarray(track.xy, float)
    world = np.asarray(track.world, float)
    score = np.asarray(track.score, float)
    detected = track.detected
    out: dict[str, dict[str, Any]] = {}
    for t in range(len(track)):
        landmarks: list[dict[str, Any]] = []
        if detected[t]:
            for j, name in enumerate(names):
                x, y = xy[t, j]
                if np.isnan(x) or np.isnan(y):
                    continue
                z = world[t, j, 2]
                landmarks.append({
                    "name": name, "x": round(float(x), 5), "y": round(float(y), 5),
                    "z": None if np.isnan(z) else round(float(z), 5),
                    "visibility": round(float(np.clip(score[t, j], 0.0, 1.0)), 4),
                })
        out[str(int(track.frame_index[t]))] = {
            "timestamp": round(float(track.timestamps_s[t]), 5),
            "detected": bool(detected[t]), "landmarks": landmarks,
        }
    return out
