"""Download against a local HTTP server (127.0.0.1, in a thread) that speaks HTTP Range and can misbehave."""
import argparse
import gzip
import hashlib
import importlib
import http.server
import threading

import numpy as np
import pytest

from snnlib.data import DataError, base_urls, download, open_dataset, resolve_data_dir, write_dataset
from snnlib.data.cli import register


class Server:
    """Serves ``files`` (name -> bytes) under ``/base/``; ``drop_after[name] = n`` closes the connection after n
    bytes of the body, once; every request is logged as (path, Range header)."""

    def __init__(self, files):
        self.files = dict(files)
        self.drop_after = {}
        self.requests = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append((self.path, self.headers.get("Range")))
                name = self.path.removeprefix("/base/")
                if name not in server.files:
                    self.send_error(404)
                    return
                body = server.files[name]
                start = 0
                if self.headers.get("Range"):
                    start = int(self.headers["Range"].removeprefix("bytes=").split("-")[0])
                    if start >= len(body):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(body)}")
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(body) - start))
                self.end_headers()
                cut = server.drop_after.pop(name, None)
                self.wfile.write(body[start:] if cut is None else body[start : start + cut])
                if cut is not None:
                    self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/base/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def published_like(tmp_path):
    """Gzipped SHD-schema files and their md5sums.txt, as the authors' site serves them."""
    files, sums, originals = {}, [], {}
    for part, n in (("train", 30), ("test", 10)):
        rng = np.random.default_rng(n)
        samples = [(np.sort(rng.uniform(0, 1, 200)), rng.integers(0, 700, 200)) for _ in range(n)]
        path = write_dataset(tmp_path / "src" / f"shd_{part}.h5", samples, np.arange(n) % 20,
                             [f"word {i}" for i in range(20)], np.zeros(n, int))
        originals[part] = samples
        files[f"shd_{part}.h5.gz"] = gzip.compress(path.read_bytes())
        sums.append(f"{hashlib.md5(files[f'shd_{part}.h5.gz']).hexdigest()}  shd_{part}.h5.gz")
    files["md5sums.txt"] = ("\n".join(sums) + "\n").encode()
    return files, originals


@pytest.fixture
def served(tmp_path):
    files, originals = published_like(tmp_path)
    with Server(files) as server:
        yield server, originals


def test_download_verifies_unpacks_and_leaves_only_the_h5_files(tmp_path, served):
    server, originals = served
    paths = download("shd", tmp_path / "cache", base_url=server.url, progress=False)
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["shd_test.h5", "shd_train.h5"]
    with open_dataset(paths["train"]) as ds:
        assert len(ds) == 30
        np.testing.assert_array_equal(ds[3][1], originals["train"][3][1])
    count = len(server.requests)
    download("shd", tmp_path / "cache", base_url=server.url, progress=False)
    assert len(server.requests) == count  # files present: no network at all


def test_checksum_mismatch_leaves_nothing_behind(tmp_path, served):
    server, _ = served
    body = bytearray(server.files["shd_train.h5.gz"])
    body[len(body) // 2] ^= 0xFF  # one corrupted byte
    server.files["shd_train.h5.gz"] = bytes(body)
    with pytest.raises(DataError, match=r"shd_train\.h5\.gz: checksum mismatch"):
        download("shd", tmp_path / "cache", base_url=server.url, progress=False)
    assert list((tmp_path / "cache").iterdir()) == []


def test_interrupted_transfer_resumes_with_a_range_request(tmp_path, served):
    server, _ = served
    server.drop_after["shd_train.h5.gz"] = 1000
    paths = download("shd", tmp_path / "cache", base_url=server.url, progress=False)
    ranges = [r for path, r in server.requests if path.endswith("shd_train.h5.gz")]
    assert ranges == [None, "bytes=1000-"]
    with open_dataset(paths["train"]) as ds:
        assert len(ds) == 30


def test_a_partial_file_left_by_an_earlier_run_is_resumed(tmp_path, served):
    server, _ = served
    server.drop_after["shd_train.h5.gz"] = 700
    with pytest.raises(DataError, match=r"interrupted.*700 bytes received are kept.*run the same command again"):
        download("shd", tmp_path / "cache", base_url=server.url, progress=False, retries=0)
    part = tmp_path / "cache" / "shd_train.h5.gz.part"
    assert part.stat().st_size == 700 and not (tmp_path / "cache" / "shd_train.h5").exists()
    download("shd", tmp_path / "cache", base_url=server.url, progress=False)
    ranges = [r for path, r in server.requests if path.endswith("shd_train.h5.gz")]
    assert ranges == [None, "bytes=700-"] and not part.exists()
    assert (tmp_path / "cache" / "shd_train.h5").exists()


def test_a_complete_partial_file_is_verified_without_transfer(tmp_path, served):
    server, _ = served
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "shd_train.h5.gz.part").write_bytes(server.files["shd_train.h5.gz"])
    download("shd", tmp_path / "cache", base_url=server.url, progress=False)
    ranges = [r for path, r in server.requests if path.endswith("shd_train.h5.gz")]
    assert ranges == [f"bytes={len(server.files['shd_train.h5.gz'])}-"]  # answered 416: nothing left to send
    assert (tmp_path / "cache" / "shd_train.h5").exists()


