"""Lazy, per-sample reading of files in the SHD schema (see :mod:`snnlib.data.schema`).

Opening a file reads only the small per-sample arrays (labels, speakers) and the class names; spikes are read one
sample at a time, so a pass over SSC's 75 466 training samples never holds more than one sample in memory.
"""
from __future__ import annotations

import errno
import operator
import os
from pathlib import Path

import h5py
import numpy as np

from snnlib import _io
from snnlib.data.schema import (
    DEFAULT_CHANNELS,
    KEYS,
    LABELS,
    MAX_CHANNELS,
    MAX_CLASSES,
    MAX_SAMPLES,
    META_INFO,
    SPEAKER,
    TIMES,
    UNITS,
    DataError,
    check_label,
    check_sample,
)

# Samples fetched at once when a file is read in order (one HDF5 call for many samples is several times faster
# than one call each). Reads that move forward by at most _STRIDE samples count as "in order".
_READ_AHEAD = 32
_STRIDE = 8
# What h5py raises when a damaged file is read (turned into DataError naming the file).
_H5PY_READ_ERRORS = (OSError, RuntimeError, KeyError, TypeError, ValueError)


def open_dataset(path) -> "SpikeDataset":
    """Open an SHD-schema file for lazy reading.

    Args:
        path: an ``.h5`` file, e.g. ``shd_train.h5`` or one written by :func:`snnlib.data.write_dataset`.

    Returns:
        A :class:`SpikeDataset`: ``len(ds)``, ``ds[i] -> (times_seconds, units, label)``, ``ds.class_names``,
        ``ds.speakers``. Use it as a context manager, or call ``close()``.

    Raises:
        DataError: the file is missing, unreadable (permissions), not HDF5 (or truncated), lacks a required group or
            dtype, declares more samples or classes than the schema allows or than memory holds, or is not
            self-contained (HDF5 external links, external storage or virtual datasets, which would read other
            files of this machine, are refused).
    """
    return SpikeDataset(path)


