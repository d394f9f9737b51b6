"""A fresh virtual environment with snnlib installed from its wheel, for the packaging checks.

Used by ``tests/test_wheel.py`` and ``tests/test_browser_notebook7.py`` (``make test-wheel``). The
environment is built once per test session under ``build/wheel/``:

1. the source tree (without ``.git``, ``build``, ``.venv``, caches) is copied to ``build/wheel/src``, so that
   no stale ``build/lib`` of an earlier in-tree build can slip into the wheel;
2. setuptools builds the sdist from that copy (``MANIFEST.in``), and ``python -m pip wheel --no-deps``
   builds the wheel from the sdist, as ``python -m build`` would;
3. ``python -m venv`` makes a new environment (no ``--system-site-packages``: every dependency is a real
   install from the package index, pip's cache makes it quick) and installs
   ``snnlib[notebooks] @ file://…whl`` (not editable) and the ``notebook`` package (Notebook 7).

``run(...)`` executes commands in that environment from a folder outside the repository, with an
environment that hides the project: no ``PYTHONPATH``, an empty Jupyter configuration folder, a fresh HOME
(so the per-user data and course folders start empty).

``SNNLIB_WHEEL_REUSE=1`` keeps the wheel and venv of an earlier run when they exist (for working on these
tests only; ``make test-wheel`` and CI always build afresh).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "build" / "wheel"
_IGNORE = shutil.ignore_patterns(".git", "build", ".venv", "*.egg-info", "__pycache__", ".pytest_cache", "runs",
                                 "results", ".ipynb_checkpoints", "*.ipynb", "*.h5", "*.npz")

_requested = os.environ.get("SNNLIB_WHEEL", "").strip().lower() in ("1", "true", "yes", "on")
SKIP_REASON = ("builds a wheel and installs it into a fresh virtual environment (a few minutes); "
               "run with SNNLIB_WHEEL=1 (make test-wheel)")


def requested() -> bool:
    """Whether the packaging checks were asked for (``SNNLIB_WHEEL=1``)."""
    return _requested


@dataclass
class WheelEnv:
    """The environment: its python, the wheel it was installed from, a folder outside the repository
    (``outside``, the working directory of every command), and the seconds each preparation step took."""

    python: Path
    wheel: Path
    outside: Path
    timings: dict[str, float]

    @property
    def bin(self) -> Path:
        return self.python.parent

    def environ(self, **extra: str) -> dict[str, str]:
        """A clean environment for commands run in the venv: nothing of the project or the outer venv."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SNNLIB_", "JUPYTER", "PYTHON", "VIRTUAL_ENV", "CONDA", "MPL", "IPYTHON"))}
        home = self.outside / "home"
        env.update({
            "PATH": str(self.bin) + os.pathsep + env.get("PATH", ""),
            "VIRTUAL_ENV": str(self.python.parent.parent),
            "HOME": str(home),
            "JUPYTER_CONFIG_DIR": str(self.outside / "jupyter-config"),  # empty: no project configuration
            "JUPYTER_DATA_DIR": str(self.outside / "jupyter-data"),
            "JUPYTER_RUNTIME_DIR": str(self.outside / "jupyter-runtime"),
            "IPYTHONDIR": str(self.outside / "ipython"),
            "MPLCONFIGDIR": str(self.outside / "matplotlib"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "PYTHONUNBUFFERED": "1",
        })
        env.update(extra)
        return env

    def run(self, *args: str, timeout: float = 600, check: bool = True, env: dict | None = None,
            **extra_env: str) -> subprocess.CompletedProcess:
        """Run ``args`` (``python`` means the venv's python) from :attr:`outside`; output captured as text."""
        cmd = [str(self.python) if a == "python" else a for a in args]
        result = subprocess.run(cmd, cwd=self.outside, env=env or self.environ(**extra_env), text=True,
                                capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
        if check and result.returncode:
            raise AssertionError(f"{' '.join(cmd)} exited with {result.returncode}:\n{result.stdout[-3000:]}\n"
                                 f"{result.stderr[-3000:]}")
        return result


_CACHE: dict[str, WheelEnv] = {}


def _pip(python, *args: str) -> None:
    result = subprocess.run([str(python), "-m", "pip", *args], text=True, capture_output=True,
                            env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIP_USER")})
    if result.returncode:
        raise AssertionError(f"pip {' '.join(args)} failed ({result.returncode}):\n{result.stdout[-3000:]}\n"
                             f"{result.stderr[-3000:]}")


def wheel_env() -> WheelEnv:
    """Build (once per session) and return the environment described in the module docstring."""
    if "env" in _CACHE:
        return _CACHE["env"]
    timings: dict[str, float] = {}
    reuse = os.environ.get("SNNLIB_WHEEL_REUSE", "").strip().lower() in ("1", "true", "yes", "on")
    if reuse and (WORK / "venv").is_dir() and len(list((WORK / "dist").glob("snnlib-*.whl"))) == 1:
        python = WORK / "venv" / "bin" / "python"
        _CACHE["env"] = WheelEnv(python, next((WORK / "dist").glob("snnlib-*.whl")), _prepare(_outside_folder()), {})
        return _CACHE["env"]
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    start = time.monotonic()
    shutil.copytree(REPO, WORK / "src", ignore=_IGNORE)
    # sdist first, then the wheel from the sdist (as `python -m build` does): a file MANIFEST.in forgets
    # is missing from the wheel too, and the check sees it.
    made = subprocess.run([sys.executable, "-c", "import sys; from setuptools import build_meta as b; "
                                                 "print(b.build_sdist(sys.argv[1]))", str(WORK / "sdist")],
                          cwd=WORK / "src", capture_output=True, text=True)
    if made.returncode:
        raise AssertionError(f"building the sdist failed (needs setuptools >= 64 in {sys.executable}):\n"
                             f"{made.stderr[-3000:]}")
    sdist = WORK / "sdist" / made.stdout.strip().splitlines()[-1]
    _pip(sys.executable, "wheel", "--no-deps", "--quiet", "--wheel-dir", str(WORK / "dist"), str(sdist))
    wheels = sorted((WORK / "dist").glob("snnlib-*.whl"))
    assert len(wheels) == 1, f"expected one snnlib wheel, found {wheels}"
    timings["build the wheel"] = time.monotonic() - start
    start = time.monotonic()
    venv = WORK / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / ("Scripts" if os.name == "nt" else "bin") / ("python.exe" if os.name == "nt" else "python")
    # --no-compile: the .pyc files are written on first import instead of for every installed module
    _pip(python, "install", "--quiet", "--no-compile", f"snnlib[notebooks] @ {wheels[0].as_uri()}", "notebook>=7")
    timings["install it into a fresh venv"] = time.monotonic() - start
    _CACHE["env"] = WheelEnv(python, wheels[0], _prepare(_outside_folder()), timings)
    return _CACHE["env"]


def _prepare(outside: Path) -> Path:
    for sub in ("home", "jupyter-config", "jupyter-data", "jupyter-runtime", "matplotlib"):
        (outside / sub).mkdir(parents=True, exist_ok=True)
    return outside


def _outside_folder() -> Path:
    import atexit
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="snnlib-wheel-"))
    atexit.register(shutil.rmtree, folder, True)
    if REPO in folder.parents:  # pragma: no cover - TMPDIR inside the checkout
        raise AssertionError(f"the temporary folder {folder} lies inside the repository; set TMPDIR elsewhere")
    return folder
