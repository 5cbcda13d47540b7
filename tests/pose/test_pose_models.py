"""The per-process interpreter pool: loaded once, never shared between concurrent calls."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from repstride.pose import models
from repstride.pose.models import POOL, PoseDetector, PoseLandmarker, warm_up
from repstride.pose.roi import Roi


@pytest.fixture(autouse=True)
def _empty_pool() -> None:
    POOL.clear()


def test_warm_up_preloads_both_models() -> None:
    warm_up()
    assert POOL.idle() == 2
    loaded = POOL.loaded
    det, lmk = PoseDetector(), PoseLandmarker()
    assert POOL.loaded == loaded  # taken from the pool, nothing loaded
    assert POOL.idle() == 0
    del det, lmk
    assert POOL.idle() == 2  # given back when dropped


def test_live_models_never_share_an_interpreter() -> None:
    a, b = PoseLandmarker(), PoseLandmarker()
    assert a._model._interp is not b._model._interp
    del a, b
    assert POOL.idle() == 2
    c = PoseLandmarker()
    assert POOL.idle() == 1
    del c


def test_concurrent_threads_get_their_own_interpreters_and_the_same_results() -> None:
    rng = np.random.default_rng(3)
    rgb = rng.integers(0, 255, (180, 240, 3), dtype=np.uint8)
    roi = Roi(120.0, 90.0, 150.0, 0.3)
    ref = PoseLandmarker().run(rgb, roi).xy
    barrier = threading.Barrier(3)
    seen: list[tuple[int, np.ndarray]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            lmk = PoseLandmarker()
            barrier.wait(timeout=30)  # all three alive at once
            for _ in range(5):
                out = lmk.run(rgb, roi).xy
            seen.append((id(lmk._model._interp), out))
            barrier.wait(timeout=30)
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert len({i for i, _ in seen}) == 3
    for _, out in seen:
        np.testing.assert_allclose(out, ref, atol=1e-6)


def test_a_forked_child_does_not_reuse_the_parents_interpreters(
        monkeypatch: pytest.MonkeyPatch) -> None:
    warm_up()
    assert POOL.idle() == 2
    monkeypatch.setattr(models.os, "getpid", lambda: -12345)  # as seen from a child process
    assert POOL.idle() == 0
    loaded = POOL.loaded
    det = PoseDetector()
    assert POOL.loaded == loaded + 1
    del det


def test_celery_worker_warm_up_fills_the_pool() -> None:
    pytest.importorskip("celery")
    from repstride.service.jobs.celery_app import warm_up as worker_warm_up
    from repstride.service.videos.jobs import RealPipeline

    from repstride.pose.extract import usable_cores

    worker_warm_up(RealPipeline())
    counts = sorted({1, usable_cores()})  # a job alone uses every core, beside others one
    assert POOL.idle() == 2 * len(counts)
    loaded = POOL.loaded
    for threads in counts:
        PoseDetector(num_threads=threads), PoseLandmarker(num_threads=threads)
    assert POOL.loaded == loaded