class SpikeDataset:
    """One file in the SHD schema, read sample by sample.

    ``ds[i]`` returns ``(times, units, label)``:

    - ``times``: (S,) float64, seconds (the stored float16 values, converted exactly), sorted;
    - ``units``: (S,) int64, channel of each spike, ``0 <= unit < n_channels``;
    - ``label``: int, index into ``class_names``.

    S may be 0: an empty sample is valid and bins to an all-zero input. Each sample is checked when it is read; a bad
    one raises :class:`DataError` naming the file, the sample index and the problem.

    Safe in a data-loader loop: the HDF5 handle is opened lazily in each process (a forked or unpickled copy opens
    its own), and pickling sends only the path.

    Attributes:
        path: the file.
        n_channels: input channels (file attribute ``n_channels``, else 700 as in the published files).
        class_names: list of str, ``class_names[label]`` (read from ``extra/keys``, never assumed).
        speakers: (N,) int64 speaker id per sample.
        speaker_names: ``speaker_names[id]`` when the file names its speakers (as strings in ``extra/speaker``, or
            by id in ``extra/meta_info/speaker_name``), else None.
        meta_info: dict name -> array from ``extra/meta_info`` (SHD: speaker gender, age, body_height), or {}.
        attrs: dict of the file's attributes (generators record their parameters there).
    """

    def __init__(self, path):
        self.path = Path(path)
        self._file: h5py.File | None = None
        self._pid: int | None = None
        self._closed = False
        f = self._open()
        try:
            self._read_header(f)
            self._bind(f)
        except BaseException as exc:
            self.close()
            if isinstance(exc, DataError) or not isinstance(exc, _H5PY_READ_ERRORS):
                raise
            raise DataError(
                f"{self.path}: cannot read the file's structure ({exc}); the file may be damaged, "
                "download or generate it again"
            ) from None

    # -- opening ------------------------------------------------------------------------------------------------
    def _open(self) -> h5py.File:
        if not self.path.exists():
            raise DataError(
                f"{self.path}: no such file. Download the published data with `python -m snnlib data download shd` "
                "(or ssc), or generate an offline dataset with `python -m snnlib data make NAME --out DIR`"
            )
        if self.path.is_dir():
            raise DataError(f"{self.path}: is a directory; give the path of an .h5 file inside it")
        try:  # permissions first: h5py's message would blame the file's content (non-blocking: a FIFO waits)
            os.close(os.open(self.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)))
        except PermissionError:
            raise DataError(_permission_message(self.path)) from None
        except OSError:
            pass  # h5py reports it below
        try:
            f = h5py.File(self.path, "r")
        except OSError as exc:
            if getattr(exc, "errno", None) in (errno.EACCES, errno.EPERM):
                raise DataError(_permission_message(self.path)) from None
            raise DataError(
                f"{self.path}: not a readable HDF5 file (truncated, still downloading, or not HDF5: {exc}); "
                "download or generate it again"
            ) from None
        self._file, self._pid = f, os.getpid()
        return f

    def _bind(self, f: h5py.File) -> None:
        self._times, self._units = f[TIMES], f[UNITS]
        self._block = (0, [], [])  # read-ahead: (first index, times, units) of the last block read
        self._last = -2

    def _read_header(self, f: h5py.File) -> None:
        self._check_self_contained(f)
        missing = [name for name in (TIMES, UNITS, LABELS, KEYS, SPEAKER) if not isinstance(f.get(name), h5py.Dataset)]
        if missing:
            raise DataError(
                f"{self.path}: missing {', '.join(missing)}; an SHD-schema file needs spikes/times, spikes/units, "
                "labels, extra/keys and extra/speaker (write files with snnlib.data.write_dataset)"
            )
        self._check_vlen(f[TIMES], "f", "float16 seconds")
        self._check_vlen(f[UNITS], "iu", "uint16 channel indices")

        n = len(f[TIMES])
        for name in (UNITS, LABELS, SPEAKER):
            if f[name].ndim != 1 or len(f[name]) != n:
                raise DataError(
                    f"{self.path}: {name} has shape {f[name].shape} but spikes/times has {n} samples; "
                    "every per-sample array needs one entry per sample"
                )
        if f[LABELS].dtype.kind not in "iu":
            raise DataError(f"{self.path}: labels has dtype {f[LABELS].dtype}; expected integer class indices")
        self._check_sizes(f, n)
        self._labels = f[LABELS][()].astype(np.int64)
        self.speakers, self.speaker_names = _speaker_ids(f[SPEAKER][()])

        keys = f[KEYS]
        if keys.ndim != 1 or len(keys) == 0 or keys.dtype.kind not in "SUO":
            raise DataError(
                f"{self.path}: extra/keys must be a non-empty 1-D array of class names (bytes), "
                f"got shape {keys.shape} and dtype {keys.dtype}"
            )
        self.class_names = [_text(k) for k in keys[()]]

        self.n_channels = self._declared_channels(f.attrs.get("n_channels", DEFAULT_CHANNELS))

        self.meta_info = {}
        meta = f.get(META_INFO)
        if isinstance(meta, h5py.Group):
            self.meta_info = {name: item[()] for name, item in meta.items() if isinstance(item, h5py.Dataset)}
        names = self.meta_info.get("speaker_name")
        if self.speaker_names is None and names is not None and np.ndim(names) == 1 \
                and len(names) > int(self.speakers.max(initial=-1)):
            self.speaker_names = [_text(n) for n in names]  # integer ids, names kept beside them (FSDD's files)
        self.attrs = {key: value for key, value in f.attrs.items()}

    def _check_self_contained(self, f: h5py.File) -> None:
        """Refuse links to other files, datasets stored in other files and virtual datasets: reading them would
        read (and ``data info`` would print) whatever local file they name."""
        problems = []

        def visit(name, link):
            if isinstance(link, h5py.ExternalLink):
                problems.append(f"{name} is an external link to {link.filename}:{link.path}")
            elif isinstance(link, h5py.HardLink):
                item = f.get(name)
                if isinstance(item, h5py.Dataset):
                    if item.id.get_create_plist().get_external_count() > 0:
                        problems.append(f"{name} keeps its data in another file (HDF5 external storage)")
                    elif item.is_virtual:
                        problems.append(f"{name} is a virtual dataset mapping other files")
            return None

        f.visititems_links(visit)
        if problems:
            raise DataError(
                f"{self.path}: refused for safety: {problems[0]}; SHD-schema files must be self-contained "
                "(write them with snnlib.data.write_dataset)"
            )

    def _check_sizes(self, f: h5py.File, n: int) -> None:
        """Refuse sizes beyond the schema's limits or the machine's memory before reading any array: a small damaged
        or crafted file can declare billions of samples or class names."""
        keys = f[KEYS]
        if n > MAX_SAMPLES:
            raise DataError(
                f"{self.path}: declares {n} samples, more than the {MAX_SAMPLES} a data file may hold "
                "(the largest published file has 75466); the file is damaged or not an SHD-schema file"
            )
        if keys.ndim == 1 and len(keys) > MAX_CLASSES:
            raise DataError(
                f"{self.path}: extra/keys declares {len(keys)} class names, more than the {MAX_CLASSES} allowed; "
                "the file is damaged or not an SHD-schema file"
            )
        meta = f.get(META_INFO)
        items = [item for item in meta.values() if isinstance(item, h5py.Dataset)] if isinstance(meta, h5py.Group) \
            else []
        needed = sum(_read_bytes(f[name]) + 8 * f[name].size for name in (LABELS, SPEAKER))
        needed += _read_bytes(keys) + 64 * keys.size + sum(_read_bytes(item) for item in items)
        shortfall = _io.memory_shortfall(needed)
        if shortfall is not None:
            raise DataError(
                f"{self.path}: opening it would need {shortfall} ({n} samples, {keys.size} class names declared); "
                "the file is damaged, or open it on a machine with more memory"
            )

    def _declared_channels(self, value) -> int:
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float("nan")
        if np.ndim(value) != 0 or not number.is_integer() or not 1 <= number <= MAX_CHANNELS:
            raise DataError(f"{self.path}: attribute n_channels is {value!r}; expected an integer in 1..{MAX_CHANNELS}")
        return int(number)

    def _check_vlen(self, dataset: h5py.Dataset, kinds: str, expected: str) -> None:
        base = h5py.check_vlen_dtype(dataset.dtype)
        if base is None or base.kind not in kinds or dataset.ndim != 1:
            found = f"variable-length {base}" if base is not None else str(dataset.dtype)
            raise DataError(
                f"{self.path}: {dataset.name.lstrip('/')} holds {found} with shape {dataset.shape}; "
                f"expected a 1-D variable-length array of {expected}"
            )

    def _handle(self) -> h5py.File:
        if self._closed:
            raise DataError(f"{self.path}: the dataset was closed; open it again with snnlib.data.open_dataset")
        if self._file is None or self._pid != os.getpid():
            # First use in this process (after pickling or fork): never share an HDF5 handle across processes.
            self._file = None
            f = self._open()
            self._bind(f)
            return f
        return self._file

    # -- the sequence interface ---------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._labels)

    def __getitem__(self, index) -> tuple[np.ndarray, np.ndarray, int]:
        i = _check_index(index, len(self), str(self.path))
        self._handle()
        where = f"{self.path}, sample {i}"
        try:
            raw_times, raw_units = self._raw(i)
        except _H5PY_READ_ERRORS as exc:
            raise DataError(f"{where}: could not be read ({exc}); the file may be damaged, fetch it again") from None
        times, units = check_sample(raw_times, raw_units, self.n_channels, where)
        return times, units, check_label(self._labels[i], self.n_classes, where)

    def _raw(self, i: int):
        """Stored (times, units) of sample i. Reading sample by sample costs one HDF5 call each; when samples are
        read in order, the next ``_READ_AHEAD`` are fetched in one call (a few MB at most) and served from memory."""
        start, times, units = self._block  # one tuple: a consistent view even if another thread replaces it
        previous, self._last = self._last, i
        if start <= i < start + len(times):
            return times[i - start], units[i - start]
        if not 0 < i - previous <= _STRIDE:
            return self._times[i], self._units[i]
        stop = min(i + _READ_AHEAD, len(self))
        self._block = (i, self._times[i:stop], self._units[i:stop])
        return self._block[1][0], self._block[2][0]

    def take(self, indices) -> list[tuple[np.ndarray, np.ndarray, int]]:
        """The samples at ``indices`` (any order, repeats allowed) as a list of ``(times, units, label)``.

        Same result as ``[ds[i] for i in indices]``, read with one HDF5 call: several times faster for a batch of
        scattered samples (a shuffled mini-batch).
        """
        positions = [_check_index(i, len(self), str(self.path)) for i in indices]
        if not positions:
            return []
        self._handle()
        unique = np.unique(positions)
        try:
            times, units = self._times[unique], self._units[unique]
        except _H5PY_READ_ERRORS as exc:
            raise DataError(
                f"{self.path}, samples {unique.tolist()}: could not be read ({exc}); the file may be damaged, "
                "fetch it again"
            ) from None
        row = {int(i): k for k, i in enumerate(unique)}
        out = []
        for i in positions:
            where = f"{self.path}, sample {i}"
            t, u = check_sample(times[row[i]], units[row[i]], self.n_channels, where)
            out.append((t, u, check_label(self._labels[i], self.n_classes, where)))
        return out

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    @property
    def n_classes(self) -> int:
        """Number of classes (entries of ``extra/keys``)."""
        return len(self.class_names)

    @property
    def labels(self) -> np.ndarray:
        """(N,) int64 label of every sample, checked against the classes (DataError names the first bad one)."""
        bad = (self._labels < 0) | (self._labels >= self.n_classes)
        if bad.any():
            i = int(np.argmax(bad))
            check_label(self._labels[i], self.n_classes, f"{self.path}, sample {i}")
        return self._labels.copy()

    # -- lifetime -----------------------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the file. Reading afterwards raises DataError; closing twice is harmless."""
        if self._file is not None and self._pid == os.getpid():
            self._file.close()
        self._file = None
        self._closed = True

    def __enter__(self) -> "SpikeDataset":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.update(_file=None, _pid=None, _times=None, _units=None, _block=None)
        return state

    def __repr__(self) -> str:
        return (
            f"SpikeDataset({str(self.path)!r}: {len(self)} samples, {self.n_classes} classes, "
            f"{self.n_channels} channels)"
        )


