"""Encode WAV recordings into one spike file in the SHD schema, in parallel, with a progress bar.

Every recording is read and checked first, in the calling process; a bad one (missing, empty, not a WAV, stereo,
NaN, unsupported sample width) stops the run with an :class:`~snnlib.audio.wav.AudioError` naming the file
*before* any encoding, and no output file is created (``on_error="skip"`` instead leaves such files out and
lists them in the returned report). The output is written through :func:`snnlib.data.write_dataset`, which
writes to a temporary file and renames it when complete, so an error or an interruption during encoding or
writing never leaves a half-written file behind.

Seeds: recording ``name`` is encoded with :func:`file_seed` ``(seed, name)``, so its spikes do not depend on the
other files of the run, on their order or on the number of workers.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import signal
import sys
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from snnlib._io import check_output_file
from snnlib._workers import end_with_parent
from snnlib.audio.encoder import EncoderParams, _encode_steps, check_encodable
from snnlib.audio.wav import AudioError, read_wav

# Recordings per task sent to a worker: enough columns (recordings × channels) to share the per-step overhead.
_TASK_COLUMNS = 8400
_TASKS_PER_WORKER = 4


@dataclass
class EncodeReport:
    """What :func:`encode_wav_files` did.

    path: the file written. n_recordings: recordings encoded. n_spikes: output spikes in total.
    skipped: (file, reason) of every recording left out (only with ``on_error="skip"``).
    """

    path: Path
    n_recordings: int
    n_spikes: int
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def file_seed(seed: int, name: str) -> int:
    """The seed of recording ``name`` (its file name) in a run with ``seed``: a 64-bit hash of both."""
    digest = hashlib.blake2b(f"{int(seed)}:{name}".encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def default_workers() -> int:
    """Worker processes used when none is given: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def read_recordings(paths: Sequence[str | Path], on_error: str = "raise", params: EncoderParams | None = None
                    ) -> tuple[list[tuple[np.ndarray, int]], list[int], list[tuple[Path, str]]]:
    """Read and check every WAV. Returns (recordings, indices of the readable paths, skipped (path, reason)).

    ``on_error="raise"`` raises the first :class:`AudioError`; ``"skip"`` collects it in ``skipped``. A recording
    whose encoding would need more memory than the machine has available (with ``params``' settings, see
    :func:`~snnlib.audio.encoder.encoding_memory`) counts as unreadable.
    """
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
    recordings, kept, skipped = [], [], []
    for i, path in enumerate(paths):
        try:
            signal, rate = read_wav(path)
            check_encodable(len(signal), rate, params or EncoderParams(), str(path))
            recordings.append((signal, rate))
            kept.append(i)
        except AudioError as exc:
            if on_error == "raise":
                raise
            skipped.append((Path(path), str(exc)))
    return recordings, kept, skipped


def encode_recordings(recordings: Sequence[tuple[np.ndarray, float]], seeds: Sequence[int],
                      params: EncoderParams | None = None, *, workers: int | None = None,
                      progress: bool | None = None, desc: str = "encoding") -> list[tuple[np.ndarray, np.ndarray]]:
    """Encode ``(signal, rate)`` recordings with one seed each, across ``workers`` processes.

    Returns one ``(times, units)`` per recording, in order — identical to :func:`snnlib.audio.encode` on each.
    workers: processes (default: all usable CPUs; 1 runs in this process). progress: show a tqdm bar on stderr
    (default: only when stderr is a terminal).
    """
    params = params or EncoderParams()
    n = len(recordings)
    if len(seeds) != n:
        raise ValueError(f"encode_recordings got {n} recordings but {len(seeds)} seeds")
    workers = default_workers() if workers is None else int(workers)
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    # Longest first (the big tasks start early).
    order = sorted(range(n), key=lambda i: -len(recordings[i][0]) / recordings[i][1])
    tasks = _split_tasks(order, params.n_channels, workers)
    results: list = [None] * n
    show = sys.stderr.isatty() if progress is None else bool(progress)
    with tqdm(total=n, desc=desc, unit="rec", disable=not show, file=sys.stderr) as bar:
        if workers == 1 or len(tasks) <= 1:
            for task in tasks:
                _store(results, task, _encode_task([recordings[i] for i in task], [seeds[i] for i in task], params))
                bar.update(len(task))
        else:
            context = multiprocessing.get_context("spawn")  # safe with threads (tqdm's monitor) in the parent
            with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=context,
                                     initializer=_worker_start) as pool:
                pending = {pool.submit(_encode_task, [recordings[i] for i in task], [seeds[i] for i in task],
                                       params): task for task in tasks}
                try:
                    while pending:
                        done, _ = wait(pending, return_when=FIRST_COMPLETED)
                        for future in done:
                            task = pending.pop(future)
                            _store(results, task, future.result())
                            bar.update(len(task))
                except BaseException:
                    _stop_now(pool)  # Ctrl-C or an error: do not wait for the running tasks
                    raise
    return [(steps * params.dt, units) for steps, units in results]


