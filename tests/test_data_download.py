"""Download against a local HTTP server (127.0.0.1, in a thread) that speaks HTTP Range and can misbehave."""
import argparse
import gzip
import hashlib
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
