"""Speed of the sound → spikes encoder on the Free Spoken Digit Dataset (prints figures; not a test).

    python benchmarks/bench_audio.py                       # 120 clips, 700 and 140 channels, 2 workers
    python benchmarks/bench_audio.py --clips 3000          # the whole dataset (a real, not projected, figure)
    python benchmarks/bench_audio.py --channels 700 --workers 1 2

For each channel count and worker count it encodes an evenly spread sample of FSDD (every k-th file, all speakers
and digits), and prints recordings per second, seconds of audio per second, and the time the full 3000-file
dataset would take, scaled by audio duration. CPU seconds (this process and its workers) are printed beside the
wall-clock time: on a machine shared with other jobs the wall-clock time grows, the CPU time much less.
"""
from __future__ import annotations

import argparse
import os
import resource
import time
import wave
from dataclasses import replace
from pathlib import Path

from snnlib.audio import EncoderParams, encode_recordings, file_seed, read_wav
from snnlib.audio.fsdd import fsdd_recordings


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def duration(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--channels", type=int, nargs="+", default=[700, 140])
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--clips", type=int, default=120, help="recordings to encode (3000 = all of FSDD)")
    parser.add_argument("--source", type=Path, default=None, help="FSDD folder (default: ../shared/data/fsdd)")
    args = parser.parse_args()

    everything = fsdd_recordings(args.source)
    step = max(1, len(everything) // args.clips)
    chosen = everything[::step][: args.clips]
    total_audio = sum(duration(r.path) for r in everything)
    recordings = [read_wav(r.path) for r in chosen]
    seeds = [file_seed(0, r.path.name) for r in chosen]
    audio = sum(len(x) / rate for x, rate in recordings)
    print(f"FSDD: {len(everything)} recordings, {total_audio:.0f} s of audio; sample: {len(chosen)} recordings, "
          f"{audio:.1f} s; CPUs usable: {len(os.sched_getaffinity(0))}; load average before: "
          f"{', '.join(f'{v:.1f}' for v in os.getloadavg())}")
    for channels in args.channels:
        params = replace(EncoderParams(), n_channels=channels)
        for workers in args.workers:
            cpu0, wall0 = cpu_seconds(), time.perf_counter()
            spikes = encode_recordings(recordings, seeds, params, workers=workers, progress=False)
            wall, cpu = time.perf_counter() - wall0, cpu_seconds() - cpu0
            full = wall * total_audio / audio
            n_spikes = sum(len(t) for t, _ in spikes)
            print(f"{channels:4d} channels, {workers} worker(s): {len(chosen) / wall:6.2f} recordings/s, "
                  f"{audio / wall:5.2f} s of audio per s, wall {wall:6.1f} s, CPU {cpu:6.1f} s "
                  f"({cpu / len(chosen):.3f} s per recording); full FSDD projected {full / 60:5.1f} min "
                  f"(from CPU time / {workers}: {cpu * total_audio / audio / workers / 60:5.1f} min); "
                  f"{n_spikes / len(chosen):.0f} spikes per recording; load average "
                  f"{os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
