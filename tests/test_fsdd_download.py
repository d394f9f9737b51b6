"""``data download fsdd`` against a local HTTP server (127.0.0.1) serving a small archive in GitHub's layout."""
import argparse
import hashlib
import importlib
import io
import tarfile
import wave
import numpy as np
import pytest

from snnlib.data import DataError
from snnlib.data.cli import register
from tests.test_data_download import Server

dl = importlib.import_module("snnlib.data.fsdd_download")
COMMIT = dl.FSDD_COMMIT
TOP = f"free-spoken-digit-dataset-{COMMIT}"


def tiny_wav(seed: int) -> bytes:
    """A short 8 kHz mono 16-bit recording of noise (what FSDD files are, only shorter)."""
    samples = (np.random.default_rng(seed).normal(0, 3000, 400)).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(samples.tobytes())
    return buffer.getvalue()


RECORDINGS = {f"{d}_{s}_{t}.wav": tiny_wav(100 * d + 10 * i + t)
              for d in range(3) for i, s in enumerate(("george", "theo")) for t in range(2)}


def independent_manifest(files):
    """The manifest computed here, line by line as documented: SHA-256 of sorted 'NAME SHA256' lines."""
    lines = "".join(f"{n} {hashlib.sha256(b).hexdigest()}\n" for n, b in sorted(files.items()))
    return dl.Manifest(len(files), sum(map(len, files.values())), hashlib.sha256(lines.encode()).hexdigest())


