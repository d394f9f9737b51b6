"""Validation splits: held out of the training file, never of the test file."""
import numpy as np
import pytest

from snnlib.data import DataError, Subset, load_splits, split_by_fraction, split_by_speaker, write_dataset


def test_fraction_split_is_stratified_disjoint_and_reproducible():
    labels = np.repeat([0, 1, 2], [50, 30, 20])
    train, valid = split_by_fraction(labels, 0.1, seed=1)
    assert np.bincount(labels[valid]).tolist() == [5, 3, 2]
    assert not set(train) & set(valid) and len(train) + len(valid) == 100
    again, _ = split_by_fraction(labels, 0.1, seed=1)
    other, _ = split_by_fraction(labels, 0.1, seed=2)
    assert train.tolist() == again.tolist() and train.tolist() != other.tolist()
    with pytest.raises(DataError, match="strictly between 0 and 1"):
        split_by_fraction(labels, 1.0)


def test_speaker_split_holds_out_whole_speakers():
    speakers = np.repeat([3, 5, 8, 9], 10)
    train, valid = split_by_speaker(speakers, [5, 9])
    assert set(speakers[valid]) == {5, 9} and set(speakers[train]) == {3, 8}
    train, valid = split_by_speaker(speakers, seed=0)  # one speaker drawn by the seed
    assert len(set(speakers[valid])) == 1 and not set(speakers[valid]) & set(speakers[train])
    with pytest.raises(DataError, match=r"speakers \[7\] do not occur"):
        split_by_speaker(speakers, [7])
    with pytest.raises(DataError, match="every speaker"):
        split_by_speaker(speakers, [3, 5, 8, 9])


def _write(folder, prefix, part, n, speakers):
    rng = np.random.default_rng(len(part))
    samples = [(np.sort(rng.uniform(0, 1, 3)), rng.integers(0, 700, 3)) for _ in range(n)]
    return write_dataset(folder / f"{prefix}_{part}.h5", samples, np.arange(n) % 4, ["a", "b", "c", "d"], speakers)


def test_shd_style_validation_comes_from_the_training_file(tmp_path):
    _write(tmp_path, "shd", "train", 40, np.repeat([0, 1, 2, 3], 10))
    _write(tmp_path, "shd", "test", 12, np.zeros(12, int))
    with load_splits("shd", tmp_path) as splits:
        assert isinstance(splits.valid, Subset) and splits.valid.path.name == "shd_train.h5"
        assert len(splits.train) == 36 and len(splits.valid) == 4 and len(splits.test) == 12
        assert splits.test.path.name == "shd_test.h5"
    with load_splits("shd", tmp_path, valid="speaker", valid_speakers=[2]) as splits:
        assert set(splits.valid.speakers) == {2} and 2 not in set(splits.train.speakers)
        assert len(splits.test) == 12  # the test file is never touched by the split


def test_ssc_style_uses_its_validation_file(tmp_path):
    for part, n in (("train", 20), ("valid", 8), ("test", 6)):
        _write(tmp_path, "ssc", part, n, np.zeros(n, int))
    with load_splits("ssc", tmp_path) as splits:
        assert splits.valid.path.name == "ssc_valid.h5" and len(splits.train) == 20
    with load_splits("ssc", tmp_path, valid="fraction", fraction=0.25) as splits:
        assert len(splits.valid) == 4 and splits.valid.path.name == "ssc_train.h5"


def test_missing_files_say_how_to_get_them(tmp_path, monkeypatch):
    with pytest.raises(DataError, match=r"shd_train\.h5, shd_test\.h5 not found.*data download shd"):
        load_splits("shd", tmp_path)
    with pytest.raises(DataError, match=r"delay_task_train\.h5.*data make delay-task"):
        load_splits("delay-task", tmp_path)
    _write(tmp_path, "shd", "train", 8, np.zeros(8, int))
    _write(tmp_path, "shd", "test", 8, np.zeros(8, int))
    with pytest.raises(DataError, match=r"shd_valid\.h5 not found"):
        load_splits("shd", tmp_path, valid="file")
    monkeypatch.setenv("SNNLIB_DATA", str(tmp_path))
    with load_splits("shd") as splits:  # the folder comes from SNNLIB_DATA
        assert len(splits.test) == 8


def test_leave_speaker_out_by_hand():
    from snnlib.data import leave_speaker_out

    labels = np.array([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1])
    speakers = np.array([0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2])
    train, valid, test = leave_speaker_out(labels, speakers, 2, valid_fraction=0)
    assert test.tolist() == [4, 5, 10, 11] and train.tolist() == [0, 1, 2, 3, 6, 7, 8, 9] and len(valid) == 0
    train, valid, test = leave_speaker_out(labels, speakers, 1, valid_fraction=0.25, seed=3)
    assert test.tolist() == [2, 3, 8, 9]
    # one of the four samples of each class among speakers 0 and 2 is held out for validation
    assert sorted(train.tolist() + valid.tolist()) == [0, 1, 4, 5, 6, 7, 10, 11]
    assert sorted(labels[valid].tolist()) == [0, 1] and not set(speakers[train]) & {1}
    with pytest.raises(DataError, match="does not occur"):
        leave_speaker_out(labels, speakers, 7)
    with pytest.raises(DataError, match="nobody is left"):
        leave_speaker_out(labels[:2], speakers[:2], 0)
