"""Binning: hand-counted arrays, edge bins, float16 times, pooling, padding, events and batches."""
import numpy as np
import pytest

from snnlib.data import (
    batch_events,
    batch_order,
    bin_batch,
    bin_sample,
    iterate_batches,
    n_steps,
    open_dataset,
    sample_events,
    write_dataset,
)

TIMES = np.array([0.0, 0.005, 0.0099, 0.01, 0.025, 0.999, 1.0, 1.2])
UNITS = np.array([0, 1, 0, 3, 3, 2, 1, 0])


def hand_counted():
    x = np.zeros((100, 4))
    x[0, 0] = 2  # t = 0 and 0.0099: bin 0 is used
    x[0, 1] = 1  # t = 0.005
    x[1, 3] = 1  # t = 0.01 is the first instant of bin 1
    x[2, 3] = 1  # t = 0.025
    x[99, 2] = 1  # t = 0.999, last bin
    return x  # t = 1.0 (= max_time) and 1.2 are dropped


def test_hand_counted_sample():
    x, dropped = bin_sample(TIMES, UNITS, 4, dt=0.01, max_time=1.0, return_dropped=True)
    np.testing.assert_array_equal(x, hand_counted())
    assert x.dtype == np.float32 and dropped == 2
    plain = bin_sample(TIMES, UNITS, 4, dt=0.01, max_time=1.0)
    assert isinstance(plain, np.ndarray)  # the plain call returns just the array


def test_order_of_spikes_does_not_matter():
    order = np.random.default_rng(0).permutation(len(TIMES))
    np.testing.assert_array_equal(bin_sample(TIMES[order], UNITS[order], 4, 0.01, 1.0), hand_counted())


def test_binning_rule_matches_an_independent_loop():
    rng = np.random.default_rng(1)
    times, units = rng.uniform(0, 0.6, 2000), rng.integers(0, 12, 2000)
    expected = np.zeros((50, 12))
    for t, u in zip(times, units):
        if t < 0.5:
            expected[int(np.floor(np.float64(t) / 0.01)), u] += 1
    np.testing.assert_array_equal(bin_sample(times, units, 12, 0.01, 0.5), expected)


def test_first_bin_is_used_unlike_digitize_over_linspace():
    x = bin_sample(np.array([0.0, 0.004]), np.array([0, 0]), 1, dt=0.01, max_time=0.1)
    assert x[0, 0] == 2
    # The common recipe puts these spikes in "bin 1" (np.digitize returns 1 for t in [0, dt)).
    assert np.digitize([0.0, 0.004], np.linspace(0, 0.1, 10)).tolist() == [1, 1]


def test_edges_at_max_time_and_just_below():
    below = np.nextafter(1.0, 0.0)
    x, dropped = bin_sample(np.array([below, 1.0]), np.array([0, 0]), 1, 0.01, 1.0, return_dropped=True)
    assert x[99, 0] == 1 and x.sum() == 1 and dropped == 1


def test_float16_times_are_binned_as_stored(tmp_path):
    # 0.98 s has no float16 representation: it is stored as 0.97998046875 s and therefore lands in step 97.
    assert float(np.float16(0.98)) == 0.97998046875
    path = write_dataset(tmp_path / "f.h5", [(np.array([0.98, 0.99951171875]), np.array([0, 1]))], [0], ["a"], [0],
                         n_channels=2)
    with open_dataset(path) as ds:
        times, units, _ = ds[0]
    assert times[0] == 0.97998046875
    x = bin_sample(times, units, 2, dt=0.01, max_time=1.0)
    assert x[97, 0] == 1 and x[98, 0] == 0
    assert x[99, 1] == 1  # the largest float16 below 1 s is in the last step


def test_max_time_close_to_a_multiple_is_accepted():
    assert n_steps(0.01, 0.7) == 70  # 0.7 / 0.01 = 69.999... in floating point
    assert bin_sample(np.array([0.695]), np.array([0]), 1, 0.01, 0.7).shape == (70, 1)


def test_pooling_sums_groups_of_channels():
    x = bin_sample(TIMES, UNITS, 4, 0.01, 1.0, pool=2)
    assert x.shape == (100, 2)
    np.testing.assert_array_equal(x, hand_counted().reshape(100, 2, 2).sum(axis=2))
    x = bin_sample(np.array([0.1] * 7), np.arange(0, 700, 100), 700, 0.01, 1.0, pool=5)
    assert x.shape == (100, 140) and x[10].sum() == 7 and x[10, 20] == 1  # unit 100 -> pooled channel 20


def test_binary_clips_counts():
    x = bin_sample(TIMES, UNITS, 4, 0.01, 1.0, binary=True)
    np.testing.assert_array_equal(x, np.minimum(hand_counted(), 1))


