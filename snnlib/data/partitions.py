"""Whole partitions in memory: a dataset read (or generated once), held out and binned into (n, T, M) arrays.

    data = load_data(DataConfig("delay-task"))          # Dataset: train, valid (or None), test SpikeArrays
    data.train.x, data.train.labels                       # (n, T, M) compact counts, (n,) classes

What the trainer (:mod:`snnlib.train`), the experiments and the notebooks train on. The validation part is the
data layer's own hold-out (:func:`snnlib.data.load_splits`): a validation file when the dataset has one, else a
class-stratified or speaker-wise share of the training file. Before binning, the memory the arrays will need is
estimated and refused beyond what the machine has (``$SNNLIB_MEMORY_LIMIT`` sets a lower limit).
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from snnlib import _io
from snnlib._checks import check_choice, check_int
from snnlib._options import option
from snnlib.data.splits import speaker_share
from snnlib._io import OutputError

VALID_BY = ("random", "speaker")
OFFLINE_DATASETS = ("shd-like", "delay-task", "randman")
PUBLISHED_DATASETS = ("shd", "ssc")
#: Real recordings encoded here once (``python -m snnlib data make fsdd``), read from ``{data folder}/{folder}``.
ENCODED_DATASETS = {"fsdd": "fsdd-700"}
#: Generator-like arguments an encoded dataset accepts: class-stratified subsets of its files (quick runs), and
#: ``test_speaker`` (a name or id): test on every recording of that speaker, train on the others' (both files).
SUBSET_KEYS = ("n_train", "n_test", "test_speaker")


# ----------------------------------------------------------------------------- what to load
@dataclass(frozen=True)
class DataConfig:
    """Which data, and how it becomes (n, T, M) spike counts.

    dataset: ``shd``, ``ssc`` (downloaded files), ``fsdd`` (FSDD encoded at 700 channels, made once with
        ``python -m snnlib data make fsdd``), ``shd-like``, ``delay-task``, ``randman`` (generated on first use into
        the data folder), or the path of an ``.h5`` file in the SHD schema (see :func:`load_data`).
    data_dir: folder of the data files; ``None``: ``$SNNLIB_DATA``, else the per-user cache.
    dt: step width, seconds. max_time: window, seconds (``None``: 1 s for SHD/SSC, else the longest sample; refused
        when that lasts over ``OUTLIER_FACTOR`` = 10 times the median sample, see :func:`_window`).
    pool: sum groups of ``pool`` neighbouring channels (700 → 140 with pool 5).
    binary: clip counts to one spike per step and channel.
    valid_fraction: share of the training file held out for validation (0: no validation set when the dataset
        has no validation file). valid_by: ``random`` (class-stratified) or ``speaker`` (whole speakers held out).
    data_seed: seeds the validation split and the generation of offline datasets.
    generator: extra arguments for the offline dataset's generator (e.g. sizes, task difficulty); for ``fsdd``,
        ``n_train`` / ``n_test``: use class-stratified subsets of about that size (seeded by ``data_seed``);
        ``test_speaker``: leave that speaker (name or id) out, as the test set.

    Every field but ``binary`` is also an option of ``python -m snnlib train`` (help texts and choices in the field
    metadata, see :mod:`snnlib._options`).
    """

    dataset: str = option("delay-task", help="shd, ssc, fsdd (made once by `data make fsdd`), shd-like, delay-task, "
                                             "randman, or the path of an .h5 file in the SHD schema")
    data_dir: str | None = option(None, help="folder of the data files (default: $SNNLIB_DATA, else the per-user "
                                             "cache)")
    dt: float = option(0.01, help="step width, seconds")
    max_time: float | None = option(None, help="window per sample, seconds (default: 1 s for SHD/SSC, else the "
                                               "longest sample, unless it lasts over 10x the median: see "
                                               "docs/training.md)")
    pool: int = option(1, help="sum groups of this many neighbouring input channels")
    binary: bool = False
    valid_fraction: float = option(0.1, help="share of the training file held out for validation (0: none)")
    valid_by: str = option("random", choices=VALID_BY,
                           help="hold out random samples (class-stratified) or whole speakers")
    data_seed: int = option(0, help="seed of the validation split and of generated datasets")
    generator: dict = option(default_factory=dict, help="argument of the offline dataset's generator, e.g. "
                                                        "--generator n_train=300 (repeatable)")

    def __post_init__(self) -> None:
        if isinstance(self.dataset, os.PathLike):
            object.__setattr__(self, "dataset", os.fspath(self.dataset))
        if not isinstance(self.dataset, str) or not self.dataset:
            raise ValueError(f"dataset must be a name or a file path, got {self.dataset!r}")
        if self.data_dir is not None:
            if isinstance(self.data_dir, os.PathLike):
                object.__setattr__(self, "data_dir", os.fspath(self.data_dir))
            if not isinstance(self.data_dir, str) or not self.data_dir:
                raise ValueError(f"data_dir must be a folder path (a string), got {self.data_dir!r}")
        known = PUBLISHED_DATASETS + tuple(ENCODED_DATASETS) + OFFLINE_DATASETS
        if not (self.dataset in known or self.dataset.endswith((".h5", ".hdf5"))):
            raise ValueError(f"unknown dataset {self.dataset!r}; expected one of {', '.join(known)} or the path "
                             "of an .h5 file")
        for name in ("dt",) + (("max_time",) if self.max_time is not None else ()):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                    or value <= 0:
                raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
        check_int("pool", self.pool, 1)
        check_int("data_seed", self.data_seed, 0)
        if isinstance(self.valid_fraction, bool) or not isinstance(self.valid_fraction, (int, float)) \
                or not 0 <= self.valid_fraction < 1:
            raise ValueError(f"valid_fraction must be a fraction in [0, 1), got {self.valid_fraction!r}")
        check_choice("valid_by", self.valid_by, VALID_BY)
        if not isinstance(self.generator, dict) or not all(isinstance(k, str) for k in self.generator):
            raise ValueError(f"generator must be a dict of generator arguments (name: value), got "
                             f"{self.generator!r}")
        if self.dataset in ENCODED_DATASETS:
            unknown = sorted(set(self.generator) - set(SUBSET_KEYS))
            if unknown:
                raise ValueError(f"{self.dataset} is read from its encoded files, not generated: generator "
                                 f"accepts only {', '.join(SUBSET_KEYS)}, got {unknown}")
            for key, value in self.generator.items():
                if key != "test_speaker":
                    check_int(f"generator[{key!r}]", value, 1)
        if not isinstance(self.binary, bool):
            raise ValueError(f"binary must be True or False, got {self.binary!r}")

    def replace(self, **changes) -> "DataConfig":
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


# ----------------------------------------------------------------------------- data in memory
@dataclass
class SpikeArrays:
    """One partition as binned arrays: ``x`` (n, T, M) spike counts (any numeric dtype), ``labels`` (n,) int,
    and optionally ``speakers`` (n,) int (who spoke each sample, when the data says)."""

    x: np.ndarray
    labels: np.ndarray
    speakers: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.x = np.asarray(self.x)
        self.labels = np.asarray(self.labels).astype(np.int64)
        if self.x.ndim != 3 or self.labels.shape != (self.x.shape[0],):
            raise ValueError(f"SpikeArrays needs x (n, T, M) and labels (n,), got {self.x.shape} and "
                             f"{self.labels.shape}")
        if self.speakers is not None:
            self.speakers = np.asarray(self.speakers).astype(np.int64)
            if self.speakers.shape != self.labels.shape:
                raise ValueError(f"speakers must have shape (n,) = {self.labels.shape}, got {self.speakers.shape}")

    def __len__(self) -> int:
        return len(self.labels)


@dataclass
class Dataset:
    """Train / validation / test arrays of one dataset, and what they are.

    valid may be ``None`` (no validation). ``info`` records where the data came from (the :class:`DataConfig`
    and the generator's parameters), for the logs.
    """

    train: SpikeArrays
    test: SpikeArrays
    valid: SpikeArrays | None = None
    class_names: list = field(default_factory=list)
    dt: float = 0.01
    info: dict = field(default_factory=dict)

    @property
    def n_in(self) -> int:
        return int(self.train.x.shape[2])

    @property
    def n_steps(self) -> int:
        return int(self.train.x.shape[1])

    @property
    def n_classes(self) -> int:
        if self.class_names:
            return len(self.class_names)
        return int(max(self.train.labels.max(), self.test.labels.max())) + 1


def load_data(data_config: DataConfig) -> Dataset:
    """Read (and for offline datasets, generate once) a dataset and bin it into arrays in memory.

    - ``shd``, ``ssc``: the published files must be in the data folder (``python -m snnlib data download shd``);
      the data layer's error says how otherwise.
    - ``fsdd``: ``{data folder}/fsdd-700/fsdd_train.h5`` and ``fsdd_test.h5`` (FSDD's official split encoded at
      700 channels by ``python -m snnlib data make fsdd``); ``generator`` may ask for class-stratified subsets.
    - ``shd-like``, ``delay-task``, ``randman``: if the data folder holds ``{prefix}_train.h5`` (e.g. made with
      ``python -m snnlib data make``) it is used as it is; otherwise the dataset is generated once with
      ``data_seed`` and ``generator`` into ``{data folder}/generated/{prefix}-{hash of the arguments}`` and read
      from there afterwards.
    - a path ``X_train.h5``: uses ``X_test.h5`` (and ``X_valid.h5``) beside it; any other single ``.h5`` file is
      split into train and test (80/20, class-stratified, seeded by ``data_seed``).

    Validation: a dataset's own validation file if it has one; otherwise ``valid_fraction`` of the training file,
    held out class-stratified (``valid_by="random"``) or as whole speakers (``"speaker"``: round(fraction × speakers),
    at least one); ``valid_fraction=0`` trains on the whole training file without validation.
    """
    from snnlib import data as data_layer

    c = data_config
    dt = float(c.dt)
    info: dict = {"data_config": c.to_dict()}
    if c.dataset in PUBLISHED_DATASETS + OFFLINE_DATASETS + tuple(ENCODED_DATASETS):
        folder = data_layer.resolve_data_dir(c.data_dir)
        if c.dataset in OFFLINE_DATASETS:
            folder = _ensure_offline(c, folder)
        elif c.dataset in ENCODED_DATASETS:
            folder = _encoded_folder(c.dataset, folder)
        info["folder"] = str(folder)
        splits = data_layer.load_splits(c.dataset, folder, valid="auto", fraction=0.1, seed=c.data_seed)
        if isinstance(splits.valid, data_layer.SpikeDataset):  # the dataset has its own validation file
            parts = {"train": splits.train, "valid": splits.valid, "test": splits.test}
        else:  # hold out from the whole training file below, as valid_by and valid_fraction say
            parts = {"train": splits.train.dataset, "valid": None, "test": splits.test}
        if c.dataset in ENCODED_DATASETS and "test_speaker" in c.generator:
            parts = _leave_speaker_out(data_layer, parts, c.generator["test_speaker"])
        if c.dataset in ENCODED_DATASETS and c.generator:
            parts = {name: part if part is None else _subset(data_layer, part, c.generator.get(f"n_{name}"),
                                                                 [c.data_seed, 2])
                     for name, part in parts.items()}
    else:
        path = Path(c.dataset)
        stem = path.name
        if stem.endswith("_train.h5"):
            siblings = {part: path.with_name(stem[: -len("_train.h5")] + f"_{part}.h5") for part in ("valid", "test")}
            if not siblings["test"].exists():
                raise ValueError(f"{path} has no test file beside it (expected {siblings['test'].name})")
            parts = {"train": data_layer.open_dataset(path), "test": data_layer.open_dataset(siblings["test"]),
                     "valid": data_layer.open_dataset(siblings["valid"]) if siblings["valid"].exists() else None}
        else:
            whole = data_layer.open_dataset(path)
            if len(whole) == 0:
                whole.close()
                raise ValueError(f"{path} holds no samples; nothing to train on")
            rest, test_idx = data_layer.split_by_fraction(whole.labels, 0.2, seed=[c.data_seed, 1])
            parts = {"train": data_layer.Subset(whole, rest), "valid": None,
                     "test": data_layer.Subset(whole, test_idx)}
            if len(test_idx) == 0:
                whole.close()
                raise ValueError(f"{path} holds {len(whole)} samples: too few to hold out a test set (20 % of each "
                                 "class rounds to none); use a file with at least 3 samples per class, or "
                                 "separate X_train.h5 and X_test.h5 files")
    try:
        if parts["valid"] is None and c.valid_fraction > 0:
            parts["train"], parts["valid"] = _hold_out(data_layer, parts["train"], c)
        _check_parts(parts, c)
        train_part = parts["train"]
        n_channels = train_part.n_channels
        class_names = list(train_part.class_names)
        max_time = c.max_time
        if max_time is None:
            max_time = 1.0 if c.dataset in PUBLISHED_DATASETS else _window(parts, dt)
        _check_binning_memory(parts, n_channels, dt, max_time, c.pool)
        arrays = {name: _bin_all(part, n_channels, dt, max_time, c.pool, c.binary)
                  for name, part in parts.items() if part is not None and len(part) > 0}
        info.update({"n_channels": n_channels, "max_time": max_time, "pool": c.pool,
                     "sizes": {name: len(a) for name, a in arrays.items()}})
        attrs = getattr(getattr(train_part, "dataset", train_part), "attrs", {}) or {}
        info["file_attrs"] = {k: _jsonable(v) for k, v in attrs.items()}
    finally:
        for part in parts.values():
            if part is not None:
                part.close()
    return Dataset(train=arrays["train"], test=arrays["test"], valid=arrays.get("valid"),
                   class_names=class_names, dt=dt, info=info)


def _check_parts(parts: dict, c: DataConfig) -> None:
    """Refuse, before any binning, partitions that cannot make a run: an empty training or test set, or a
    validation / test file whose classes or channels the training file does not have. Messages name the file."""
    train_part, test_part = parts["train"], parts["test"]
    where = {name: getattr(part, "path", "?") for name, part in parts.items() if part is not None}
    if len(train_part) == 0:
        hint = (f" after holding out valid_fraction={c.valid_fraction} for validation; lower --valid-fraction"
                if parts["valid"] is not None and len(parts["valid"]) else "; use a file with training samples")
        raise ValueError(f"no training samples are left in {where['train']}{hint}")
    if len(test_part) == 0:
        raise ValueError(f"the test file {where['test']} holds no samples; a run needs a test set to report its "
                         "accuracy: use a test file with samples")
    n_classes = len(train_part.class_names) or int(train_part.labels.max()) + 1
    for name in ("valid", "test"):
        part = parts[name]
        if part is None or len(part) == 0:
            continue
        if part.n_channels != train_part.n_channels:
            raise ValueError(f"the {name} file {where[name]} declares {part.n_channels} channels but the training "
                             f"file {where['train']} has {train_part.n_channels}; use files of the same dataset")
        top = int(part.labels.max())
        names = list(part.class_names)
        if top >= n_classes or (train_part.class_names and names[:n_classes] != list(train_part.class_names)):
            raise ValueError(f"the {name} file {where[name]} has classes the training file {where['train']} does "
                             f"not ({len(names)} classes, labels up to {top}, vs {n_classes} in training); use "
                             "files with the same classes")


def _hold_out(data_layer, part, c: DataConfig):
    """Split a training part into (train, valid) views by ``valid_by`` and ``valid_fraction``."""
    base = getattr(part, "dataset", part)
    positions = getattr(part, "indices", np.arange(len(part)))
    if c.valid_by == "speaker":
        speakers = part.speakers
        n_speakers = len(np.unique(speakers))
        if n_speakers < 2:
            raise ValueError(f"--valid-by speaker needs at least two speakers in the training data, found "
                             f"{n_speakers}; use --valid-by random")
        keep, held = data_layer.split_by_speaker(speakers, n_valid=speaker_share(n_speakers, c.valid_fraction),
                                                 seed=c.data_seed)
    else:
        keep, held = data_layer.split_by_fraction(part.labels, c.valid_fraction, seed=c.data_seed)
    return data_layer.Subset(base, positions[keep]), data_layer.Subset(base, positions[held])


def _encoded_folder(name: str, data_dir: Path) -> Path:
    """The folder of an encoded dataset, or an error saying how to make it."""
    folder = data_dir / ENCODED_DATASETS[name]
    missing = [f for f in (f"{name}_train.h5", f"{name}_test.h5") if not (folder / f).exists()]
    if missing:
        raise ValueError(f"{name}: {', '.join(missing)} not found in {folder}. Encode the recordings once with "
                         f"`python -m snnlib data make {name}` (700 channels, about 9 minutes on 2 cores; it "
                         f"writes to that folder), or train on an offline dataset such as shd-like")
    return folder


def _leave_speaker_out(data_layer, parts, speaker) -> dict:
    """Both files joined, regrouped: one speaker's recordings the test part, everyone else's the training part."""
    whole = data_layer.Joined([parts["train"], parts["test"]])
    names = [str(n) for n in (whole.speaker_names or [])]
    ids = np.unique(whole.speakers)
    if isinstance(speaker, str) and speaker in names:
        speaker = names.index(speaker)
    if isinstance(speaker, bool) or not isinstance(speaker, (int, np.integer)) or speaker not in ids:
        whole.close()
        raise ValueError(f"test_speaker {speaker!r} is not a speaker of this data; choose one of "
                         f"{names or ids.tolist()}" + (f" (or an id {ids.min()}..{ids.max()})" if names else ""))
    train, _, test = data_layer.leave_speaker_out(whole.labels, whole.speakers, speaker, valid_fraction=0)
    return {"train": data_layer.Subset(whole, train), "valid": None, "test": data_layer.Subset(whole, test)}


def _subset(data_layer, part, size, seed):
    """A class-stratified subset of about ``size`` samples of ``part`` (all of it when ``size`` is None or larger)."""
    if size is None or size >= len(part):
        return part
    base = getattr(part, "dataset", part)
    positions = getattr(part, "indices", np.arange(len(part)))
    _, chosen = data_layer.split_by_fraction(part.labels, size / len(part), seed=seed)
    return data_layer.Subset(base, positions[chosen])


def _ensure_offline(c: DataConfig, folder: Path) -> Path:
    """The folder holding an offline dataset, generating it first if needed (see :func:`load_data`)."""
    import hashlib
    import inspect
    import os
    import shutil
    import tempfile

    from snnlib import data as data_layer

    prefix = c.dataset.replace("-", "_")
    if (folder / f"{prefix}_train.h5").exists() and not c.generator and c.data_seed == 0:
        return folder  # made by the user with `python -m snnlib data make`
    arguments = {"seed": c.data_seed, **c.generator}
    maker = data_layer.MAKERS[c.dataset]
    # the key covers the arguments and the generator's code, so a changed generator never serves stale files
    code = Path(inspect.getsourcefile(maker)).read_bytes()
    key = hashlib.sha256(json.dumps([c.dataset, arguments], sort_keys=True).encode() + code).hexdigest()[:12]
    target = folder / "generated" / f"{prefix}-{key}"
    if (target / f"{prefix}_train.h5").exists() and (target / f"{prefix}_test.h5").exists():
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".{prefix}-", dir=target.parent))
    except OSError as exc:
        raise OutputError(f"cannot create the data folder {target.parent}: {exc.strerror or exc}; "
                          "choose another with --data-dir or SNNLIB_DATA") from None
    try:
        try:
            maker(scratch, **arguments)
        except TypeError as exc:
            raise ValueError(f"bad generator argument for {c.dataset}: {exc}") from None
        (scratch / "arguments.json").write_text(json.dumps({"dataset": c.dataset, **arguments}, indent=1))
        try:
            os.replace(scratch, target)  # atomic; fails if another process finished first
        except OSError:
            if not (target / f"{prefix}_test.h5").exists():
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


#: A window inferred from the data is refused when the longest sample lasts more than this many times the median
#: sample (see :func:`_window` and docs/training.md).
OUTLIER_FACTOR = 10.0


def _window(parts: dict, dt: float) -> float:
    """The window ``max_time`` inferred from the data: the longest sample (its last spike), in whole steps.

    One stray spike must not decide it (a spike at 60000 s would make every sample 6 million steps long): when the
    longest sample lasts more than :data:`OUTLIER_FACTOR` times the median sample, the window is refused with the
    sample named and a suggested ``--max-time`` (the longest sample within that factor), rather than truncating
    silently.
    """
    durations, where = [], []
    for name, part in parts.items():
        if part is None:
            continue
        for i in range(len(part)):
            times = part[i][0]
            durations.append(float(times.max()) if len(times) else 0.0)
            where.append((name, i))
    durations = np.asarray(durations)
    if durations.size == 0:
        return dt
    longest = int(np.argmax(durations))
    last, median = float(durations[longest]), float(np.median(durations))
    if last > OUTLIER_FACTOR * max(median, dt):
        name, i = where[longest]
        part = parts[name]
        inliers = durations[durations <= OUTLIER_FACTOR * max(median, dt)]
        suggestion = (int(math.floor(float(inliers.max()) / dt)) + 1) * dt
        raise ValueError(f"sample {i} of the {name} part ({getattr(part, 'path', '?')}) lasts {last:g} s, more than "
                         f"{OUTLIER_FACTOR:g}× the median sample ({median:g} s); the window defaults to the longest "
                         f"sample, so set it yourself: e.g. --max-time {suggestion:g} (the longest of the other "
                         "samples; later spikes are dropped)")
    return (int(math.floor(last / dt)) + 1) * dt


# ----------------------------------------------------------------------------- memory
#: Environment variable that caps the memory a run may plan to use (bytes, or with a suffix K, M, G, T); without it
#: the cap is the memory the system reports available (MemAvailable, or a container's limit if lower).
def gib(n_bytes: float) -> str:
    return f"{n_bytes / 2**30:.3g} GiB" if n_bytes >= 2**27 else f"{n_bytes / 2**20:.3g} MiB"


def refuse_if_too_big(parts: dict, what: str) -> None:
    """``parts``: name -> (bytes, advice). Refuse when their sum exceeds :func:`snnlib._io.available_memory`."""
    total = sum(size for size, _ in parts.values())
    limit = _io.available_memory()
    if limit is None or total <= limit:
        return
    name, (size, advice) = max(parts.items(), key=lambda item: item[1][0])
    source = f"${_io.MEMORY_LIMIT_ENV}" if os.environ.get(_io.MEMORY_LIMIT_ENV) else "available"
    raise ValueError(f"{what} needs about {gib(total)}, more than the {gib(limit)} {source} (the largest part: "
                     f"{name}, {gib(size)}); {advice}")


def _check_binning_memory(parts: dict, n_channels: int, dt: float, max_time: float, pool: int) -> None:
    """Refuse to bin data whose arrays (n, T, M) would not fit in memory, before allocating them."""
    T = max(1, int(round(max_time / dt)))
    M = max(1, n_channels // pool)
    n = sum(len(part) for part in parts.values() if part is not None)
    chunk = min(256, n)
    # the pieces as uint16, their concatenation and the final uint8 copy; one chunk binned as float32
    refuse_if_too_big({
        f"the binned data ({n} samples × {T:,} steps × {M} channels)": (
            5 * n * T * M + 4 * chunk * T * M, "raise --dt, lower --max-time or pool channels with --pool"),
    }, f"binning at dt={dt:g} s over max_time={max_time:g} s")


def _bin_all(part, n_channels: int, dt: float, max_time: float, pool: int, binary: bool,
             chunk: int = 256) -> SpikeArrays:
    """Every sample of a part as compact counts (uint8 when they fit, else uint16 or float32)."""
    from snnlib.data import bin_batch

    n = len(part)
    xs, labels = [], np.empty(n, np.int64)
    for start in range(0, n, chunk):
        samples = [part[i] for i in range(start, min(n, start + chunk))]
        labels[start:start + len(samples)] = [s[2] for s in samples]
        x = bin_batch(samples, n_channels, dt, max_time, pool, binary=binary, dtype=np.float32)
        xs.append(x.astype(np.uint16) if x.max(initial=0) <= 65535 else x)
    x = np.concatenate(xs) if xs else np.zeros((0, 1, n_channels // pool), np.uint8)
    if x.dtype == np.uint16 and x.max(initial=0) <= 255:
        x = x.astype(np.uint8)
    speakers = getattr(part, "speakers", None)
    return SpikeArrays(x, labels, None if speakers is None else np.asarray(speakers))


def _jsonable(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.generic,)):
        return value.item()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value
