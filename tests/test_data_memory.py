"""A lazy pass over a large file keeps memory flat (tracemalloc sees NumPy's allocations)."""
import tracemalloc

import numpy as np

from snnlib.data import bin_sample, open_dataset, write_dataset

N_SAMPLES, SPIKES = 400, 5000  # 2 M spikes: 8 MB of spike data in the file


def large_file(path):
    rng = np.random.default_rng(0)
    samples = ((np.sort(rng.uniform(0, 0.99, SPIKES)), rng.integers(0, 700, SPIKES)) for _ in range(N_SAMPLES))
    return write_dataset(path, samples, np.zeros(N_SAMPLES, int), ["a"], np.zeros(N_SAMPLES, int))


def peak_bytes(work):
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_lazy_pass_memory_stays_flat(tmp_path):
    path = large_file(tmp_path / "large.h5")
    file_bytes = path.stat().st_size
    assert file_bytes > 8e6

    def lazy_pass():
        with open_dataset(path) as ds:
            total = 0
            for times, units, _ in ds:
                total += int(bin_sample(times, units, 700, 0.01, 1.0, pool=5).sum())
            assert total == N_SAMPLES * SPIKES

    def keep_everything():  # the contrast: what loading the file into memory costs
        with open_dataset(path) as ds:
            kept = [ds[i] for i in range(len(ds))]
            assert len(kept) == N_SAMPLES

    lazy = peak_bytes(lazy_pass)
    loaded = peak_bytes(keep_everything)
    print(f"file {file_bytes / 1e6:.1f} MB: lazy pass peak {lazy / 1e6:.2f} MB, kept in a list {loaded / 1e6:.1f} MB")
    assert lazy < 4e6  # a few samples' worth (one sample: 5000 spikes, < 0.5 MB in float64 + int64)
    assert loaded > 10 * lazy
