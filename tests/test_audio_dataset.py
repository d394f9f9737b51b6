"""From WAV files to SHD-schema files: the CLI, bad recordings, workers, and FSDD (skipped when it is absent)."""
from pathlib import Path

import numpy as np
import pytest

from snnlib.audio import EncoderParams, encode, file_seed, read_wav, write_wav
from snnlib.audio import dataset as audio_dataset
from snnlib.audio.fsdd import DIGITS, LICENCE, fsdd_source, make_fsdd
from snnlib.cli import main
from snnlib.data import open_dataset

RATE = 16000
PATTERN = r"^(?P<label>[a-z]+)_(?P<speaker>s\d)_"


def make_wavs(folder: Path) -> list[Path]:
    """Six short recordings: two words ("low", "high") by three speakers."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    t = np.arange(int(0.15 * RATE)) / RATE
    for s in range(3):
        for word, f in (("low", 300.0), ("high", 2500.0)):
            x = 0.4 * np.sin(2 * np.pi * f * (1 + 0.05 * s) * t) * np.sin(np.pi * t / t[-1])
            paths.append(write_wav(folder / f"{word}_s{s}_{s}.wav", x, RATE))
    return sorted(paths)


def test_cli_encode_then_read_back(tmp_path, capsys):
    wavs = make_wavs(tmp_path / "wavs")
    out = tmp_path / "out" / "spikes.h5"
    code = main(["audio", "encode", str(tmp_path / "wavs"), str(out), "--channels", "48",
                 "--label-from-filename", PATTERN, "--seed", "5", "--no-progress"])
    assert code == 0
    assert f"wrote {out}: 6 recordings" in capsys.readouterr().out
    with open_dataset(out) as ds:
        assert len(ds) == 6 and ds.n_channels == 48
        assert ds.class_names == ["high", "low"]
        assert sorted(set(ds.speakers.tolist())) == [0, 1, 2]
        assert list(ds.meta_info["speaker_name"]) == [b"s0", b"s1", b"s2"]
        assert ds.attrs["encoder.n_channels"] == 48 and ds.attrs["encoder.seed"] == 5
        params = EncoderParams(n_channels=48)
        for i, path in enumerate(wavs):
            times, units, label = ds[i]
            assert ds.class_names[label] == path.name.split("_")[0]
            expected_t, expected_u = encode(*read_wav(path), params, seed=file_seed(5, path.name))
            assert np.array_equal(units, expected_u)
            assert np.array_equal(times, expected_t.astype(np.float16).astype(np.float64))  # SHD stores float16
        # tonotopy survives the round trip: "high" words use lower unit ids than "low" words
        mean_unit = {ds.class_names[ds[i][2]]: np.mean(ds[i][1]) for i in range(6)}
        assert mean_unit["high"] < mean_unit["low"]


def test_a_bad_file_stops_the_run_and_writes_nothing(tmp_path, capsys):
    make_wavs(tmp_path / "wavs")
    (tmp_path / "wavs" / "low_s9_0.wav").write_text("not audio")
    out = tmp_path / "spikes.h5"
    code = main(["audio", "encode", str(tmp_path / "wavs"), str(out), "--channels", "16", "--no-progress"])
    assert code == 2
    assert "low_s9_0.wav: not a WAV file" in capsys.readouterr().err
    assert not out.exists()
    assert list(tmp_path.glob("*spikes*")) == []  # no temporary file left either


def test_skip_bad_leaves_the_file_out_and_says_so(tmp_path, capsys):
    make_wavs(tmp_path / "wavs")
    (tmp_path / "wavs" / "high_s9_0.wav").write_bytes(b"")
    out = tmp_path / "spikes.h5"
    code = main(["audio", "encode", str(tmp_path / "wavs"), str(out), "--channels", "16",
                 "--label-from-filename", PATTERN, "--skip-bad", "--no-progress"])
    captured = capsys.readouterr()
    assert code == 0
    assert "skipped high_s9_0.wav" in captured.err and "1 skipped" in captured.out
    with open_dataset(out) as ds:
        assert len(ds) == 6


def test_label_pattern_that_does_not_match_names_the_file(tmp_path, capsys):
    make_wavs(tmp_path / "wavs")
    code = main(["audio", "encode", str(tmp_path / "wavs"), str(tmp_path / "o.h5"),
                 "--label-from-filename", r"^(\d)_", "--no-progress"])
    assert code == 2
    assert "high_s0_0.wav: does not match the label pattern" in capsys.readouterr().err


def test_worker_processes_give_the_same_spikes(tmp_path, monkeypatch):
    recordings = [read_wav(p) for p in make_wavs(tmp_path)[:4]]
    params = EncoderParams(n_channels=16)
    seeds = [1, 2, 3, 4]
    monkeypatch.setattr(audio_dataset, "_TASK_COLUMNS", 16)  # one recording per task: 4 tasks for 2 workers
    parallel = audio_dataset.encode_recordings(recordings, seeds, params, workers=2, progress=False)
    serial = audio_dataset.encode_recordings(recordings, seeds, params, workers=1, progress=False)
    for (ta, ua), (tb, ub) in zip(parallel, serial):
        assert np.array_equal(ta, tb) and np.array_equal(ua, ub)

def test_tasks_keep_every_worker_busy_and_bound_the_columns():
    order = list(range(300))
    two = audio_dataset._split_tasks(order, n_channels=32, workers=2)     # 300 short recordings, 2 workers
    assert [i for task in two for i in task] == order                    # every recording once, in order
    assert len(two) >= 2 * audio_dataset._TASKS_PER_WORKER                # not one big task and one small one
    assert max(map(len, two)) - min(map(len, two)) <= max(map(len, two)) // 2
    one = audio_dataset._split_tasks(order, n_channels=32, workers=1)     # in-process: as few tasks as memory allows
    assert [len(t) for t in one] == [262, 38]                             # 8400 columns // 32 channels = 262
    wide = audio_dataset._split_tasks(order, n_channels=700, workers=2)   # 700 channels: the column bound rules
    assert max(map(len, wide)) == 8400 // 700


# -- FSDD -----------------------------------------------------------------------------------------------------------


def fsdd_or_skip() -> Path:
    try:
        return fsdd_source()
    except ValueError as exc:
        pytest.skip(f"FSDD recordings not available ({exc})")


def test_fsdd_source_missing_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("SNNLIB_FSDD", str(tmp_path / "nowhere"))
    with pytest.raises(ValueError, match=r"FSDD recordings not found in \S*nowhere \(\$SNNLIB_FSDD\)"):
        fsdd_source()


def test_fsdd_source_falls_back_to_the_per_user_data_folder(tmp_path, monkeypatch):
    """An installed package has no ../shared beside it: the data folder's fsdd/ is the last default."""
    from snnlib.audio import fsdd

    monkeypatch.delenv("SNNLIB_FSDD", raising=False)
    monkeypatch.setenv("SNNLIB_DATA", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    defaults = fsdd.default_fsdd_folders()
    assert defaults[-1] == tmp_path / "data" / "fsdd"
    if any(folder.is_dir() for folder in defaults[:-1]):  # this machine has ../shared beside the clone
        monkeypatch.setattr(fsdd, "default_fsdd_folders", lambda: [tmp_path / "absent", tmp_path / "data" / "fsdd"])
    with pytest.raises(ValueError, match="data/fsdd"):
        fsdd_source()
    (tmp_path / "data" / "fsdd" / "recordings").mkdir(parents=True)
    assert fsdd_source() == (tmp_path / "data" / "fsdd" / "recordings").resolve()


def test_make_fsdd_official_split(tmp_path):
    source = fsdd_or_skip()
    paths = make_fsdd(tmp_path, channels=32, source=source, limit=12, workers=1)
    assert [p.name for p in paths] == ["fsdd_train.h5", "fsdd_test.h5"]
    for path, takes in zip(paths, (range(5, 50), range(0, 5))):
        with open_dataset(path) as ds:
            assert len(ds) == 12 and ds.n_channels == 32
            assert ds.class_names == list(DIGITS)
            assert ds.attrs["licence"] == LICENCE and "Free Spoken Digit" in ds.attrs["attribution"]
            names = [n.decode() for n in ds.meta_info["speaker_name"]]
            assert names == sorted(names) and "george" in names
            # limit=12 keeps the first take of the split (0 for test, 5 for train): george's ten digits, then
            # jackson's 0 and 1
            assert ds.labels.tolist() == list(range(10)) + [0, 1]
            assert ds.speakers.tolist() == [names.index("george")] * 10 + [names.index("jackson")] * 2
            first = source / f"0_george_{takes[0]}.wav"
            times, units, label = ds[0]
            expected_t, expected_u = encode(*read_wav(first), EncoderParams(n_channels=32),
                                            seed=file_seed(0, first.name))
            assert label == 0 and len(times) > 50 and np.array_equal(units, expected_u)


def test_make_fsdd_leave_one_speaker_out(tmp_path, monkeypatch):
    source = fsdd_or_skip()
    monkeypatch.setenv("SNNLIB_FSDD", str(source))
    paths = make_fsdd(tmp_path, channels=16, split="speaker", holdout="theo", limit=5, workers=1)
    assert [p.name for p in paths] == ["fsdd_speaker-theo_train.h5", "fsdd_speaker-theo_test.h5"]
    with open_dataset(paths[0]) as train, open_dataset(paths[1]) as test:
        names = [n.decode() for n in test.meta_info["speaker_name"]]
        theo = names.index("theo")
        assert set(test.speakers.tolist()) == {theo}
        assert theo not in set(train.speakers.tolist())
    with pytest.raises(ValueError, match="not an FSDD speaker"):
        make_fsdd(tmp_path, channels=16, split="speaker", holdout="nobody", limit=1)