class Subset:
    """A view of some samples of a dataset, e.g. the validation part held out of a training file.

    Same interface as :class:`SpikeDataset`: ``len``, ``sub[i] -> (times, units, label)``, ``class_names``,
    ``speakers``, ``labels``, ``n_channels``. ``indices`` maps positions in the subset to samples of ``dataset``.
    ``close()`` closes the underlying file (shared with any other subset of it).
    """

    def __init__(self, dataset, indices):
        indices = np.asarray(indices)
        if indices.ndim != 1 or (indices.size and indices.dtype.kind not in "iu"):
            raise DataError(f"subset indices must be a 1-D array of integers, got {indices.dtype} {indices.shape}")
        indices = indices.astype(np.int64)
        if indices.size and (indices.min() < 0 or indices.max() >= len(dataset)):
            raise DataError(f"subset indices must lie in 0..{len(dataset) - 1} for a dataset of {len(dataset)} samples")
        self.dataset = dataset
        self.indices = indices

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index):
        return self.dataset[int(self.indices[_check_index(index, len(self), "subset")])]

    def take(self, indices) -> list:
        """``[sub[i] for i in indices]`` read in one call (see :meth:`SpikeDataset.take`)."""
        return self.dataset.take([int(self.indices[_check_index(i, len(self), "subset")]) for i in indices])

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    @property
    def path(self) -> Path:
        return self.dataset.path

    @property
    def n_channels(self) -> int:
        return self.dataset.n_channels

    @property
    def class_names(self) -> list[str]:
        return self.dataset.class_names

    @property
    def n_classes(self) -> int:
        return self.dataset.n_classes

    @property
    def speakers(self) -> np.ndarray:
        return self.dataset.speakers[self.indices]

    @property
    def labels(self) -> np.ndarray:
        return self.dataset.labels[self.indices]

    def close(self) -> None:
        self.dataset.close()

    def __enter__(self) -> "Subset":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Subset({len(self)} of {self.dataset!r})"


