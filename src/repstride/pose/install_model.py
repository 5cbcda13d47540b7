"""Install the optional BlazePose Heavy landmark model from the npm registry (set-up time only).

    python -m repstride.pose.install_model [heavy] [--dest DIR] [--check]

BlazePose Full ships inside the ``mediapipe`` wheel; Heavy (``pose_landmark_heavy.tflite``,
same inputs and outputs, ~4x the compute) ships in the npm package ``@mediapipe/pose``
(Apache-2.0). This module fetches that package with the ordinary npm client (``npm pack``),
pinned by version, checks the tarball's and the model file's sha256, and writes the model to
:func:`model_dir` (``REPSTRIDE_MODEL_DIR``, default ``<sys.prefix>/share/repstride/models``,
i.e. inside the virtualenv). ``make install`` / ``make run`` / ``make test`` run it. Nothing
is ever downloaded at run time: a missing file is an error that says how to install it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

NPM_PACKAGE = "@mediapipe/pose"
NPM_VERSION = "0.5.1675469404"
#: sha256 of ``npm pack @mediapipe/pose@0.5.1675469404`` (the registry's tarball).
NPM_TARBALL_SHA256 = "8bb349a7b3a3ba699df23be804ddd3b3eab810b50b15406894be257859388a84"
MODEL_DIR_ENV = "REPSTRIDE_MODEL_DIR"
INSTALL_HINT = "make models (or: python -m repstride.pose.install_model heavy)"


@dataclass(frozen=True)
class NpmModel:
    """A model file inside the pinned npm package."""

    member: str  #: path inside the tarball
    filename: str  #: installed file name
    sha256: str
    size: int


NPM_MODELS = {
    "heavy": NpmModel("package/pose_landmark_heavy.tflite", "pose_landmark_heavy.tflite",
                      "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe",
                      27709200),
}


class ModelInstallError(RuntimeError):
    """The model could not be fetched or did not verify."""


def model_dir() -> Path:
    """Where installed models live: ``$REPSTRIDE_MODEL_DIR`` or ``<sys.prefix>/share/repstride
    /models`` (the virtualenv the project was installed into)."""
    env = os.environ.get(MODEL_DIR_ENV)
    return Path(env) if env else Path(sys.prefix) / "share" / "repstride" / "models"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def installed_path(name: str, dest: Path | None = None) -> Path:
    """Path the model ``name`` is (or would be) installed at."""
    return (dest or model_dir()) / NPM_MODELS[name].filename


def is_installed(name: str, dest: Path | None = None) -> bool:
    """The file is there and its sha256 is the pinned one."""
    path = installed_path(name, dest)
    spec = NPM_MODELS[name]
    return path.is_file() and path.stat().st_size == spec.size and sha256_of(path) == spec.sha256


def install(name: str = "heavy", dest: Path | None = None, *, npm: str = "npm") -> Path:
    """Fetch the pinned npm package, verify it and write the model file (no-op when present)."""
    spec = NPM_MODELS[name]
    target = installed_path(name, dest)
    if is_installed(name, dest):
        return target
    exe = shutil.which(npm)
    if exe is None:
        raise ModelInstallError(f"{npm!r} not found: the {name} model comes from the npm registry "
                                f"(Debian: apt-get install npm)")
    with tempfile.TemporaryDirectory(prefix="repstride-npm-") as tmp:
        proc = subprocess.run(
            [exe, "pack", f"{NPM_PACKAGE}@{NPM_VERSION}", "--pack-destination", tmp, "--silent"],
            cwd=tmp, capture_output=True, text=True, check=False)
        tarballs = sorted(Path(tmp).glob("*.tgz"))
        if proc.returncode != 0 or len(tarballs) != 1:
            raise ModelInstallError(f"npm pack {NPM_PACKAGE}@{NPM_VERSION} failed "
                                    f"(exit {proc.returncode}): {proc.stderr.strip()[-500:]}")
        got = sha256_of(tarballs[0])
        if got != NPM_TARBALL_SHA256:
            raise ModelInstallError(f"{tarballs[0].name}: sha256 {got}, expected "
                                    f"{NPM_TARBALL_SHA256}")
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(target.name + ".part")
        with tarfile.open(tarballs[0], "r:gz") as tar:
            try:
                member = tar.getmember(spec.member)
            except KeyError:
                raise ModelInstallError(f"{spec.member} not in the npm package") from None
            src = tar.extractfile(member)
            if src is None:
                raise ModelInstallError(f"{spec.member} is not a file")
            with src, open(part, "wb") as out:
                shutil.copyfileobj(src, out)
        got = sha256_of(part)
        if got != spec.sha256:
            part.unlink()
            raise ModelInstallError(f"{spec.filename}: sha256 {got}, expected {spec.sha256}")
        os.replace(part, target)
    return target


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Install an optional pose model (npm registry, "
                                             "pinned version and sha256).")
    ap.add_argument("model", nargs="?", default="heavy", choices=sorted(NPM_MODELS))
    ap.add_argument("--dest", type=Path, default=None,
                    help=f"directory (default: ${MODEL_DIR_ENV} or <sys.prefix>/share/repstride"
                         "/models)")
    ap.add_argument("--check", action="store_true",
                    help="only verify the installed file (exit 1 when missing or wrong)")
    args = ap.parse_args(argv)
    if args.check:
        ok = is_installed(args.model, args.dest)
        print(f"{installed_path(args.model, args.dest)}: {'ok' if ok else 'missing or wrong'}")
        return 0 if ok else 1
    try:
        path = install(args.model, args.dest)
    except ModelInstallError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{args.model}: {path} (sha256 verified)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
