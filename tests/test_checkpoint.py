"""Checkpoints: exact round trip, atomic replacement, corruption refused, no pickle."""
import errno
import hashlib
import io
import json

import numpy as np
import pytest

from snnlib import checkpoint
from snnlib.checkpoint import CheckpointError, load_checkpoint, save_checkpoint


def _arrays():
    rng = np.random.default_rng(1)
    return {"params/W_in": rng.normal(size=(3, 4)).astype(np.float32), "opt/t": np.array(7),
            "opt/m/W_in": rng.normal(size=(3, 4))}


def test_round_trip_is_exact_including_generator_state(tmp_path):
    rng = np.random.default_rng(123)
    rng.random(5)
    state = {"rng": rng.bit_generator.state, "history": [{"epoch": 1, "loss": 0.1 + 0.2}]}
    save_checkpoint(tmp_path, _arrays(), state)
    arrays, loaded = load_checkpoint(tmp_path)
    for key, value in _arrays().items():
        assert arrays[key].dtype == value.dtype
        np.testing.assert_array_equal(arrays[key], value)
    assert loaded["history"][0]["loss"] == 0.1 + 0.2
    other = np.random.default_rng()
    other.bit_generator.state = loaded["rng"]
    np.testing.assert_array_equal(other.random(4), rng.random(4))


def test_json_records_the_sha256_of_the_array_file(tmp_path):
    save_checkpoint(tmp_path, _arrays(), {})
    document = json.loads((tmp_path / "checkpoint.json").read_text())
    npz = (tmp_path / document["arrays"]).read_bytes()
    assert document["sha256"] == hashlib.sha256(npz).hexdigest()


def test_a_new_checkpoint_replaces_the_old_array_file(tmp_path):
    save_checkpoint(tmp_path, _arrays(), {"n": 1})
    save_checkpoint(tmp_path, {"x": np.arange(3)}, {"n": 2})
    assert len(list(tmp_path.glob("checkpoint-*.npz"))) == 1
    arrays, state = load_checkpoint(tmp_path / "checkpoint.json")
    assert state == {"n": 2} and list(arrays) == ["x"]


def test_a_corrupt_byte_is_detected_and_refused(tmp_path):
    save_checkpoint(tmp_path, _arrays(), {})
    npz = next(tmp_path.glob("checkpoint-*.npz"))
    data = bytearray(npz.read_bytes())
    data[len(data) // 2] ^= 0x01
    npz.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="corrupt"):
        load_checkpoint(tmp_path)


def test_damaged_json_is_refused(tmp_path):
    save_checkpoint(tmp_path, _arrays(), {})
    path = tmp_path / "checkpoint.json"
    path.write_text(path.read_text()[:-20])
    with pytest.raises(CheckpointError, match="damaged"):
        load_checkpoint(tmp_path)


def test_missing_checkpoint_says_so(tmp_path):
    with pytest.raises(CheckpointError, match="no checkpoint"):
        load_checkpoint(tmp_path)


def test_object_arrays_are_never_saved_nor_loaded(tmp_path):
    with pytest.raises(ValueError, match="objects"):
        save_checkpoint(tmp_path, {"bad": np.array([{"a": 1}], dtype=object)}, {})
    # an archive that needs pickle, with a matching checksum, is still refused
    buffer = io.BytesIO()
    np.savez(buffer, bad=np.array([{"a": 1}], dtype=object))
    data = buffer.getvalue()
    (tmp_path / "evil.npz").write_bytes(data)
    document = {"format": checkpoint.FORMAT, "arrays": "evil.npz",
                "sha256": hashlib.sha256(data).hexdigest(), "state": {}}
    (tmp_path / "checkpoint.json").write_text(json.dumps(document))
    with pytest.raises(CheckpointError, match="plain .npz"):
        load_checkpoint(tmp_path)


def test_a_failed_write_keeps_the_previous_checkpoint_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    save_checkpoint(tmp_path, _arrays(), {"n": 1})
    before = sorted(p.name for p in tmp_path.iterdir())

    def full_disk(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(checkpoint.os, "fsync", full_disk)
    with pytest.raises(OSError) as info:
        save_checkpoint(tmp_path, {"x": np.arange(3)}, {"n": 2})
    assert info.value.errno == errno.ENOSPC
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert load_checkpoint(tmp_path)[1] == {"n": 1}


def _reseal(folder, data: bytes) -> None:
    """Replace the array file by ``data`` and record its sha256, as a hand edit would."""
    path = folder / "checkpoint.json"
    document = json.loads(path.read_text())
    (folder / document["arrays"]).write_bytes(data)
    document["sha256"] = hashlib.sha256(data).hexdigest()
    path.write_text(json.dumps(document))


@pytest.mark.parametrize("data", [b"PK\x03\x04 not really a zip archive" * 4,  # zip magic, then garbage
                                  b"plain text, not an archive\n",
                                  b""])
def test_a_resealed_array_file_that_is_not_an_npz_is_refused_with_one_line(tmp_path, data):
    save_checkpoint(tmp_path, _arrays(), {})
    _reseal(tmp_path, data)
    with pytest.raises(CheckpointError, match=r"is not a (plain )?\.npz archive.*refusing to load it") as info:
        load_checkpoint(tmp_path)
    assert "\n" not in str(info.value)


def test_a_resealed_npy_file_is_refused(tmp_path):
    save_checkpoint(tmp_path, _arrays(), {})
    buffer = io.BytesIO()
    np.save(buffer, np.arange(3))
    _reseal(tmp_path, buffer.getvalue())
    with pytest.raises(CheckpointError, match=r"is not a \.npz archive"):
        load_checkpoint(tmp_path)


@pytest.mark.parametrize("field, value", [("arrays", 5), ("sha256", None), ("state", [1, 2]), ("arrays", "..")])
def test_fields_of_the_wrong_type_are_refused(tmp_path, field, value):
    save_checkpoint(tmp_path, _arrays(), {})
    path = tmp_path / "checkpoint.json"
    document = json.loads(path.read_text())
    document[field] = value
    path.write_text(json.dumps(document))
    with pytest.raises(CheckpointError):
        load_checkpoint(tmp_path)
