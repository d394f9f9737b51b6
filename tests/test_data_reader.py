"""Write -> read round trips of the SHD schema, and the dataset object's contract."""
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor

import h5py
import numpy as np
import pytest

from snnlib.data import DataError, Subset, bin_sample, open_dataset, write_dataset

SAMPLES = [
    (np.array([0.0, 0.015, 0.015, 0.5]), np.array([3, 0, 9, 3])),
    (np.array([]), np.array([], dtype=int)),  # an empty sample is valid
    (np.array([0.25]), np.array([7])),
]
NAMES = ["null", "eins", "fünf"]


@pytest.fixture
def small_file(tmp_path):
    return write_dataset(tmp_path / "small.h5", SAMPLES, [2, 0, 1], NAMES, [4, 4, 11],
                         meta_info={"age": [30, 40]}, n_channels=10)


def test_round_trip_returns_what_was_written(small_file):
    with open_dataset(small_file) as ds:
        assert len(ds) == 3
        assert ds.class_names == NAMES
        assert ds.n_channels == 10
        assert ds.speakers.tolist() == [4, 4, 11]
        assert ds.labels.tolist() == [2, 0, 1]
        assert ds.meta_info["age"].tolist() == [30, 40]
        times, units, label = ds[0]
        # float16 storage: 0.015 comes back as the nearest float16, not exactly 0.015
        np.testing.assert_array_equal(times, np.float16([0.0, 0.015, 0.015, 0.5]).astype(np.float64))
        assert times.dtype == np.float64 and units.dtype == np.int64
        assert units.tolist() == [3, 0, 9, 3] and label == 2
        times, units, label = ds[1]
        assert times.shape == (0,) and units.shape == (0,) and label == 0


def test_file_layout_is_the_published_one(small_file):
    with h5py.File(small_file, "r") as f:
        assert h5py.check_vlen_dtype(f["spikes/times"].dtype) == np.float16
        assert h5py.check_vlen_dtype(f["spikes/units"].dtype) == np.uint16
        assert f["labels"].dtype == np.uint8
        assert f["extra/keys"][2] == "fünf".encode()
        assert f["extra/speaker"].shape == (3,)
        assert f.attrs["n_channels"] == 10


def test_write_read_bin_gives_hand_counted_array(small_file):
    with open_dataset(small_file) as ds:
        times, units, _ = ds[0]
        x = bin_sample(times, units, ds.n_channels, dt=0.01, max_time=0.5)
    expected = np.zeros((50, 10))
    expected[0, 3] = 1  # t = 0
    expected[1, 0] = expected[1, 9] = 1  # t = 0.015 (float16 0.01499...) -> step 1
    # t = 0.5 is at max_time: dropped
    np.testing.assert_array_equal(x, expected)


def test_files_without_n_channels_default_to_700(tmp_path):
    path = write_dataset(tmp_path / "a.h5", SAMPLES, [0, 0, 0], ["x"], [0, 0, 0])
    with h5py.File(path, "a") as f:
        del f.attrs["n_channels"]
    with open_dataset(path) as ds:
        assert ds.n_channels == 700


def test_negative_and_out_of_range_indices_raise_index_error(small_file):
    with open_dataset(small_file) as ds:
        with pytest.raises(IndexError, match="negative"):
            ds[-1]
        with pytest.raises(IndexError, match="out of range"):
            ds[3]
        with pytest.raises(TypeError, match="integer"):
            ds[0.5]
        assert ds[np.int64(2)][2] == 1  # NumPy integers are fine


def test_iteration_and_closing(small_file):
    ds = open_dataset(small_file)
    assert [label for _, _, label in ds] == [2, 0, 1]
    ds.close()
    ds.close()  # twice is harmless
    with pytest.raises(DataError, match="closed"):
        ds[0]


def test_pickled_copy_reads_in_another_process(small_file):
    with open_dataset(small_file) as ds:
        copy = pickle.loads(pickle.dumps(ds))
        assert copy[2][1].tolist() == [7]
        with ProcessPoolExecutor(max_workers=1) as pool:
            labels = list(pool.map(_label_of, [ds] * 3, range(3)))
    assert labels == [2, 0, 1]


def _label_of(ds, i):
    return ds[i][2]


_INHERITED = None


def _read_inherited(queue):
    queue.put(_INHERITED[2][1].tolist())


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
def test_forked_child_opens_its_own_handle(small_file):
    global _INHERITED
    context = multiprocessing.get_context("fork")
    with open_dataset(small_file) as ds:
        ds[0]  # the parent's handle is open when the child is forked
        _INHERITED = ds
        queue = context.Queue()
        child = context.Process(target=_read_inherited, args=(queue,))
        child.start()
        child.join(30)
        assert queue.get(timeout=5) == [7] and child.exitcode == 0
        assert ds[2][1].tolist() == [7]  # the parent's handle still works
    _INHERITED = None


