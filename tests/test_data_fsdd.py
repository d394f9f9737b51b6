"""The ``fsdd`` dataset of the data layer: FSDD encoded at 700 channels, read from the data folder, its subsets and
its leave-one-speaker-out regrouping — checked on small files written here, whose every sample carries its own
identity (one spike in channel = sample number), against the regrouping worked out by hand."""
import numpy as np
import pytest

from snnlib.data import write_dataset
from snnlib.data.partitions import DataConfig, load_data

NAMES = ["alice", "bob", "carol"]


def _write(folder):
    """train: 12 samples (2 classes × 3 speakers × 2), test: 6 (2 × 3 × 1); sample k has one spike in channel k."""
    parts = {"train": [(c, s) for s in range(3) for c in range(2) for _ in range(2)],
             "test": [(c, s) for s in range(3) for c in range(2)]}
    channel = 0
    for part, members in parts.items():
        samples = []
        for _ in members:
            samples.append((np.array([0.005]), np.array([channel])))
            channel += 1
        write_dataset(folder / "fsdd-700" / f"fsdd_{part}.h5", samples, [c for c, _ in members], ["zero", "one"],
                      [s for _, s in members], meta_info={"speaker_name": NAMES}, n_channels=20)
    return parts


def _ids(arrays):
    """The channel of each sample's spike: its identity."""
    return sorted(int(np.flatnonzero(x.sum(axis=0))[0]) for x in arrays.x)


def test_fsdd_is_read_from_the_data_folder_and_left_one_speaker_out(tmp_path):
    _write(tmp_path)
    base = DataConfig("fsdd", data_dir=str(tmp_path), valid_fraction=0, max_time=0.02)
    whole = load_data(base)
    assert _ids(whole.train) == list(range(12)) and _ids(whole.test) == list(range(12, 18))
    # speaker 1 (bob) said training samples 4-7 and test samples 14, 15: those are the test set now
    for who in ("bob", 1):
        out = load_data(base.replace(generator={"test_speaker": who}))
        assert _ids(out.test) == [4, 5, 6, 7, 14, 15]
        assert _ids(out.train) == [0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 16, 17]
        assert set(out.test.speakers) == {1} and 1 not in set(out.train.speakers)
    held = load_data(base.replace(generator={"test_speaker": "carol"}, valid_fraction=0.25))
    assert len(held.valid) == 4 and sorted(held.valid.labels) == [0, 0, 1, 1]  # round(6 / 4) of each class
    assert not set(_ids(held.valid)) & set(_ids(held.train)) and 2 not in set(held.valid.speakers)
    with pytest.raises(ValueError, match="not a speaker of this data"):
        load_data(base.replace(generator={"test_speaker": "dave"}))


def test_fsdd_subsets_and_a_missing_encoding(tmp_path):
    _write(tmp_path)
    small = load_data(DataConfig("fsdd", data_dir=str(tmp_path), valid_fraction=0, max_time=0.02,
                                 generator={"n_train": 4, "n_test": 2}))
    assert len(small.train) == 4 and sorted(small.train.labels) == [0, 0, 1, 1]
    assert len(small.test) == 2 and sorted(small.test.labels) == [0, 1]
    with pytest.raises(ValueError, match="data make fsdd"):
        load_data(DataConfig("fsdd", data_dir=str(tmp_path / "elsewhere")))
    with pytest.raises(ValueError, match="accepts only"):
        DataConfig("fsdd", generator={"n_classes": 3})
