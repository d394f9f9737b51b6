"""Download of the published SHD and SSC files, checksum-verified and resumable.

The authors publish gzip archives (``shd_train.h5.gz``, ...) and an ``md5sums.txt`` at the same address, on the
Zenke lab site and its mirror. For each file, :func:`download`

1. appends to ``NAME.h5.gz.part`` (resuming with an HTTP Range request if a previous attempt was interrupted),
2. checks the MD5 of the whole ``.part`` against ``md5sums.txt``: on a mismatch it deletes the ``.part`` and stops,
3. renames the verified archive to ``NAME.h5.gz``, gunzips it to a temporary name and renames that to ``NAME.h5``,

so a file named ``NAME.h5`` is always complete and verified. An archive ``NAME.h5.gz`` already in the folder (kept
with ``keep_archive``, or put there by hand) is checked against ``md5sums.txt`` too before it is unpacked.

Full disks: before a transfer the free space is compared with the bytes still to come, and before unpacking with
the unpacked size the archive declares; a disk that fills anyway stops with one line. The ``.part`` of an
interrupted transfer is kept for resuming, and a verified archive is never deleted because unpacking failed.
Only the standard library speaks HTTP.

Where files go: the ``data_dir`` argument, else the ``SNNLIB_DATA`` environment variable, else a per-user cache
(``$XDG_CACHE_HOME/snnlib`` or ``~/.cache/snnlib``). Where they come from: the ``base_url`` argument, else
``SNNLIB_DATA_URL`` (one or more base addresses separated by spaces or commas), else :data:`BASE_URLS`.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import struct
import sys
import zlib
from http.client import HTTPException
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from tqdm import tqdm

from snnlib import _io
from snnlib.data.schema import PUBLISHED, DataError

#: The dataset authors' site and its mirror, tried in this order.
BASE_URLS = ("https://zenkelab.org/datasets/", "https://compneuro.net/datasets/")
CHECKSUM_FILE = "md5sums.txt"

_CHUNK = 1 << 20  # bytes per read, both from the network and from disk


class _Unreachable(Exception):
    """This base address does not serve the file (no connection, HTTP error): try the next one."""


def resolve_data_dir(path=None) -> Path:
    """Folder for datasets: ``path`` if given, else ``$SNNLIB_DATA``, else ``$XDG_CACHE_HOME/snnlib`` or
    ``~/.cache/snnlib``. The folder is not created here."""
    if path is not None:
        return Path(path).expanduser()
    if os.environ.get("SNNLIB_DATA"):
        return Path(os.environ["SNNLIB_DATA"]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache).expanduser() / "snnlib"


def base_urls(base_url=None) -> list[str]:
    """Base addresses to try, each ending in ``/``: ``base_url`` (a string or a list), else ``$SNNLIB_DATA_URL``,
    else :data:`BASE_URLS`."""
    if base_url is None:
        base_url = os.environ.get("SNNLIB_DATA_URL") or list(BASE_URLS)
    if isinstance(base_url, str):
        base_url = re.split(r"[\s,]+", base_url.strip())
    urls = [u if u.endswith("/") else u + "/" for u in base_url if u]
    if not urls:
        raise DataError("no base address to download from; set SNNLIB_DATA_URL or pass base_url")
    return urls


def download(
    name: str,
    data_dir=None,
    *,
    base_url=None,
    progress: bool | None = None,
    retries: int = 3,
    timeout: float = 60.0,
    keep_archive: bool = False,
) -> dict[str, Path]:
    """Download, verify and unpack the files of a published dataset.

    Args:
        name: ``"shd"`` (shd_train, shd_test) or ``"ssc"`` (ssc_train, ssc_valid, ssc_test).
        data_dir: destination folder (see :func:`resolve_data_dir`); created if needed.
        base_url: address(es) serving the ``.h5.gz`` files and ``md5sums.txt`` (see :func:`base_urls`).
        progress: show a progress bar; default: only when stderr is a terminal.
        retries: how many times an interrupted transfer is resumed before giving up (the ``.part`` is kept, so
            running again continues where it stopped).
        timeout: seconds without an answer before a connection attempt fails.
        keep_archive: keep the verified ``.h5.gz`` next to the ``.h5``.

    Returns:
        dict split -> path of the ``.h5`` file, e.g. ``{"train": .../shd_train.h5, "test": .../shd_test.h5}``.
        Files already present are not downloaded again.

    Raises:
        DataError: unknown name; no address reachable (the message says where to put files fetched by hand);
            checksum mismatch (nothing is left behind); transfer interrupted more than ``retries`` times.
    """
    if name not in PUBLISHED:
        raise DataError(
            f"unknown dataset {name!r}; downloadable are {', '.join(PUBLISHED)} "
            "(offline datasets are made with `python -m snnlib data make`)"
        )
    info = PUBLISHED[name]
    folder = resolve_data_dir(data_dir)
    targets = {split: folder / info.filename(split) for split in info.splits}
    missing = {split: path for split, path in targets.items() if not path.exists()}
    if not missing:
        return targets
    if progress is None:
        progress = sys.stderr.isatty()

    urls = base_urls(base_url)
    archives = [path.name + ".gz" for path in missing.values()]
    try:
        checksums, urls = _checksums(urls, timeout)
    except _Unreachable as exc:
        raise DataError(_offline_message(name, exc, urls, archives, folder)) from None
    _io.prepare_folder(folder, DataError)
    for path in missing.values():
        archive = path.with_name(path.name + ".gz")
        if archive.name not in checksums:
            raise DataError(f"{CHECKSUM_FILE} at {urls[0]} lists no checksum for {archive.name}; cannot verify it")
        if archive.exists():  # kept from an earlier run, or put there by hand: verify it like a fresh download
            digest = _md5(archive)
            if digest != checksums[archive.name]:
                raise DataError(
                    f"{archive}: already in the folder but its MD5 {digest} differs from {CHECKSUM_FILE} "
                    f"({checksums[archive.name]}); it is damaged or another file: delete or move it, then run the "
                    "command again to download a fresh copy"
                )
        else:
            try:
                _fetch_verified([u + archive.name for u in urls], archive, checksums[archive.name],
                                progress, retries, timeout)
            except _Unreachable as exc:
                raise DataError(_offline_message(name, exc, urls, archives, folder)) from None
        _gunzip(archive, path)
        if not keep_archive:
            archive.unlink()
    return targets


def _checksums(urls: list[str], timeout: float) -> tuple[dict[str, str], list[str]]:
    """Parse md5sums.txt from the first address serving it; return it and the addresses, that one first."""
    reasons = []
    for i, url in enumerate(urls):
        try:
            with urlopen(_request(url + CHECKSUM_FILE), timeout=timeout) as response:
                text = response.read().decode("utf-8", errors="replace")
        except (HTTPError, URLError, OSError, HTTPException) as exc:
            reasons.append(f"{url + CHECKSUM_FILE}: {_reason(exc)}")
            continue
        checksums = {}
        for line in text.splitlines():
            parts = line.split()
            if len(parts) >= 2 and re.fullmatch(r"[0-9a-fA-F]{32}", parts[0]):
                checksums[parts[-1].lstrip("*")] = parts[0].lower()
        return checksums, [url] + urls[:i] + urls[i + 1 :]
    raise _Unreachable("; ".join(reasons))


def _fetch_verified(urls, archive: Path, md5: str, progress: bool, retries: int, timeout: float) -> None:
    part = archive.with_name(archive.name + ".part")
    reasons = []
    for url in urls:
        try:
            _transfer(url, part, progress, retries, timeout)
            break
        except _Unreachable as exc:
            reasons.append(str(exc))
    else:
        raise _Unreachable("; ".join(reasons))
    digest = _md5(part)
    if digest != md5:
        part.unlink()
        raise DataError(
            f"{archive.name}: checksum mismatch (MD5 {digest}, {CHECKSUM_FILE} says {md5}); the download was "
            "deleted, run the command again (if it fails again, the server's copy is damaged)"
        )
    os.replace(part, archive)


def _transfer(url: str, part: Path, progress: bool, retries: int, timeout: float) -> None:
    """Append the rest of ``url`` to ``part``, resuming after interruptions (at most ``retries`` times)."""
    interruptions = 0
    while True:
        offset = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        try:
            response = urlopen(_request(url, headers), timeout=timeout)
        except HTTPError as exc:
            if exc.code == 416 and offset:  # the .part already holds the whole file; the checksum decides
                return
            raise _Unreachable(f"{url}: {_reason(exc)}") from None
        except (URLError, OSError, HTTPException) as exc:
            raise _Unreachable(f"{url}: {_reason(exc)}") from None
        with response:
            if response.status != 206 or not _resumes_at(response, offset):
                offset = 0  # the server sent the whole file: start the .part again
            length = response.headers.get("Content-Length")
            total = offset + int(length) if length and length.isdigit() else None
            try:
                _io.ensure_free_space(part.parent, (total or 0) - offset, part.name.removesuffix(".part"))
            except _io.NotEnoughSpace as exc:
                kept = f"the {offset} bytes received so far are kept in {part}; " if offset else ""
                raise DataError(f"{exc} ({kept}run the same command again to resume)") from None
            problem = None
            try:
                with open(part, "ab" if offset else "wb") as out, tqdm(
                    total=total, initial=offset, unit="B", unit_scale=True, unit_divisor=1024,
                    desc=part.name.removesuffix(".part"), disable=not progress, leave=False,
                ) as bar:
                    while True:
                        try:
                            chunk = response.read(_CHUNK)
                        except (OSError, HTTPException) as exc:
                            problem = _reason(exc)
                            break
                        if not chunk:
                            break
                        out.write(chunk)
                        bar.update(len(chunk))
            except OSError as exc:  # writing the .part failed: disk full, quota, permissions
                received = part.stat().st_size if part.exists() else 0
                raise DataError(
                    f"{_io.write_error_message(exc, part)} (the {received} bytes received so far are kept in "
                    f"{part}; run the same command again to resume)"
                ) from None
        received = part.stat().st_size
        if problem is None and (total is None or received >= total):
            return
        interruptions += 1
        if interruptions > retries:
            raise DataError(
                f"{url}: transfer interrupted {interruptions} times ({problem or 'connection closed early'}); "
                f"the {received} bytes received are kept in {part}, run the same command again to resume"
            )


def _resumes_at(response, offset: int) -> bool:
    content_range = response.headers.get("Content-Range", "")
    return content_range.startswith(f"bytes {offset}-")


def _gunzip(archive: Path, dest: Path) -> None:
    """Unpack the verified ``archive`` to ``dest`` atomically. The archive is kept whatever happens."""
    needed = _unpacked_size(archive)
    try:
        with _io.atomic_path(dest) as tmp:
            _io.ensure_free_space(dest.parent, needed, dest.name)
            with open(tmp, "wb") as out, gzip.open(archive, "rb") as source:
                shutil.copyfileobj(source, out, _CHUNK)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise DataError(
            f"{archive}: matches its checksum but cannot be unpacked ({exc}); the server's copy is damaged, "
            "try the mirror with --base-url"
        ) from None
    except OSError as exc:
        raise DataError(
            f"{archive.name} could not be unpacked: {_io.write_error_message(exc, dest)}. The verified archive {archive} is kept: run the "
            "same command again and it is unpacked without downloading"
        ) from None


def _unpacked_size(archive: Path) -> int:
    """Size of the unpacked file as the gzip trailer declares it (modulo 4 GiB, as gzip stores it)."""
    try:
        with open(archive, "rb") as f:
            f.seek(-4, os.SEEK_END)
            return struct.unpack("<I", f.read(4))[0]
    except (OSError, struct.error):
        return 0


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        while block := f.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _request(url: str, headers: dict | None = None) -> Request:
    return Request(url, headers={"User-Agent": "snnlib-data", **(headers or {})})


def _reason(exc: BaseException) -> str:
    if isinstance(exc, HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, URLError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__


def _offline_message(name: str, exc: Exception, urls: list[str], archives: list[str], folder: Path) -> str:
    unpacked = [a.removesuffix(".gz") for a in archives]
    return (
        f"cannot download {name} ({exc}). Without network: fetch {', '.join(archives)} and {CHECKSUM_FILE} from "
        f"{' or '.join(urls)} by hand, check them with md5sum, gunzip them and put {', '.join(unpacked)} in {folder} "
        "(or set SNNLIB_DATA to the folder holding them)"
    )