def test_mirror_is_tried_when_the_first_address_fails(tmp_path, served):
    server, _ = served
    missing = server.url.replace("/base/", "/elsewhere/")
    download("shd", tmp_path / "cache", base_url=[missing, server.url], progress=False)
    assert (tmp_path / "cache" / "shd_test.h5").exists()


def test_offline_says_so_in_one_line_and_where_to_put_files(tmp_path):
    with pytest.raises(DataError) as info:
        download("shd", tmp_path / "cache", base_url="http://127.0.0.1:9/", progress=False, timeout=5)
    message = str(info.value)
    assert "\n" not in message
    assert "cannot download shd" in message and "by hand" in message and str(tmp_path / "cache") in message
    assert "shd_train.h5.gz" in message and "SNNLIB_DATA" in message
    assert not (tmp_path / "cache").exists()  # nothing created when nothing could be fetched


def test_unknown_dataset_name(tmp_path):
    with pytest.raises(DataError, match="downloadable are shd, ssc"):
        download("mnist", tmp_path)


def test_environment_chooses_folder_and_address(tmp_path, served, monkeypatch):
    server, _ = served
    monkeypatch.setenv("SNNLIB_DATA", str(tmp_path / "env"))
    monkeypatch.setenv("SNNLIB_DATA_URL", server.url)
    paths = download("shd", progress=False)
    assert paths["test"] == tmp_path / "env" / "shd_test.h5" and paths["test"].exists()


def test_default_folders(monkeypatch, tmp_path):
    monkeypatch.delenv("SNNLIB_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert resolve_data_dir() == tmp_path / "xdg" / "snnlib"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert resolve_data_dir().parts[-2:] == (".cache", "snnlib")
    assert resolve_data_dir(tmp_path) == tmp_path
    monkeypatch.delenv("SNNLIB_DATA_URL", raising=False)
    assert base_urls() == ["https://zenkelab.org/datasets/", "https://compneuro.net/datasets/"]
    assert base_urls("http://a/x, http://b/y/") == ["http://a/x/", "http://b/y/"]


def test_cli_download(tmp_path, served, capsys):
    server, _ = served
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["data", "download", "shd", "--dir", str(tmp_path / "c"), "--base-url", server.url,
                              "--no-progress"])
    assert args.func(args) == 0
    assert "shd train:" in capsys.readouterr().out


# -- archives already in the folder, full disks ------------------------------------------------------------------------

def test_an_archive_already_in_the_folder_is_verified_before_unpacking(tmp_path, served):
    server, _ = served
    cache = tmp_path / "cache"
    cache.mkdir()
    bad = bytearray(server.files["shd_train.h5.gz"])
    bad[len(bad) // 2] ^= 0xFF
    (cache / "shd_train.h5.gz").write_bytes(bytes(bad))
    with pytest.raises(DataError, match=r"shd_train\.h5\.gz: already in the folder but its MD5 .* delete or move it"):
        download("shd", cache, base_url=server.url, progress=False)
    assert not (cache / "shd_train.h5").exists()
    assert (cache / "shd_train.h5.gz").read_bytes() == bytes(bad)  # the user's file is left alone


def test_a_verified_archive_already_in_the_folder_is_used_without_transfer(tmp_path, served):
    server, originals = served
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "shd_train.h5.gz").write_bytes(server.files["shd_train.h5.gz"])
    paths = download("shd", cache, base_url=server.url, progress=False)
    assert not any(path.endswith("shd_train.h5.gz") for path, _ in server.requests)
    with open_dataset(paths["train"]) as ds:
        np.testing.assert_array_equal(ds[5][1], originals["train"][5][1])


def test_not_enough_space_for_the_transfer_is_said_before_downloading(tmp_path, served, monkeypatch):
    from snnlib import _io

    server, _ = served
    monkeypatch.setattr(_io, "free_space", lambda folder: 1000)  # simulated: a nearly full disk
    with pytest.raises(DataError) as info:
        download("shd", tmp_path / "cache", base_url=server.url, progress=False)
    message = str(info.value)
    assert "\n" not in message
    assert f"not enough disk space in {tmp_path / 'cache'}" in message and "1000 B is available" in message
    assert message.endswith("choose another folder (run the same command again to resume)")
    assert not (tmp_path / "cache" / "shd_train.h5").exists()