def make_archive(recordings, extra=()):
    """A tar.gz like GitHub's archive of the commit: TOP/, TOP/README.md, TOP/recordings/*.wav, ``extra`` members
    (TarInfo, bytes or None) appended."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        def add(name, data=None, kind=tarfile.REGTYPE, link=""):
            info = tarfile.TarInfo(name)
            info.type = kind
            info.linkname = link
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
        add(TOP, kind=tarfile.DIRTYPE)
        add(f"{TOP}/README.md", b"# FSDD\n")
        add(f"{TOP}/recordings", kind=tarfile.DIRTYPE)
        for name, data in recordings.items():
            add(f"{TOP}/recordings/{name}", data)
        for args in extra:
            add(*args)
    return buffer.getvalue()


@pytest.fixture
def served(monkeypatch):
    monkeypatch.setattr(dl, "FSDD_MANIFEST", independent_manifest(RECORDINGS))
    monkeypatch.delenv("SNNLIB_FSDD_URL", raising=False)
    with Server({"fsdd.tar.gz": make_archive(RECORDINGS)}) as server:
        server.archive_url = server.url + "fsdd.tar.gz"
        yield server


def installed(data):
    folder = data / "fsdd" / "recordings"
    return {p.name: p.read_bytes() for p in folder.iterdir()} if folder.exists() else None


def test_download_installs_exactly_the_recordings(tmp_path, served):
    result = dl.download_fsdd(tmp_path / "data", url=served.archive_url, progress=False)
    assert result.path == tmp_path / "data" / "fsdd" / "recordings" and not result.already_present
    assert installed(tmp_path / "data") == RECORDINGS  # byte for byte, and the README.md is not unpacked
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["fsdd"]  # no archive, no .part left
    assert sorted(p.name for p in (tmp_path / "data" / "fsdd").iterdir()) == ["recordings"]
    count = len(served.requests)
    again = dl.download_fsdd(tmp_path / "data", url=served.archive_url, progress=False)
    assert again.already_present and len(served.requests) == count  # verified on disk, no network


def test_the_fsdd_names_are_importable_from_the_generic_download_module():
    generic = importlib.import_module("snnlib.data.download")
    assert [name for name in dl.__all__ if getattr(generic, name) is not getattr(dl, name)] == []
    assert dl.download_fsdd.__module__ == "snnlib.data.fsdd_download"


def test_download_fsdd_is_reached_from_the_generic_download_by_name(tmp_path, served):
    """``snnlib.data.download("fsdd")`` hands over to :func:`download_fsdd`."""
    from snnlib.data import download

    paths = download("fsdd", tmp_path / "data", base_url=served.archive_url, progress=False)
    assert paths == {"recordings": tmp_path / "data" / "fsdd" / "recordings"}
    assert installed(tmp_path / "data") == RECORDINGS


def test_the_fsdd_loader_finds_the_downloaded_folder(tmp_path, served, monkeypatch):
    fsdd = importlib.import_module("snnlib.audio.fsdd")
    dl.download_fsdd(tmp_path / "data", url=served.archive_url, progress=False)
    monkeypatch.setenv("SNNLIB_DATA", str(tmp_path / "data"))
    last = fsdd.default_fsdd_folders()[-1]  # the earlier defaults (../shared/data/fsdd) may hold a real copy
    assert last == tmp_path / "data" / "fsdd"
    found = fsdd.fsdd_recordings(last)
    assert [r.path.name for r in found] == sorted(RECORDINGS)
    assert [(r.digit, r.speaker, r.take) for r in found][:2] == [(0, "george", 0), (0, "george", 1)]


def test_interrupted_transfer_resumes_with_a_range_request(tmp_path, served):
    served.drop_after["fsdd.tar.gz"] = 300
    dl.download_fsdd(tmp_path / "data", url=served.archive_url, progress=False)
    ranges = [r for path, r in served.requests if path.endswith("fsdd.tar.gz")]
    assert ranges == [None, "bytes=300-"]
    assert installed(tmp_path / "data") == RECORDINGS


def test_a_partial_download_from_an_earlier_run_is_resumed(tmp_path, served):
    served.drop_after["fsdd.tar.gz"] = 500
    with pytest.raises(DataError, match="500 bytes received are kept.*run the same command again"):
        dl.download_fsdd(tmp_path / "data", url=served.archive_url, progress=False, retries=0)
    assert installed(tmp_path / "data") is None
    part = tmp_path / "data" / (dl.FSDD_ARCHIVE + ".part")
    assert part.stat().st_size == 500
    dl.download_fsdd(tmp_path / "data", url=served.archive_url, progress=False)
    assert [r for p, r in served.requests if p.endswith("fsdd.tar.gz")][-1] == "bytes=500-"
    assert installed(tmp_path / "data") == RECORDINGS and not part.exists()


def test_a_tampered_recording_is_refused_and_nothing_installed(tmp_path, served):
    bad = dict(RECORDINGS)
    name = sorted(bad)[3]
    body = bytearray(bad[name])
    body[100] ^= 0x01  # one bit of one sample: same count, same size
    bad[name] = bytes(body)
    served.files["fsdd.tar.gz"] = make_archive(bad)
    with pytest.raises(DataError) as info:
        dl.download_fsdd(tmp_path / "data", url=served.archive_url, progress=False)
    message = str(info.value)
    assert "\n" not in message and "SHA-256 manifest mismatch" in message and "nothing was installed" in message
    assert "deleted" in message
    assert list((tmp_path / "data").iterdir()) == []  # no recordings, no temporary folder, no .part


def test_a_missing_recording_is_refused(tmp_path, served):
    fewer = dict(list(RECORDINGS.items())[1:])
    served.files["fsdd.tar.gz"] = make_archive(fewer)
    with pytest.raises(DataError, match=f"{len(fewer)} recordings where the pinned commit has {len(RECORDINGS)}"):
        dl.download_fsdd(tmp_path / "data", url=served.archive_url, progress=False)
    assert installed(tmp_path / "data") is None


@pytest.mark.parametrize("member", [
    ("/etc/evil.wav", b"x"),
    (f"{TOP}/recordings/../../evil.wav", b"x"),
    (f"{TOP}/recordings/link.wav", None, tarfile.SYMTYPE, "/etc/passwd"),
    (f"{TOP}/recordings/hard.wav", None, tarfile.LNKTYPE, f"{TOP}/README.md"),
], ids=["absolute", "dotdot", "symlink", "hardlink"])
def test_unsafe_members_are_refused(tmp_path, served, member):
    served.files["fsdd.tar.gz"] = make_archive(RECORDINGS, extra=[member])
    with pytest.raises(DataError, match="refused") as info:
        dl.download_fsdd(tmp_path / "data", url=served.archive_url, progress=False)
    assert "nothing was installed" in str(info.value)
    assert list((tmp_path / "data").iterdir()) == []
    assert not (tmp_path / "evil.wav").exists() and not (tmp_path / "data" / "evil.wav").exists()


def test_offline_says_which_file_to_fetch_and_where_to_put_it(tmp_path, monkeypatch):
    monkeypatch.delenv("SNNLIB_FSDD_URL", raising=False)
    url = f"http://127.0.0.1:9/{COMMIT}"
    with pytest.raises(DataError) as info:
        dl.download_fsdd(tmp_path / "data", url=url, progress=False, timeout=5)
    message = str(info.value)
    assert "\n" not in message and message.startswith("cannot download fsdd")
    assert f"fetch {url} by hand" in message
    assert f"save it as {tmp_path / 'data' / ('free-spoken-digit-dataset-' + COMMIT + '.tar.gz')}" in message
    assert "SNNLIB_FSDD" in message
    assert not (tmp_path / "data").exists()
    assert dl.fsdd_urls()[0] == f"https://codeload.github.com/Jakobovski/free-spoken-digit-dataset/tar.gz/{COMMIT}"


def test_an_archive_fetched_by_hand_is_used_without_the_network(tmp_path, served):
    data = tmp_path / "data"
    data.mkdir()
    (data / dl.FSDD_ARCHIVE).write_bytes(served.files["fsdd.tar.gz"])
    dl.download_fsdd(data, url="http://127.0.0.1:9/unreachable", progress=False, timeout=5)
    assert installed(data) == RECORDINGS and served.requests == []
    assert not (data / dl.FSDD_ARCHIVE).exists()  # used and removed (keep_archive=False)


def test_a_bad_archive_fetched_by_hand_is_verified_first_and_left_alone(tmp_path, served):
    data = tmp_path / "data"
    data.mkdir()
    bad = dict(RECORDINGS)
    bad[sorted(bad)[0]] = tiny_wav(999)
    archive = make_archive(bad)
    (data / dl.FSDD_ARCHIVE).write_bytes(archive)
    with pytest.raises(DataError, match=r"manifest mismatch\); nothing was installed, it was left as it is"):
        dl.download_fsdd(data, url=served.archive_url, progress=False)
    assert (data / dl.FSDD_ARCHIVE).read_bytes() == archive and installed(data) is None
    assert served.requests == []


def test_a_wrong_recordings_folder_already_there_is_not_overwritten(tmp_path, served):
    folder = tmp_path / "data" / "fsdd" / "recordings"
    folder.mkdir(parents=True)
    (folder / "0_george_0.wav").write_bytes(RECORDINGS["0_george_0.wav"])
    with pytest.raises(DataError, match="already there but is not the pinned FSDD .*move or delete it"):
        dl.download_fsdd(tmp_path / "data", url=served.archive_url, progress=False)
    assert [p.name for p in folder.iterdir()] == ["0_george_0.wav"] and served.requests == []


def test_not_enough_space_is_said_before_downloading(tmp_path, served, monkeypatch):
    from snnlib import _io

    monkeypatch.setattr(_io, "free_space", lambda folder: 1000)  # simulated: a nearly full disk
    with pytest.raises(DataError) as info:
        dl.download_fsdd(tmp_path / "data", url=served.archive_url, progress=False)
    message = str(info.value)
    assert "\n" not in message and "not enough disk space" in message and "1000 B is available" in message
    assert served.requests == [] and not (tmp_path / "data").exists()


def test_not_enough_space_to_unpack_keeps_the_archive(tmp_path, served, monkeypatch):
    from snnlib import _io

    data = tmp_path / "data"
    data.mkdir()
    (data / dl.FSDD_ARCHIVE).write_bytes(served.files["fsdd.tar.gz"])
    monkeypatch.setattr(_io, "free_space", lambda folder: sum(map(len, RECORDINGS.values())) // 2)
    with pytest.raises(DataError, match="not enough disk space .*the archive is kept"):
        dl.download_fsdd(data, url=served.archive_url, progress=False)
    assert sorted(p.name for p in data.iterdir()) == [dl.FSDD_ARCHIVE]
    monkeypatch.undo()


def test_disk_full_while_unpacking_leaves_nothing_partial(tmp_path, served, monkeypatch):
    import errno

    data = tmp_path / "data"
    data.mkdir()
    (data / dl.FSDD_ARCHIVE).write_bytes(served.files["fsdd.tar.gz"])
    real_open = open
    written = []

    def filling(path, mode="r", *args, **kwargs):
        if "w" in mode and str(path).endswith(".wav"):
            written.append(path)
            if len(written) == 3:
                raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(dl, "open", filling, raising=False)
    with pytest.raises(DataError) as info:
        dl.download_fsdd(data, url=served.archive_url, progress=False)
    assert "disk full" in str(info.value) and "is kept" in str(info.value)
    assert sorted(p.name for p in data.iterdir()) == [dl.FSDD_ARCHIVE]  # no fsdd/, no temporary folder


def test_cli_download_fsdd(tmp_path, served, capsys):
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    argv = ["data", "download", "fsdd", "--dir", str(tmp_path / "d"), "--base-url", served.archive_url,
            "--no-progress"]
    args = parser.parse_args(argv)
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert f"fsdd recordings ({len(RECORDINGS)} files" in out and "CC BY-SA 4.0" in out
    args = parser.parse_args(argv)
    assert args.func(args) == 0
    assert "already present and verified" in capsys.readouterr().out


def test_pinned_manifest_matches_the_shared_copy():
    """The manifest in the package describes the offline copy of FSDD (computed here independently)."""
    fsdd = importlib.import_module("snnlib.audio.fsdd")
    try:  # $SNNLIB_FSDD, else ../shared/data/fsdd beside the working folder or the clone, else the data folder
        folder = fsdd.fsdd_source()
    except ValueError:
        pytest.skip("no FSDD copy found (set SNNLIB_FSDD, or put it in ../shared/data/fsdd beside the repository)")
    files = sorted(folder.glob("*.wav"))
    lines, total = [], 0
    for path in files:
        data = path.read_bytes()
        total += len(data)
        lines.append(f"{path.name} {hashlib.sha256(data).hexdigest()}\n")
    expected = dl.Manifest(len(files), total, hashlib.sha256("".join(lines).encode()).hexdigest())
    assert expected == dl.FSDD_MANIFEST and expected.count == 3000
