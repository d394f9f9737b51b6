"""The SHD file schema, the published datasets, and the checks every sample must pass.

The Heidelberg spiking datasets (Cramer et al. 2020) store one HDF5 file per partition::

    spikes/times              variable-length float16, seconds, sorted within a sample
    spikes/units              variable-length uint16, input channel 0 .. n_channels - 1
    labels                    integer class index per sample
    extra/speaker             integer speaker id per sample
    extra/keys                class names as bytes; keys[label] names the class
    extra/meta_info/...       optional (SHD only): gender, age, body_height per speaker

Files written by :func:`snnlib.data.write_dataset` follow the same layout and add the file attribute
``n_channels``; files without it (the published ones) have 700 channels.

The reader and the writer share :func:`check_sample`, so a file that was written can always be read back.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Channels of the published files (the cochlea model's 700 output fibres); used when a file declares none.
DEFAULT_CHANNELS = 700

#: Largest channel count the uint16 ``spikes/units`` can address.
MAX_CHANNELS = 2**16

#: Most samples a file may declare (the largest published file, SSC train, has 75 466). A damaged or crafted file
#: declaring more is refused before anything is allocated.
MAX_SAMPLES = 2**24

#: Most classes (entries of ``extra/keys``) a file may declare (SHD has 20, SSC 35).
MAX_CLASSES = 2**16

# Paths inside a file. Keep them here so that reader, writer and tests agree.
TIMES = "spikes/times"
UNITS = "spikes/units"
LABELS = "labels"
SPEAKER = "extra/speaker"
KEYS = "extra/keys"
META_INFO = "extra/meta_info"


class DataError(ValueError):
    """A data file, a sample or an argument of the data layer is wrong; the message says what and how to fix it."""


@dataclass(frozen=True)
class DatasetInfo:
    """What the authors published for one dataset.

    Attributes:
        name: short name used on the command line (``shd``, ``ssc``).
        splits: partition name -> expected number of samples, e.g. ``{"train": 8156, "test": 2264}``.
        n_classes: number of classes.
    """

    name: str
    splits: dict[str, int]
    n_classes: int

    def filename(self, split: str) -> str:
        """File name of one partition, e.g. ``shd_train.h5``."""
        return f"{file_prefix(self.name)}_{split}.h5"


PUBLISHED = {
    "shd": DatasetInfo("shd", {"train": 8156, "test": 2264}, 20),
    "ssc": DatasetInfo("ssc", {"train": 75466, "valid": 9981, "test": 20382}, 35),
}


def file_prefix(name: str) -> str:
    """File-name prefix of a dataset: ``shd`` -> ``shd``, ``delay-task`` -> ``delay_task``."""
    return name.replace("-", "_")


def is_count(value, minimum: int = 1, maximum: int | None = None) -> bool:
    """True if ``value`` is an integer (Python or NumPy, not bool) with ``minimum <= value <= maximum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        return False
    return minimum <= value and (maximum is None or value <= maximum)


def check_sample(
    times, units, n_channels: int, where: str, *, require_sorted: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Check one sample against the schema and return it in computing dtypes.

    Args:
        times: (S,) spike times, seconds, sorted, finite and >= 0.
        units: (S,) integer channel of each spike, 0 <= unit < n_channels.
        n_channels: channel count the file declares.
        where: names the sample in error messages, e.g. ``"shd_train.h5, sample 12"``.
        require_sorted: refuse times that decrease (files must be sorted; binning does not need it).

    Returns:
        ``(times, units)`` as (S,) float64 seconds and (S,) int64. S = 0 (no spike) is valid.

    Raises:
        DataError: naming ``where`` and the first problem found.
    """
    times = np.asarray(times)
    units = np.asarray(units)
    if times.ndim != 1 or units.ndim != 1:
        raise DataError(f"{where}: times and units must be 1-D arrays, got shapes {times.shape} and {units.shape}")
    if len(times) != len(units):
        raise DataError(
            f"{where}: {len(times)} spike times but {len(units)} units; every spike needs one time and one unit"
        )
    if len(times) == 0:
        return np.zeros(0, np.float64), np.zeros(0, np.int64)
    if times.dtype.kind not in "fiu":
        raise DataError(f"{where}: spike times must be numbers in seconds, got dtype {times.dtype}")
    if units.dtype.kind not in "iu":
        raise DataError(f"{where}: units must be integer channel indices, got dtype {units.dtype}")
    times = times.astype(np.float64)
    units = units.astype(np.int64)

    bad = ~np.isfinite(times)
    if bad.any():
        k = int(np.argmax(bad))
        raise DataError(f"{where}: spike {k} has time {times[k]}; spike times must be finite numbers of seconds")
    negative = times < 0
    if negative.any():
        k = int(np.argmax(negative))
        raise DataError(f"{where}: spike {k} has negative time {times[k]:g} s; times count from 0 s")
    if require_sorted:
        steps_back = np.diff(times) < 0
        if steps_back.any():
            k = int(np.argmax(steps_back)) + 1
            raise DataError(
                f"{where}: times are not sorted (spike {k} at {times[k]:g} s comes after {times[k - 1]:g} s); "
                "sort each sample by time"
            )
    lo, hi = int(units.min()), int(units.max())
    if lo < 0:
        raise DataError(f"{where}: spikes/units holds {lo}; channels are numbered from 0")
    if hi >= n_channels:
        raise DataError(
            f"{where}: spikes/units holds {hi}, at or above the {n_channels} channels this file declares "
            f"(valid units are 0..{n_channels - 1})"
        )
    return times, units


def check_label(label: int, n_classes: int, where: str) -> int:
    """Return ``label`` as an int, or raise DataError if it is not one of the ``n_classes`` classes."""
    if not 0 <= label < n_classes:
        raise DataError(
            f"{where}: label {label} is outside the {n_classes} classes of extra/keys (valid labels 0..{n_classes - 1})"
        )
    return int(label)


def publish_file(tmp, path) -> None:
    """Give a finished temporary file the usual permissions (0666 less the umask), flush it and rename it to ``path``.

    Kept for callers of earlier versions; new code writes through :func:`snnlib._io.atomic_path`.
    """
    from snnlib import _io

    _io.publish(tmp, path)
