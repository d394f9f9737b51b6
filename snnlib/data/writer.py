"""Writing files in the SHD schema (see :mod:`snnlib.data.schema`), atomically.

The offline datasets and the audio encoder write through :func:`write_dataset`, so everything the course uses is read
by the same reader as the published SHD and SSC files.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import h5py
import numpy as np

from snnlib import _io
from snnlib.data.schema import (
    DEFAULT_CHANNELS,
    KEYS,
    LABELS,
    MAX_CHANNELS,
    META_INFO,
    SPEAKER,
    TIMES,
    UNITS,
    DataError,
    check_label,
    check_sample,
    is_count,
)

# Samples are written in blocks of this many: one HDF5 call per block instead of one per sample.
_BLOCK = 512
# Bytes a sample takes in the file beyond its spikes' 4 bytes each (two heap references, two heap-object headers,
# 8-byte alignment, label and speaker: measured 42-130 B), rounded up; used to check the free space before writing.
_SAMPLE_OVERHEAD = 160
# Largest finite float16 (spike times are stored as float16 seconds, as in the published files).
_FLOAT16_MAX = float(np.finfo(np.float16).max)


def write_dataset(
    path,
    samples: Iterable,
    labels: Sequence[int],
    class_names: Sequence[str],
    speakers: Sequence[int],
    *,
    meta_info: Mapping[str, object] | None = None,
    n_channels: int = DEFAULT_CHANNELS,
    attrs: Mapping[str, object] | None = None,
) -> Path:
    """Write spike samples to an HDF5 file in the SHD schema.

    The file is written under a temporary name in the same folder and renamed to ``path`` only when complete, so an
    error (or an interruption) never leaves a half-written file at ``path``; the temporary file is removed on every
    way out (see :mod:`snnlib._io`). Before each block of samples is written, the free space of the folder is
    compared with the block's size (4 bytes per spike plus about 160 per sample, with a margin): a disk that is
    about to fill stops the write with a DataError naming the folder, the space needed and the space available
    (HDF5 itself cannot be trusted to fail cleanly on a full disk).

    Args:
        path: destination ``.h5`` file; its folder is created if needed; an existing file is replaced.
        samples: N pairs ``(times, units)``: (S,) times in seconds (sorted, finite, >= 0; stored as float16, i.e.
            rounded to about 0.05 % of their value) and (S,) integer channels ``0 <= unit < n_channels``. S may be 0.
            Any iterable, consumed once (a generator keeps memory flat for large files).
        labels: (N,) class index of each sample, ``0 <= label < len(class_names)``.
        class_names: names of the classes, stored as UTF-8 bytes in ``extra/keys``.
        speakers: (N,) integer speaker id of each sample (``extra/speaker``).
        meta_info: optional arrays stored under ``extra/meta_info/NAME`` (SHD: gender, age, body_height per speaker).
        n_channels: input channels, stored as the file attribute ``n_channels`` (at most 65536: units are uint16).
        attrs: optional extra file attributes (numbers, strings or arrays), e.g. a generator's parameters.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.

    Raises:
        DataError: a sample, label, speaker or argument breaks the schema (the message names the sample index);
            ``path`` is a folder, or cannot be written (permission, read-only or full disk: the message says which).
    """
    return write_datasets([dict(path=path, samples=samples, labels=labels, class_names=class_names,
                                speakers=speakers, meta_info=meta_info, n_channels=n_channels, attrs=attrs)])[0]


def write_datasets(files: Sequence[Mapping]) -> list[Path]:
    """Write several SHD-schema files all or none (e.g. the train, valid and test parts of one dataset).

    ``files``: one dict per file with the arguments of :func:`write_dataset` (``path``, ``samples``, ``labels``,
    ``class_names``, ``speakers`` and optionally ``meta_info``, ``n_channels``, ``attrs``). Every argument is
    checked first; then each file is written under a temporary name, and only when all are complete are they renamed
    into place. If any fails (bad sample, full disk, Ctrl-C), every temporary file is removed and the files already
    at those paths (an earlier dataset) are left as they were. Returns the paths, in order.
    """
    jobs = [_checked(**spec) for spec in files]
    for job in jobs:
        if job["path"].is_dir():
            raise DataError(f"{job['path']} is a folder; give the name of the .h5 file to write "
                            f"(e.g. {job['path'] / 'data.h5'})")
        _io.prepare_folder(job["path"].parent, DataError)
    current = jobs[0]["path"] if jobs else None
    try:
        with contextlib.ExitStack() as published:  # on success the files are renamed into place, last one first
            for job in jobs:
                current = job["path"]
                tmp = published.enter_context(_io.atomic_path(current))  # removes stale temporary files first
                _write_file(tmp, **job)
    except OSError as exc:
        raise DataError(_io.write_error_message(exc, current)) from None
    return [job["path"] for job in jobs]


def _checked(path, samples, labels, class_names, speakers, meta_info=None, n_channels=DEFAULT_CHANNELS,
             attrs=None) -> dict:
    """The arguments of one file, checked (everything but the samples, which are checked as they are written)."""
    path = Path(path)
    name = path.name
    labels = _integer_array(labels, "labels", name)
    speakers = _integer_array(speakers, "speakers", name)
    n = len(labels)
    if len(speakers) != n:
        raise DataError(f"{name}: {n} labels but {len(speakers)} speakers; give one speaker id per sample")
    if not is_count(n_channels, 1, MAX_CHANNELS):
        raise DataError(f"{name}: n_channels is {n_channels!r}; expected an integer in 1..{MAX_CHANNELS}")
    keys = [c.encode("utf-8") if isinstance(c, str) else bytes(c) for c in class_names]
    if not keys:
        raise DataError(f"{name}: class_names is empty; give one name per class")
    bad = (labels < 0) | (labels >= len(keys))
    if bad.any():
        i = int(np.argmax(bad))
        check_label(labels[i], len(keys), f"{name}, sample {i}")
    return dict(path=path, samples=samples, labels=labels, keys=keys, speakers=speakers, meta_info=meta_info or {},
                n_channels=int(n_channels), attrs=attrs or {})


def _write_file(tmp: Path, *, path: Path, samples, labels, keys, speakers, meta_info, n_channels, attrs) -> None:
    """Write one checked file into ``tmp`` (named ``path`` in messages), checking the free space as it goes."""
    header_bytes = len(labels) * 48 + sum(len(k) for k in keys) + sum(_storable(v).nbytes for v in meta_info.values())
    _io.ensure_free_space(path.parent, header_bytes, path.name)
    with h5py.File(tmp, "w") as f:
        f.attrs["n_channels"] = n_channels
        for key, value in attrs.items():
            f.attrs[key] = value
        f.create_dataset(LABELS, data=labels.astype(np.uint8 if len(keys) <= 256 else np.uint16))
        f.create_dataset(SPEAKER, data=speakers.astype(_smallest_int(speakers)))
        f.create_dataset(KEYS, data=np.array(keys, dtype=f"S{max(len(k) for k in keys) or 1}"))
        for key, value in meta_info.items():
            f.create_dataset(f"{META_INFO}/{key}", data=_storable(value))
        _write_spikes(f, samples, len(labels), n_channels, path.name, path.parent)


def _write_spikes(f: h5py.File, samples: Iterable, n: int, n_channels: int, name: str, folder: Path) -> None:
    times_ds = f.create_dataset(TIMES, (n,), dtype=h5py.vlen_dtype(np.float16))
    units_ds = f.create_dataset(UNITS, (n,), dtype=h5py.vlen_dtype(np.uint16))
    block_t = np.empty(_BLOCK, dtype=object)
    block_u = np.empty(_BLOCK, dtype=object)
    start = count = block_bytes = 0
    for i, sample in enumerate(samples):
        count = i + 1
        if i >= n:
            raise DataError(f"{name}: more samples than the {n} labels; give one label per sample")
        where = f"{name}, sample {i}"
        try:
            raw_times, raw_units = sample
        except (TypeError, ValueError):
            raise DataError(f"{where}: expected a pair (times, units), got {type(sample).__name__}") from None
        times, units = check_sample(raw_times, raw_units, n_channels, where)
        if len(times) and times[-1] > _FLOAT16_MAX:
            raise DataError(f"{where}: spike time {times[-1]:g} s exceeds the float16 range ({_FLOAT16_MAX:g} s)")
        block_t[i - start] = times.astype(np.float16)
        block_u[i - start] = units.astype(np.uint16)
        block_bytes += 4 * len(times) + _SAMPLE_OVERHEAD
        if count - start == _BLOCK:
            _write_checked(f, folder, name, block_bytes, (times_ds, start, block_t), (units_ds, start, block_u))
            start, block_bytes = count, 0
    if count != n:
        raise DataError(f"{name}: {count} samples but {n} labels; give one label per sample")
    if start < n:
        _write_checked(f, folder, name, block_bytes, (times_ds, start, block_t[: n - start]),
                       (units_ds, start, block_u[: n - start]))


def _write_checked(f: h5py.File, folder: Path, name: str, nbytes: int, *writes) -> None:
    """Flush what is written so far (so the free space is real), check room for ``nbytes`` more with a margin of
    half as much again, then write the blocks. Raises NotEnoughSpace (an OSError) instead of filling the disk."""
    f.flush()
    _io.ensure_free_space(folder, nbytes + nbytes // 2, name)
    for dataset, start, block in writes:
        _write_block(dataset, start, block)


def _write_block(dataset: h5py.Dataset, start: int, block: np.ndarray) -> None:
    """Write an object array of 1-D arrays to ``dataset[start : start + len(block)]`` in one HDF5 call.

    (The high-level ``dataset[a:b] = block`` would turn a block of equal-length samples into a 2-D array.)
    """
    file_space = dataset.id.get_space()
    file_space.select_hyperslab((start,), (len(block),))
    dataset.id.write(h5py.h5s.create_simple((len(block),)), file_space, block)


def _integer_array(values, what: str, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise DataError(f"{name}: {what} must be a 1-D sequence, got shape {array.shape}")
    if array.size and array.dtype.kind not in "iu":
        raise DataError(f"{name}: {what} must be integers, got dtype {array.dtype}")
    return array.astype(np.int64)


def _smallest_int(values: np.ndarray) -> type:
    if values.size == 0 or (values.min() >= 0 and values.max() < 2**16):
        return np.uint16
    return np.int64


def _storable(value) -> np.ndarray:
    """Text becomes UTF-8 bytes (HDF5 has no NumPy unicode type); everything else is stored as given."""
    array = np.asarray(value)
    if array.dtype.kind == "U":
        return np.char.encode(array, "utf-8")
    return array
