"""How every download of :mod:`snnlib.data` reaches the disk: the data folder, resumable HTTP, checksums and
atomic unpacking. The datasets' own rules (addresses, checksum lists, manifests) are in :mod:`snnlib.data.download`
(SHD, SSC) and :mod:`snnlib.data.fsdd_download` (FSDD).

- :func:`transfer` appends to a ``.part`` file, resuming with an HTTP Range request after an interruption (at most
  ``retries`` times; the ``.part`` is kept, so running the command again continues where it stopped), after checking
  that the disk has room for the bytes still to come; :func:`transfer_first` tries several addresses in turn and
  raises :class:`Unreachable` with every address's reason when none answers.
- :func:`md5` is the digest the published checksum lists use.
- :func:`gunzip` unpacks a verified archive to its final name through a temporary file (:func:`snnlib._io.atomic_path`),
  after checking the space the archive declares; the archive is kept whatever happens.

Where files go: :func:`resolve_data_dir`. Only the standard library speaks HTTP.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import struct
import zlib
from http.client import HTTPException
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from tqdm import tqdm

from snnlib import _io
from snnlib.data.schema import DataError

__all__ = ["CHUNK", "Unreachable", "resolve_data_dir", "transfer_first", "transfer", "gunzip", "md5", "request",
           "reason"]

CHUNK = 1 << 20  # bytes per read, both from the network and from disk


class Unreachable(Exception):
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


def transfer_first(urls, part: Path, progress: bool, retries: int, timeout: float) -> None:
    """Download into ``part`` from the first of ``urls`` that answers (resuming what ``part`` holds); raises
    ``Unreachable`` with every address's reason when none does."""
    reasons = []
    for url in urls:
        try:
            transfer(url, part, progress, retries, timeout)
            return
        except Unreachable as exc:
            reasons.append(str(exc))
    raise Unreachable("; ".join(reasons))


def transfer(url: str, part: Path, progress: bool, retries: int, timeout: float) -> None:
    """Append the rest of ``url`` to ``part``, resuming after interruptions (at most ``retries`` times)."""
    interruptions = 0
    while True:
        offset = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        try:
            response = urlopen(request(url, headers), timeout=timeout)
        except HTTPError as exc:
            if exc.code == 416 and offset:  # the .part already holds the whole file; the checksum decides
                return
            raise Unreachable(f"{url}: {reason(exc)}") from None
        except (URLError, OSError, HTTPException) as exc:
            raise Unreachable(f"{url}: {reason(exc)}") from None
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
                            chunk = response.read(CHUNK)
                        except (OSError, HTTPException) as exc:
                            problem = reason(exc)
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


def gunzip(archive: Path, dest: Path) -> None:
    """Unpack the verified ``archive`` to ``dest`` atomically. The archive is kept whatever happens."""
    needed = _unpacked_size(archive)
    try:
        with _io.atomic_path(dest) as tmp:
            _io.ensure_free_space(dest.parent, needed, dest.name)
            with open(tmp, "wb") as out, gzip.open(archive, "rb") as source:
                shutil.copyfileobj(source, out, CHUNK)
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


def md5(path: Path) -> str:
    """The MD5 of a file, as hex (the digest of the published checksum lists)."""
    digest = hashlib.md5()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def request(url: str, headers: dict | None = None) -> Request:
    """An HTTP request for ``url`` with snnlib's User-Agent and ``headers``."""
    return Request(url, headers={"User-Agent": "snnlib-data", **(headers or {})})


def reason(exc: BaseException) -> str:
    """What went wrong with a request, in a few words (``HTTP 404 Not Found``, the connection error)."""
    if isinstance(exc, HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, URLError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__