def _split_tasks(order: list[int], n_channels: int, workers: int) -> list[list[int]]:
    """``order`` in consecutive tasks of at most _TASK_COLUMNS columns (recordings × channels) and, with several
    workers, at least _TASKS_PER_WORKER tasks per worker, so that every worker has work until near the end."""
    per_task = max(1, _TASK_COLUMNS // n_channels)
    if workers > 1:
        per_task = max(1, min(per_task, -(-len(order) // (_TASKS_PER_WORKER * workers))))
    return [order[i:i + per_task] for i in range(0, len(order), per_task)]


def _worker_start() -> None:
    """Worker initialiser. Ctrl-C at a terminal reaches the whole process group; the parent alone handles it (and
    stops the workers), so the workers ignore it and do not each print a traceback. And a worker ends when its
    parent does (:func:`snnlib._workers.end_with_parent`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    end_with_parent()


def _stop_now(pool: ProcessPoolExecutor) -> None:
    """Cancel the queued tasks and terminate the worker processes at once (a running task may take many seconds)."""
    # The executor has no public way to stop running tasks (before Python 3.14); its processes are in _processes,
    # which shutdown() clears: take them first.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        try:
            process.terminate()
        except (OSError, ValueError, AttributeError):
            pass
    for process in processes:
        try:
            process.join(timeout=5)
        except (OSError, ValueError, AttributeError, AssertionError):
            pass


def _encode_task(recordings, seeds, params):
    """Worker: encode a few recordings; return (steps int32, units uint16) per recording (compact to send back)."""
    return [(steps.astype(np.int32), units) for steps, units in _encode_steps(recordings, params, seeds)]


def _store(results: list, task: list[int], outputs: list) -> None:
    for i, out in zip(task, outputs):
        results[i] = out


def encode_wav_files(paths: Sequence[str | Path], out: str | Path, *, labels: Sequence[int],
                     class_names: Sequence[str], speakers: Sequence[int] | None = None,
                     params: EncoderParams | None = None, seed: int = 0, workers: int | None = None,
                     progress: bool | None = None, on_error: str = "raise", meta_info: dict | None = None,
                     attrs: dict | None = None) -> EncodeReport:
    """Encode WAV files into one SHD-schema file ``out``.

    paths: (N,) WAV files; labels: (N,) class index of each, into ``class_names``; speakers: (N,) integer speaker
    ids (default 0). params: encoder settings (``params.n_channels`` channels are written). seed: run seed (see
    :func:`file_seed`). workers, progress: as in :func:`encode_recordings`. on_error: ``"raise"`` (default: stop
    at the first unreadable file, write nothing) or ``"skip"`` (leave unreadable files out, list them in the
    report). meta_info, attrs: passed to :func:`snnlib.data.write_dataset`; the encoder parameters are added
    to the file attributes as ``encoder.*``.
    """
    from snnlib.data import write_dataset  # the data layer, imported only when writing

    params = params or EncoderParams()
    paths = [Path(p) for p in paths]
    labels = list(labels)
    speakers = [0] * len(paths) if speakers is None else list(speakers)
    if not (len(labels) == len(speakers) == len(paths)):
        raise ValueError(f"encode_wav_files: {len(paths)} paths, {len(labels)} labels and {len(speakers)} speakers; "
                         "give one label and one speaker per file")
    if not paths:
        raise ValueError(f"{out}: no recordings to encode")
    check_output_file(out, AudioError)  # before minutes of encoding: a folder, or a place that cannot be written
    recordings, kept, skipped = read_recordings(paths, on_error, params)
    if not kept:
        raise AudioError(f"{out}: none of the {len(paths)} recordings could be read "
                         f"(first problem: {skipped[0][1]})")
    seeds = [file_seed(seed, paths[i].name) for i in kept]
    spikes = encode_recordings(recordings, seeds, params, workers=workers, progress=progress,
                               desc=Path(out).name)
    file_attrs = {**params.as_attrs(), "encoder.seed": int(seed), **(attrs or {})}
    path = write_dataset(out, spikes, [labels[i] for i in kept], class_names, [speakers[i] for i in kept],
                         n_channels=params.n_channels, meta_info=meta_info, attrs=file_attrs)
    return EncodeReport(Path(path), len(kept), int(sum(len(t) for t, _ in spikes)), skipped)


def labels_from_names(names: Sequence[str], pattern: str | None
                      ) -> tuple[list[int], list[str], list[int], list[str]]:
    """Labels and speakers from file names with a regular expression.

    The class is the named group ``label`` if the pattern has one, else its first group, else the whole match;
    an optional named group ``speaker`` gives the speaker. Classes and speakers are numbered in sorted order
    (numerically when every name is an integer, so ``0``…``9`` keep their values). Without a pattern every file
    is class 0 (``"unlabelled"``), speaker 0.

    Returns (labels, class_names, speakers, speaker_names). Raises ValueError naming a file that does not match.
    """
    if pattern is None:
        return [0] * len(names), ["unlabelled"], [0] * len(names), ["unknown"]
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"--label-from-filename {pattern!r} is not a valid regular expression: {exc}") from None
    classes, voices = [], []
    for name in names:
        match = regex.search(name)
        if match is None:
            raise ValueError(f"{name}: does not match the label pattern {pattern!r}")
        groups = match.groupdict()
        if "label" in groups:
            label = groups["label"]
        elif regex.groups:
            label = match.group(1)
        else:
            label = match.group(0)
        if label is None:
            raise ValueError(f"{name}: the label group of {pattern!r} matched nothing")
        classes.append(label)
        voices.append(groups.get("speaker") or "unknown")
    class_names = _sorted_names(classes)
    speaker_names = _sorted_names(voices)
    class_id = {c: i for i, c in enumerate(class_names)}
    speaker_id = {s: i for i, s in enumerate(speaker_names)}
    return [class_id[c] for c in classes], class_names, [speaker_id[s] for s in voices], speaker_names


def _sorted_names(values: list[str]) -> list[str]:
    unique = set(values)
    if all(re.fullmatch(r"[+-]?\d+", v) for v in unique):
        return sorted(unique, key=int)
    return sorted(unique)


def wav_files(directory: str | Path) -> list[Path]:
    """The ``*.wav`` files (any case) directly inside ``directory``, sorted by name."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ValueError(f"{directory}: no such directory (give the folder holding the .wav files)")
    files = sorted(p for p in directory.iterdir() if p.is_file() and p.suffix.lower() == ".wav")
    if not files:
        raise ValueError(f"{directory}: holds no .wav files")
    return files


def encode_directory(wav_dir: str | Path, out: str | Path, *, label_pattern: str | None = None,
                     params: EncoderParams | None = None, seed: int = 0, workers: int | None = None,
                     progress: bool | None = None, on_error: str = "raise") -> EncodeReport:
    """Encode every ``*.wav`` in ``wav_dir`` into ``out`` (SHD schema); labels and speakers from the file names
    (see :func:`labels_from_names`). The speaker names are stored as ``extra/meta_info/speaker_name``.
    """
    files = wav_files(wav_dir)
    labels, class_names, speakers, speaker_names = labels_from_names([f.name for f in files], label_pattern)
    return encode_wav_files(files, out, labels=labels, class_names=class_names, speakers=speakers,
                            params=params, seed=seed, workers=workers, progress=progress, on_error=on_error,
                            meta_info={"speaker_name": np.array(speaker_names)},
                            attrs={"source": Path(wav_dir).resolve().name})
