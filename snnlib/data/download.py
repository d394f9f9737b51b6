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
The transfer, the digest and the unpacking are :mod:`snnlib.data.fetch`'s, shared with the FSDD download.

Where files go: the ``data_dir`` argument, else the ``SNNLIB_DATA`` environment variable, else a per-user cache
(``$XDG_CACHE_HOME/snnlib`` or ``~/.cache/snnlib``; :func:`~snnlib.data.fetch.resolve_data_dir`). Where they come
from: the ``base_url`` argument, else ``SNNLIB_DATA_URL`` (one or more base addresses separated by spaces or commas),
else :data:`BASE_URLS`.

The Free Spoken Digit Dataset (``download("fsdd")``) is :mod:`snnlib.data.fsdd_download`'s :func:`download_fsdd`
(its names are importable from here as well).
"""
from __future__ import annotations

import os
import re
import sys
from http.client import HTTPException
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import urlopen

from snnlib import _io
from snnlib.data.fetch import Unreachable, gunzip, md5, reason, request, resolve_data_dir, transfer_first
from snnlib.data.fsdd_download import (FSDD, FSDD_ARCHIVE, FSDD_COMMIT, FSDD_LICENCE, FSDD_MANIFEST, FSDD_URLS,
                                       FsddResult, Manifest, download_fsdd, folder_manifest, fsdd_urls, manifest_of)
from snnlib.data.schema import PUBLISHED, DataError

__all__ = ["BASE_URLS", "CHECKSUM_FILE", "base_urls", "download", "resolve_data_dir",
           # the FSDD download (snnlib.data.fsdd_download), reached through download("fsdd") too
           "FSDD", "FSDD_ARCHIVE", "FSDD_COMMIT", "FSDD_LICENCE", "FSDD_MANIFEST", "FSDD_URLS", "FsddResult",
           "Manifest", "download_fsdd", "folder_manifest", "fsdd_urls", "manifest_of"]

#: The dataset authors' site and its mirror, tried in this order.
BASE_URLS = ("https://zenkelab.org/datasets/", "https://compneuro.net/datasets/")
CHECKSUM_FILE = "md5sums.txt"


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
        name: ``"shd"`` (shd_train, shd_test), ``"ssc"`` (ssc_train, ssc_valid, ssc_test) or ``"fsdd"`` (see
            :func:`download_fsdd`; returns ``{"recordings": folder}``, ``base_url`` then gives the archive's full
            address(es)).
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
    if name == FSDD:
        return {"recordings": download_fsdd(data_dir, url=base_url, progress=progress, retries=retries,
                                            timeout=timeout, keep_archive=keep_archive).path}
    if name not in PUBLISHED:
        raise DataError(
            f"unknown dataset {name!r}; downloadable are {', '.join([*PUBLISHED, FSDD])} "
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
    except Unreachable as exc:
        raise DataError(_offline_message(name, exc, urls, archives, folder)) from None
    _io.prepare_folder(folder, DataError)
    for path in missing.values():
        archive = path.with_name(path.name + ".gz")
        if archive.name not in checksums:
            raise DataError(f"{CHECKSUM_FILE} at {urls[0]} lists no checksum for {archive.name}; cannot verify it")
        if archive.exists():  # kept from an earlier run, or put there by hand: verify it like a fresh download
            digest = md5(archive)
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
            except Unreachable as exc:
                raise DataError(_offline_message(name, exc, urls, archives, folder)) from None
        gunzip(archive, path)
        if not keep_archive:
            archive.unlink()
    return targets


def _checksums(urls: list[str], timeout: float) -> tuple[dict[str, str], list[str]]:
    """Parse md5sums.txt from the first address serving it; return it and the addresses, that one first."""
    reasons = []
    for i, url in enumerate(urls):
        try:
            with urlopen(request(url + CHECKSUM_FILE), timeout=timeout) as response:
                text = response.read().decode("utf-8", errors="replace")
        except (HTTPError, URLError, OSError, HTTPException) as exc:
            reasons.append(f"{url + CHECKSUM_FILE}: {reason(exc)}")
            continue
        checksums = {}
        for line in text.splitlines():
            parts = line.split()
            if len(parts) >= 2 and re.fullmatch(r"[0-9a-fA-F]{32}", parts[0]):
                checksums[parts[-1].lstrip("*")] = parts[0].lower()
        return checksums, [url] + urls[:i] + urls[i + 1 :]
    raise Unreachable("; ".join(reasons))


def _fetch_verified(urls, archive: Path, expected: str, progress: bool, retries: int, timeout: float) -> None:
    part = archive.with_name(archive.name + ".part")
    transfer_first(urls, part, progress, retries, timeout)
    digest = md5(part)
    if digest != expected:
        part.unlink()
        raise DataError(
            f"{archive.name}: checksum mismatch (MD5 {digest}, {CHECKSUM_FILE} says {expected}); the download was "
            "deleted, run the command again (if it fails again, the server's copy is damaged)"
        )
    os.replace(part, archive)


def _offline_message(name: str, exc: Exception, urls: list[str], archives: list[str], folder: Path) -> str:
    unpacked = [a.removesuffix(".gz") for a in archives]
    return (
        f"cannot download {name} ({exc}). Without network: fetch {', '.join(archives)} and {CHECKSUM_FILE} from "
        f"{' or '.join(urls)} by hand, check them with md5sum, gunzip them and put {', '.join(unpacked)} in {folder} "
        "(or set SNNLIB_DATA to the folder holding them)"
    )