def test_empty_sample_bins_to_zeros():
    x = bin_sample(np.array([]), np.array([], dtype=int), 700, 0.01, 1.0, pool=5)
    assert x.shape == (100, 140) and not x.any()


def test_batch_pads_to_longest_sample_or_fixed_window():
    samples = [(np.array([0.0, 0.031]), np.array([0, 1])), (np.array([0.012]), np.array([2])),
               (np.array([]), np.array([], dtype=int))]
    x = bin_batch(samples, 3, 0.01)
    assert x.shape == (3, 4, 3) and x.dtype == np.float32  # last spike at 0.031 s -> step 3 -> T = 4
    assert x[0, 3, 1] == 1 and x[1, 1, 2] == 1 and not x[1, 2:].any() and not x[2].any()
    fixed, dropped = bin_batch(samples, 3, 0.01, max_time=0.02, return_dropped=True)
    assert fixed.shape == (3, 2, 3) and dropped.tolist() == [1, 0, 0]
    for b, (t, u) in enumerate(samples):
        np.testing.assert_array_equal(fixed[b], bin_sample(t, u, 3, 0.01, 0.02))


def test_events_rebuild_the_dense_array():
    steps, channels = sample_events(TIMES, UNITS, 4, 0.01, 1.0, pool=2)
    assert np.all(np.diff(steps) >= 0)
    x = np.zeros((100, 2))
    np.add.at(x, (steps, channels), 1)
    np.testing.assert_array_equal(x, bin_sample(TIMES, UNITS, 4, 0.01, 1.0, pool=2))

    rng = np.random.default_rng(2)
    samples = [(np.sort(rng.uniform(0, 0.3, n)), rng.integers(0, 6, n)) for n in (5, 0, 40)]
    batch, steps, channels = batch_events(samples, 6, 0.01, 0.2)
    dense = np.zeros((3, 20, 6))
    np.add.at(dense, (batch, steps, channels), 1)
    np.testing.assert_array_equal(dense, bin_batch(samples, 6, 0.01, 0.2))


def test_batch_order_is_deterministic_and_complete():
    a = batch_order(10, 4, shuffle=True, seed=3)
    b = batch_order(10, 4, shuffle=True, seed=3)
    c = batch_order(10, 4, shuffle=True, seed=(3, 1))
    assert [x.tolist() for x in a] == [x.tolist() for x in b]
    assert [x.tolist() for x in a] != [x.tolist() for x in c]
    assert sorted(np.concatenate(a).tolist()) == list(range(10)) and [len(x) for x in a] == [4, 4, 2]
    assert [len(x) for x in batch_order(10, 4, drop_last=True)] == [4, 4]
    assert np.concatenate(batch_order(10, 4)).tolist() == list(range(10))


def test_iterate_batches_yields_binned_float32_and_int64_labels(tmp_path):
    rng = np.random.default_rng(4)
    samples = [(np.sort(rng.uniform(0, 0.12, 6)), rng.integers(0, 10, 6)) for _ in range(7)]
    labels = [0, 1, 2, 0, 1, 2, 0]
    path = write_dataset(tmp_path / "b.h5", samples, labels, ["a", "b", "c"], [0] * 7, n_channels=10)
    with open_dataset(path) as ds:
        batches = iterate_batches(ds, 3, dt=0.01, max_time=0.1, pool=2, shuffle=True, seed=0)
        assert len(batches) == 3
        seen = []
        for x, y in batches:
            assert x.dtype == np.float32 and x.shape[1:] == (10, 5) and y.dtype == np.int64
            for row, i in zip(x, batches.batches[len(seen)]):
                t, u, label = ds[int(i)]
                np.testing.assert_array_equal(row, bin_sample(t, u, 10, 0.01, 0.1, pool=2))
                assert label == labels[i]
            seen.append(y)
        assert sorted(np.concatenate(seen).tolist()) == sorted(labels)
        first = [y.tolist() for _, y in batches]
        assert first == [y.tolist() for y in seen]  # iterating again gives the same order
        assert batches.dropped == sum(int((s[0] >= 0.1).sum()) for s in samples)


def test_iterate_batches_refuses_bad_arguments_before_reading(tmp_path):
    path = write_dataset(tmp_path / "b.h5", [(np.array([0.1]), np.array([1]))], [0], ["a"], [0], n_channels=10)
    with open_dataset(path) as ds:
        with pytest.raises(ValueError, match="pool = 3"):
            iterate_batches(ds, 2, dt=0.01, max_time=1.0, pool=3)
        with pytest.raises(ValueError, match="batch_size"):
            iterate_batches(ds, 0, dt=0.01, max_time=1.0)
