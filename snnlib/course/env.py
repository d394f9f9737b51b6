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
    kind: str  # "published" (download), "offline" (generated), "encoded" (made from recordings), "recordings"
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
    from snnlib.data.partitions import ENCODED_DATASETS

    encoded = folder / ENCODED_DATASETS["fsdd"]
    present = all((encoded / f"fsdd_{p}.h5").exists() for p in ("train", "test"))
    out.append(DatasetStatus("fsdd (700 channels)", "encoded", str(encoded), present,
                             "files present" if present else "made once from the recordings (python -m snnlib data "
                                                             "make fsdd; notebooks 07 and 09 do it in the full setting)"))
    from snnlib.audio.fsdd import ENV_VAR, fsdd_recordings, fsdd_source

    try:
        found = fsdd_recordings()
        out.append(DatasetStatus("FSDD", "recordings", str(fsdd_source()), True, f"{len(found)} recordings"))
    except ValueError:
        out.append(DatasetStatus("FSDD", "recordings", "../shared/data/fsdd", False,
                                 f"not found (set {ENV_VAR} to the folder holding recordings/)"))
    return out


SPEECH_ENV = "SNNLIB_SPEECH"


@dataclass(frozen=True)
class SpeechData:
    """Which speech data part II trains on: ``name`` (a dataset for :class:`snnlib.data.DataConfig`),
    ``generator`` (sizes: the offline stand-in's, or a subset of FSDD), and ``why`` (one line for the learner)."""

    name: str
    generator: dict
    why: str


def speech_data(*, published: str | None = "shd", n_train: tuple = (2000, 200), n_test: tuple = (500, 150),
                data_dir=None, make: bool = True) -> SpeechData:
    """Choose the spoken-word data of notebooks 07–09: real speech whenever this machine has it.

    In the full setting: the published ``published`` files (SHD) when they are in the data folder; else FSDD
    encoded at 700 channels (``fsdd``), encoding it once into the data folder when only the recordings are here
    (``make=True``; about 9 minutes on 2 cores, :func:`snnlib.audio.make_fsdd`); else the offline stand-in
    ``shd-like`` (built so that only spike timing separates its classes). Fast mode uses a small ``shd-like``
    (``n_train``/``n_test`` are (full, fast) sizes), unless ``$SNNLIB_SPEECH`` names ``fsdd`` or ``shd-like``,
    which is then used in either setting (``fsdd`` in fast mode: a class-stratified subset of the fast sizes).
    ``published=None``: never the published files (a notebook that wants FSDD itself).
    """
    from snnlib.data import PUBLISHED, resolve_data_dir
    from snnlib.data.partitions import ENCODED_DATASETS

    folder = resolve_data_dir(data_dir)
    fast = fast_mode()
    sizes = dict(n_train=sized(full=n_train[0], fast=n_train[1]), n_test=sized(full=n_test[0], fast=n_test[1]))
    encoded = folder / ENCODED_DATASETS["fsdd"]
    have_fsdd = (encoded / "fsdd_train.h5").exists() and (encoded / "fsdd_test.h5").exists()
    forced = os.environ.get(SPEECH_ENV, "").strip().lower()
    if forced and forced not in ("fsdd", "shd-like"):
        raise ValueError(f"{SPEECH_ENV}={forced!r}: choose fsdd or shd-like (or unset it)")
    if forced == "shd-like":
        return SpeechData("shd-like", sizes, f"shd-like, the offline stand-in (chosen by {SPEECH_ENV})")
    if not forced:
        if fast:
            return SpeechData("shd-like", sizes, "shd-like, the offline stand-in (fast mode)")
        have_published = published is not None and all(
            (folder / PUBLISHED[published].filename(p)).exists() for p in ("train", "test"))
        if have_published:
            return SpeechData(published, {}, f"the published {published.upper()} files in {folder}")
    if not have_fsdd and (make or forced):
        from snnlib.audio import fsdd_recordings, make_fsdd

        try:
            fsdd_recordings()
        except ValueError:
            pass  # no recordings here either: fall through
        else:
            print(f"encoding FSDD at 700 channels into {encoded}, once (about 9 minutes on 2 cores; later runs "
                  "read the files)", flush=True)
            make_fsdd(encoded, channels=700, split="official")
            have_fsdd = True
    if have_fsdd:
        from snnlib.data import open_dataset

        with open_dataset(encoded / "fsdd_train.h5") as f:
            channels = f.n_channels
        subset = {k: v for k, v in sizes.items() if v is not None} if fast else {}
        what = "a class-stratified subset of " if subset else ""
        return SpeechData("fsdd", subset, f"{what}FSDD, real spoken digits, encoded at {channels} channels in "
                                          f"{encoded}")
    if forced:
        raise ValueError(f"{SPEECH_ENV}=fsdd, but the FSDD files are not in {encoded} and no recordings were "
                         "found to make them (python -m snnlib data download fsdd)")
    return SpeechData("shd-like", sizes, f"shd-like, the offline stand-in (no {(published or 'published').upper()} "
                                         "files and no FSDD recordings here; see notebook 00)")
