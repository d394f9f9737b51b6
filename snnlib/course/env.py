"""The course's environment: the fast-mode and static-widget switches, and what this machine has.

``SNNLIB_FAST=1`` shrinks every notebook's data sizes and epochs (:func:`fast_mode`, :func:`sized`);
``SNNLIB_STATIC=1`` / ``0`` forces static or live widgets (:func:`widget_frontend`). Both are read at call
time. :func:`versions` and :func:`dataset_status` are notebook 00's report.
"""
from __future__ import annotations

import importlib
import os
from dataclasses import dataclass

FAST_ENV = "SNNLIB_FAST"
STATIC_ENV = "SNNLIB_STATIC"

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


def _flag(name: str) -> bool | None:
    """An on/off environment variable: True, False, or None when unset."""
    value = os.environ.get(name)
    if value is None:
        return None
    value = value.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"environment variable {name}={os.environ[name]!r} is not understood; "
                     f"set it to 1 (on) or 0 (off)")


def fast_mode() -> bool:
    """True when ``SNNLIB_FAST`` is set to 1: notebooks shrink sizes and epochs (CI, slow machines)."""
    return bool(_flag(FAST_ENV))


def sized(full, fast):
    """``fast`` in fast mode, else ``full``: ``n_epochs = sized(full=30, fast=3)``."""
    return fast if fast_mode() else full


def widget_frontend() -> bool:
    """Whether widgets should be live (True) or drawn as one static figure (False).

    ``SNNLIB_STATIC=1`` → False and ``SNNLIB_STATIC=0`` → True, whatever else holds. Unset: True
    when this code runs inside a Jupyter kernel (JupyterLab, Notebook, VS Code) and ipywidgets can be
    imported; False in a plain Python process or terminal IPython.
    """
    static = _flag(STATIC_ENV)
    if static is not None:
        return not static
    try:
        importlib.import_module("ipywidgets")
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


# ----------------------------------------------------------------------------- environment report
_PACKAGES = ("snnlib", "numpy", "matplotlib", "h5py", "tqdm", "ipywidgets", "ipykernel", "jupyterlab",
             "jupytext", "nbclient", "nbval")


def versions(packages=_PACKAGES) -> dict[str, str | None]:
    """Installed version of each package (None when it is not installed), plus Python's."""
    import platform
    from importlib import metadata

    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


@dataclass(frozen=True)
class DatasetStatus:
    """Whether one dataset can be used right now, and where it is (or would be) found."""

    name: str
    kind: str  # "published" (download), "offline" (generated), "recordings" (audio files)
    location: str
    available: bool
    note: str


def dataset_status(data_dir=None) -> list[DatasetStatus]:
    """What the course can use on this machine: the published SHD/SSC files in the data folder
    (:func:`snnlib.data.resolve_data_dir`), the offline generators (always available: they write their
    files on demand) and the FSDD recordings (:func:`snnlib.audio.fsdd.fsdd_source`)."""
    from snnlib.data import MAKERS, resolve_data_dir

    folder = resolve_data_dir(data_dir)
    out = []
    for name in ("shd", "ssc"):
        parts = [p for p in ("train", "valid", "test") if (folder / f"{name}_{p}.h5").exists()]
        note = f"found: {', '.join(parts)}" if parts else f"not downloaded (python -m snnlib data download {name})"
        out.append(DatasetStatus(name.upper(), "published", str(folder), {"train", "test"} <= set(parts), note))
    for name in MAKERS:
        prefix = name.replace("-", "_")
        present = (folder / f"{prefix}_train.h5").exists()
        note = "files present" if present else "generated on demand (no download needed)"
        out.append(DatasetStatus(name, "offline", str(folder), True, note))
    from snnlib.audio.fsdd import ENV_VAR, fsdd_recordings, fsdd_source

    try:
        found = fsdd_recordings()
        out.append(DatasetStatus("FSDD", "recordings", str(fsdd_source()), True, f"{len(found)} recordings"))
    except ValueError:
        out.append(DatasetStatus("FSDD", "recordings", "../shared/data/fsdd", False,
                                 f"not found (set {ENV_VAR} to the folder holding recordings/)"))
    return out