class _FillingFile:
    """A file whose writes fail with ENOSPC once ``room`` bytes are written (the bytes before are written)."""

    def __init__(self, path, mode, room):
        self._file = open(path, mode)
        self._room = room

    def write(self, data):
        import errno

        if len(data) > self._room:
            self._file.write(data[: self._room])
            self._room = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self._room -= len(data)
        return self._file.write(data)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._file.close()


def test_disk_full_during_transfer_keeps_the_partial_download_for_resume(tmp_path, served, monkeypatch):
    module = importlib.import_module("snnlib.data.fetch")  # where every transfer writes

    server, _ = served
    archive = server.files["shd_train.h5.gz"]
    monkeypatch.setattr(module, "CHUNK", 512)
    monkeypatch.setattr(module, "open", lambda path, mode="r": _FillingFile(path, mode, 1500), raising=False)
    with pytest.raises(DataError) as info:
        download("shd", tmp_path / "cache", base_url=server.url, progress=False)
    message = str(info.value)
    assert "\n" not in message and "disk full while writing" in message
    assert "1500 bytes received so far are kept" in message and "run the same command again to resume" in message
    part = tmp_path / "cache" / "shd_train.h5.gz.part"
    assert part.read_bytes() == archive[:1500]  # a clean prefix of the archive
    monkeypatch.undo()
    download("shd", tmp_path / "cache", base_url=server.url, progress=False)  # space freed: resumes and finishes
    ranges = [r for path, r in server.requests if path.endswith("shd_train.h5.gz")]
    assert ranges[-1] == "bytes=1500-"
    assert (tmp_path / "cache" / "shd_train.h5").exists() and not part.exists()


def test_disk_full_while_unpacking_keeps_the_verified_archive(tmp_path, served, monkeypatch):
    import errno

    module = importlib.import_module("snnlib.data.fetch")  # where every archive is unpacked

    server, _ = served
    cache = tmp_path / "cache"

    def full(source, out, length=0):
        out.write(source.read(100))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(module.shutil, "copyfileobj", full)
    with pytest.raises(DataError) as info:
        download("shd", cache, base_url=server.url, progress=False)
    message = str(info.value)
    assert "\n" not in message and "disk full" in message and "verified archive" in message and "is kept" in message
    assert "delete" not in message
    assert sorted(p.name for p in cache.iterdir()) == ["shd_train.h5.gz"]  # no .h5, no temporary file
    monkeypatch.undo()
    count = len(server.requests)
    download("shd", cache, base_url=server.url, progress=False)  # space freed: unpacked without a new transfer
    assert not any(path.endswith("shd_train.h5.gz") for path, _ in server.requests[count:])
    assert sorted(p.name for p in cache.iterdir()) == ["shd_test.h5", "shd_train.h5"]


def test_not_enough_space_to_unpack_is_said_before_unpacking(tmp_path, served, monkeypatch):
    from snnlib import _io

    server, _ = served
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "shd_train.h5.gz").write_bytes(server.files["shd_train.h5.gz"])
    unpacked = len(gzip.decompress(server.files["shd_train.h5.gz"]))
    monkeypatch.setattr(_io, "free_space", lambda folder: unpacked // 2)
    with pytest.raises(DataError, match=r"not enough disk space .* shd_train\.h5.*verified archive .* is kept"):
        download("shd", cache, base_url=server.url, progress=False)
    assert sorted(p.name for p in cache.iterdir()) == ["shd_train.h5.gz"]


def test_real_full_disk_during_download(tmp_path, served):
    from tests.tmpfs import small_tmpfs

    server, _ = served
    big = np.random.default_rng(0).bytes(3 << 20)  # incompressible: 3 MiB that cannot fit a 2 MiB disk
    server.files["shd_train.h5.gz"] = big
    server.files["md5sums.txt"] = (f"{hashlib.md5(big).hexdigest()}  shd_train.h5.gz\n"
                                   + server.files["md5sums.txt"].decode().splitlines()[1] + "\n").encode()
    with small_tmpfs(tmp_path / "disk", "2m") as disk:
        with pytest.raises(DataError, match="not enough disk space .*run the same command again to resume"):
            download("shd", disk / "cache", base_url=server.url, progress=False)
        assert not (disk / "cache" / "shd_train.h5").exists()


def test_not_enough_space_to_resume_keeps_the_partial_download(tmp_path, served, monkeypatch):
    from snnlib import _io

    server, _ = served
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "shd_train.h5.gz.part").write_bytes(server.files["shd_train.h5.gz"][:700])
    monkeypatch.setattr(_io, "free_space", lambda folder: 1000)
    with pytest.raises(DataError) as info:
        download("shd", cache, base_url=server.url, progress=False)
    assert str(info.value).endswith(f"(the 700 bytes received so far are kept in {cache / 'shd_train.h5.gz.part'}; "
                                    "run the same command again to resume)")
    assert (cache / "shd_train.h5.gz.part").stat().st_size == 700