class Joined:
    """Several files of one dataset read as one (e.g. FSDD's training and test files, to regroup by speaker).

    Same interface as :class:`SpikeDataset` for what the data layer reads (``len``, ``[i]``, ``take``, ``labels``,
    ``speakers``, ``class_names``, ``n_channels``, ``path``); the files must agree on channels and classes.
    ``close()`` closes every file.
    """

    def __init__(self, parts):
        self.parts = list(parts)
        first = self.parts[0]
        for part in self.parts[1:]:
            if part.n_channels != first.n_channels or list(part.class_names) != list(first.class_names):
                raise DataError(f"{part.path} and {first.path} differ in channels or classes; they cannot be joined")
        self.offsets = np.cumsum([0] + [len(p) for p in self.parts])

    def __len__(self) -> int:
        return int(self.offsets[-1])

    def __getitem__(self, index):
        index = _check_index(index, len(self), "joined dataset")
        k = int(np.searchsorted(self.offsets, index, side="right")) - 1
        return self.parts[k][index - int(self.offsets[k])]

    def take(self, indices) -> list:
        return [self[i] for i in indices]

    path = property(lambda self: self.parts[0].path)
    n_channels = property(lambda self: self.parts[0].n_channels)
    class_names = property(lambda self: self.parts[0].class_names)
    n_classes = property(lambda self: self.parts[0].n_classes)

    speaker_names = property(lambda self: self.parts[0].speaker_names)

    labels = property(lambda self: np.concatenate([p.labels for p in self.parts]))
    speakers = property(lambda self: np.concatenate([p.speakers for p in self.parts]))

    def close(self) -> None:
        for part in self.parts:
            part.close()


