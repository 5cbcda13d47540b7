"""``repstride pose`` starts without loading what it never uses (start-up was ~1 s of imports):
not the overlay renderer and the exercise engine (reached through ``render``'s package exports
by ``--export``'s choices, or by ``repstride.pipeline``'s analysis stages), not scipy.ndimage
(through ``analysis.signal``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def test_pose_command_imports_stay_light() -> None:
    code = ("import json, sys; import repstride.cli, repstride.cli.pose_cmd, repstride.pose, "
            "repstride.pose.j2p; from repstride.pipeline import extract_video_pose, track_to_j2p; "
            "print(json.dumps(sorted(sys.modules)))")
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                         capture_output=True, text=True).stdout
    loaded = set(json.loads(out.strip().splitlines()[-1]))
    for heavy in ("repstride.render.overlay", "repstride.render.angles",
                  "repstride.analysis.exercise", "repstride.analysis.running.side_view",
                  "scipy.ndimage", "scipy.signal"):
        assert heavy not in loaded, heavy
    assert "repstride.render.exports" in loaded  # what --export's choices do need


def test_render_package_exports_still_resolve() -> None:
    import repstride.render as render

    assert callable(render.render_overlays) and "running" in render.OVERLAY_KINDS
    assert set(render.__all__) <= set(dir(render))