def test_subset_maps_positions_to_samples(small_file):
    with open_dataset(small_file) as ds:
        sub = Subset(ds, [2, 0])
        assert len(sub) == 2
        assert sub[0][1].tolist() == [7]
        assert sub.labels.tolist() == [1, 2]
        assert sub.speakers.tolist() == [11, 4]
        assert sub.class_names == NAMES and sub.n_channels == 10
        with pytest.raises(IndexError):
            sub[2]
        with pytest.raises(DataError):
            Subset(ds, [3])


def test_generator_input_and_large_class_count(tmp_path):
    samples = ((np.array([0.1 * i]), np.array([i])) for i in range(300))
    path = write_dataset(tmp_path / "g.h5", samples, np.arange(300), [f"c{i}" for i in range(300)], np.zeros(300, int),
                         n_channels=300)
    with open_dataset(path) as ds:
        assert ds[299][1].tolist() == [299] and ds[299][2] == 299
        assert ds.n_classes == 300


def test_equal_length_samples_are_written_as_ragged_arrays(tmp_path):
    samples = [(np.array([0.1, 0.2]), np.array([1, 2]))] * 600  # more than one write block
    path = write_dataset(tmp_path / "eq.h5", samples, [0] * 600, ["a"], [0] * 600)
    with open_dataset(path) as ds:
        assert ds[599][1].tolist() == [1, 2]


def test_string_speaker_ids_become_integers(tmp_path):
    path = write_dataset(tmp_path / "s.h5", SAMPLES, [0, 0, 0], ["a"], [0, 0, 0])
    with h5py.File(path, "a") as f:
        del f["extra/speaker"]
        f["extra/speaker"] = np.array([b"bob", b"amy", b"bob"])
    with open_dataset(path) as ds:
        assert ds.speakers.tolist() == [1, 0, 1]
        assert ds.speaker_names == ["amy", "bob"]


def test_every_access_order_returns_the_right_sample(tmp_path):
    rng = np.random.default_rng(0)
    samples = [(np.sort(rng.uniform(0, 1, n)), rng.integers(0, 700, n)) for n in rng.integers(0, 50, 100)]
    path = write_dataset(tmp_path / "o.h5", samples, np.arange(100) % 5, list("abcde"), np.zeros(100, int))
    orders = [range(100), range(99, -1, -1), rng.permutation(100), list(range(0, 100, 3)) + list(range(1, 100, 3)),
              [5, 6, 7, 40, 41, 6, 99, 0, 1, 2]]
    with open_dataset(path) as ds:
        for order in orders:
            for i in order:
                times, units, label = ds[int(i)]
                assert units.tolist() == samples[i][1].tolist() and label == i % 5
                np.testing.assert_array_equal(times, np.float16(samples[i][0]).astype(np.float64))


def test_take_equals_indexing_one_by_one(tmp_path):
    rng = np.random.default_rng(1)
    samples = [(np.sort(rng.uniform(0, 1, n)), rng.integers(0, 700, n)) for n in rng.integers(0, 30, 40)]
    path = write_dataset(tmp_path / "t.h5", samples, np.arange(40) % 3, list("abc"), np.zeros(40, int))
    with open_dataset(path) as ds:
        picks = [7, 3, 39, 3, 0]
        for (t1, u1, l1), i in zip(ds.take(picks), picks):
            t2, u2, l2 = ds[i]
            np.testing.assert_array_equal(t1, t2)
            np.testing.assert_array_equal(u1, u2)
            assert l1 == l2
        assert ds.take([]) == []
        with pytest.raises(IndexError):
            ds.take([1, 40])
        sub = Subset(ds, [10, 20, 30])
        assert [u.tolist() for _, u, _ in sub.take([2, 0])] == [samples[30][1].tolist(), samples[10][1].tolist()]


def test_take_reports_bad_samples_by_index(tmp_path):
    path = write_dataset(tmp_path / "b.h5", [(np.array([0.1]), np.array([1]))] * 3, [0, 0, 0], ["a"], [0, 0, 0],
                         n_channels=2)
    with h5py.File(path, "a") as f:
        f["spikes/units"][2] = np.array([5], np.uint16)
    with open_dataset(path) as ds, pytest.raises(DataError, match="sample 2: spikes/units holds 5"):
        ds.take([0, 2])
