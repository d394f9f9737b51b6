"""course.speech_data: which data part II trains on, in each situation a learner can be in."""
import numpy as np
import pytest

from snnlib import course, data


def _fsdd_files(folder):
    for part in ("train", "test"):
        data.write_dataset(folder / "fsdd-700" / f"fsdd_{part}.h5", [(np.array([0.01]), np.array([3]))], [0],
                           ["zero"], [0], n_channels=700)


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("SNNLIB_DATA", str(tmp_path))
    monkeypatch.delenv(course.SPEECH_ENV, raising=False)
    monkeypatch.setenv(course.FAST_ENV, "0")
    return tmp_path


def test_full_setting_prefers_shd_then_fsdd_then_shd_like(env, monkeypatch):
    import snnlib.audio

    monkeypatch.setattr(snnlib.audio, "fsdd_recordings", lambda *a, **k: (_ for _ in ()).throw(ValueError("none")))
    first = course.speech_data()
    assert first.name == "shd-like" and "no SHD files and no FSDD recordings" in first.why
    assert first.generator == {"n_train": 2000, "n_test": 500}
    _fsdd_files(env)
    second = course.speech_data()
    assert second.name == "fsdd" and second.generator == {} and "encoded at 700 channels" in second.why
    for part in ("train", "test"):
        (env / data.PUBLISHED["shd"].filename(part)).write_bytes(b"")
    assert course.speech_data().name == "shd"
    assert course.speech_data(published=None).name == "fsdd"          # a notebook that wants FSDD itself


def test_fast_mode_uses_shd_like_unless_told(env, monkeypatch):
    _fsdd_files(env)
    monkeypatch.setenv(course.FAST_ENV, "1")
    assert course.speech_data().name == "shd-like"
    monkeypatch.setenv(course.SPEECH_ENV, "fsdd")
    chosen = course.speech_data()
    assert chosen.name == "fsdd" and chosen.generator == {"n_train": 200, "n_test": 150}
    assert "subset" in chosen.why
    monkeypatch.setenv(course.SPEECH_ENV, "shd-like")
    monkeypatch.setenv(course.FAST_ENV, "0")
    assert course.speech_data().name == "shd-like"                    # in the full setting too


def test_full_setting_encodes_fsdd_once_when_only_recordings_are_here(env, monkeypatch, capsys):
    import snnlib.audio

    made = []
    monkeypatch.setattr(snnlib.audio, "fsdd_recordings", lambda *a, **k: ["a recording"])
    monkeypatch.setattr(snnlib.audio, "make_fsdd", lambda out, **k: made.append((out, k)) or _fsdd_files(env))
    assert course.speech_data(make=False).name == "shd-like"          # not without being allowed to
    assert course.speech_data().name == "fsdd"
    assert made == [(env / "fsdd-700", {"channels": 700, "split": "official"})]
    assert "encoding FSDD at 700 channels" in capsys.readouterr().out
    assert course.speech_data().name == "fsdd" and len(made) == 1      # read, not made again


def test_bad_choices_are_refused(env, monkeypatch):
    import snnlib.audio

    monkeypatch.setenv(course.SPEECH_ENV, "ssc")
    with pytest.raises(ValueError, match="choose fsdd or shd-like"):
        course.speech_data()
    monkeypatch.setenv(course.SPEECH_ENV, "fsdd")
    monkeypatch.setattr(snnlib.audio, "fsdd_recordings", lambda *a, **k: (_ for _ in ()).throw(ValueError("none")))
    with pytest.raises(ValueError, match="data download fsdd"):
        course.speech_data()