def _check_index(index, n: int, what: str) -> int:
    try:
        i = operator.index(index)
    except TypeError:
        raise TypeError(f"{what}: sample index must be an integer, got {type(index).__name__}") from None
    if i < 0:
        raise IndexError(f"{what}: sample index {i} is negative; use 0..{n - 1} ({n} samples)")
    if i >= n:
        raise IndexError(f"{what}: sample index {i} is out of range; use 0..{n - 1} ({n} samples)")
    return i


def _read_bytes(dataset: h5py.Dataset) -> int:
    """Bytes reading ``dataset`` whole allocates: its elements times their size (64 for variable-length ones)."""
    dtype = dataset.dtype
    per_element = 64 if dtype.kind == "O" or h5py.check_vlen_dtype(dtype) is not None else dtype.itemsize + 1
    return int(dataset.size) * per_element


def _permission_message(path: Path) -> str:
    return (f"{path}: permission denied: this user may not read the file; ask its owner for read access "
            "(chmod a+r), or copy it to a folder of yours")


def _speaker_ids(values: np.ndarray) -> tuple[np.ndarray, list[str] | None]:
    """Speaker ids as (N,) int64; ids stored as text become 0..K-1 with their names returned alongside."""
    if values.dtype.kind in "iu":
        return values.astype(np.int64), None
    if values.dtype.kind == "f" and np.isfinite(values).all() and (values == np.round(values)).all():
        return values.astype(np.int64), None
    names, ids = np.unique(np.array([_text(v) for v in values]), return_inverse=True)
    return ids.astype(np.int64), [str(name) for name in names]


def _text(value) -> str:
    if isinstance(value, (bytes, np.bytes_)):
        return value.decode("utf-8", errors="replace")
    return str(value)
