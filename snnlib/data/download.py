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

The Free Spoken Digit Dataset (:func:`download_fsdd`, ``download("fsdd")``) comes from its public repository at the
pinned commit :data:`FSDD_COMMIT`, as the tar.gz archive GitHub makes of that commit. GitHub does not promise that
an archive's bytes stay the same, so the archive is not checked by a checksum of its own: its ``recordings/*.wav``
are checked after unpacking against :data:`FSDD_MANIFEST` (file count, total size and one SHA-256 over the sorted
``name sha256`` lines). The recordings are unpacked into a temporary folder and renamed to
``<data folder>/fsdd/recordings`` only once they match, so that folder is always complete and verified.
"""
from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import re
import shutil
import struct
import sys
import tarfile
import tempfile
import zlib
from http.client import HTTPException
from pathlib import Path, PurePosixPath
from typing import NamedTuple
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


def _transfer_first(urls, part: Path, progress: bool, retries: int, timeout: float) -> None:
    """Download into ``part`` from the first of ``urls`` that answers (resuming what ``part`` holds); raises
    ``_Unreachable`` with every address's reason when none does."""
    reasons = []
    for url in urls:
        try:
            _transfer(url, part, progress, retries, timeout)
            return
        except _Unreachable as exc:
            reasons.append(str(exc))
    raise _Unreachable("; ".join(reasons))


def _fetch_verified(urls, archive: Path, md5: str, progress: bool, retries: int, timeout: float) -> None:
    part = archive.with_name(archive.name + ".part")
    _transfer_first(urls, part, progress, retries, timeout)
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


# -- the Free Spoken Digit Dataset ------------------------------------------------------------------------------------

FSDD = "fsdd"
#: The commit of github.com/Jakobovski/free-spoken-digit-dataset whose recordings are fetched (2024-05-02).
FSDD_COMMIT = "26eb9aaf76e81b692f806f9140c2d2777410d7a1"
_FSDD_REPO = "Jakobovski/free-spoken-digit-dataset"
#: Where the archive of that commit is fetched, tried in this order (GitHub's archive service, then the address
#: GitHub's REST API documents for a repository tarball, which redirects to it). ``$SNNLIB_FSDD_URL`` replaces them.
FSDD_URLS = (f"https://codeload.github.com/{_FSDD_REPO}/tar.gz/{FSDD_COMMIT}",
             f"https://api.github.com/repos/{_FSDD_REPO}/tarball/{FSDD_COMMIT}")
#: Name of the archive in the data folder (also where a copy fetched by hand goes).
FSDD_ARCHIVE = f"free-spoken-digit-dataset-{FSDD_COMMIT}.tar.gz"
FSDD_LICENCE = "CC BY-SA 4.0"


class Manifest(NamedTuple):
    """What a folder of recordings must hold: ``count`` ``.wav`` files of ``total_bytes`` bytes in all, and
    ``sha256`` = SHA-256 of the lines ``"NAME SHA256\\n"`` (one per file, sorted by name, lower-case hex)."""

    count: int
    total_bytes: int
    sha256: str


#: ``recordings/*.wav`` at :data:`FSDD_COMMIT` (3000 files; every one's git blob id equals the commit's).
FSDD_MANIFEST = Manifest(3000, 21_128_848, "dbd573d7cafe79c4b49f65718115e1304e24e067fa39eff18a660dc6cb9c360f")


class FsddResult(NamedTuple):
    """The verified recordings folder, and whether it was already there (nothing downloaded or unpacked)."""

    path: Path
    already_present: bool


def fsdd_urls(url=None) -> list[str]:
    """Addresses of the FSDD archive to try: ``url`` (a string or a list), else ``$SNNLIB_FSDD_URL`` (separated by
    spaces or commas), else :data:`FSDD_URLS`."""
    if url is None:
        url = os.environ.get("SNNLIB_FSDD_URL") or list(FSDD_URLS)
    if isinstance(url, str):
        url = re.split(r"[\s,]+", url.strip())
    urls = [u for u in url if u]
    if not urls:
        raise DataError("no address to download FSDD from; set SNNLIB_FSDD_URL or pass url")
    return urls


def manifest_of(names_and_digests) -> Manifest:
    """The :class:`Manifest` of ``(name, sha256 hex, size)`` triples (any order)."""
    items = sorted(names_and_digests)
    digest = hashlib.sha256("".join(f"{name} {sha}\n" for name, sha, _ in items).encode())
    return Manifest(len(items), sum(size for _, _, size in items), digest.hexdigest())


def folder_manifest(folder) -> Manifest:
    """The :class:`Manifest` of the ``*.wav`` files in ``folder``."""
    items = []
    for path in Path(folder).iterdir():
        if path.suffix == ".wav" and path.is_file():
            digest = hashlib.sha256()
            with open(path, "rb") as f:
                while block := f.read(_CHUNK):
                    digest.update(block)
            items.append((path.name, digest.hexdigest(), path.stat().st_size))
    return manifest_of(items)


def _differences(found: Manifest, expected: Manifest) -> str:
    if found.count != expected.count:
        return f"{found.count} recordings where the pinned commit has {expected.count}"
    if found.total_bytes != expected.total_bytes:
        return f"{found.total_bytes} bytes of recordings where the pinned commit has {expected.total_bytes}"
    return "the recordings' content differs from the pinned commit's (SHA-256 manifest mismatch)"


def download_fsdd(
    data_dir=None,
    *,
    url=None,
    progress: bool | None = None,
    retries: int = 3,
    timeout: float = 60.0,
    keep_archive: bool = False,
) -> FsddResult:
    """Download the FSDD recordings at :data:`FSDD_COMMIT` into ``<data folder>/fsdd/recordings``, verified.

    The archive is fetched to ``<data folder>/FSDD_ARCHIVE.part`` (resumed with HTTP Range after an interruption),
    its ``recordings/*.wav`` members are unpacked into a temporary folder (other members are skipped; absolute
    paths, ``..``, links and special files are refused), checked against :data:`FSDD_MANIFEST` and only then renamed
    to ``recordings``. An archive ``FSDD_ARCHIVE`` already in the data folder (fetched by hand) is used without the
    network and verified the same way. A recordings folder already there is verified and returned.

    Args:
        data_dir: the data folder (see :func:`resolve_data_dir`).
        url: address(es) of the archive (see :func:`fsdd_urls`).
        progress, retries, timeout: as for :func:`download`.
        keep_archive: keep the archive after a successful unpacking.

    Raises:
        DataError: no address reachable (the message names the URL to fetch by hand and where to put the file);
            recordings that do not match the manifest (nothing is installed); unsafe archive members; too little
            disk space; a recordings folder already there that does not match.
    """
    folder = resolve_data_dir(data_dir)
    target = folder / FSDD / "recordings"
    if target.exists():
        found = folder_manifest(target) if target.is_dir() else None
        if found == FSDD_MANIFEST:
            return FsddResult(target, True)
        problem = _differences(found, FSDD_MANIFEST) if found else "it is a file"
        raise DataError(f"{target} is already there but is not the pinned FSDD ({problem}); move or delete it, then "
                        "run the command again")
    if progress is None:
        progress = sys.stderr.isatty()
    urls = fsdd_urls(url)
    archive = folder / FSDD_ARCHIVE
    part = archive.with_name(archive.name + ".part")
    if archive.exists():  # fetched by hand or kept: unpacked and verified like a fresh download, never deleted if bad
        _unpack_fsdd(archive, target, remove_if_bad=False)
    else:
        try:
            _io.ensure_free_space(_io._nearest_existing(folder), 2 * FSDD_MANIFEST.total_bytes, FSDD_ARCHIVE)
        except _io.NotEnoughSpace as exc:
            raise DataError(f"{exc} (the archive and the unpacked recordings need about twice "
                            f"{_io.format_bytes(FSDD_MANIFEST.total_bytes)})") from None
        created = not folder.exists()
        _io.prepare_folder(folder, DataError)
        try:
            _transfer_first(urls, part, progress, retries, timeout)
        except _Unreachable as exc:
            if created:  # nothing could be fetched: leave no empty folder behind
                with contextlib.suppress(OSError):
                    folder.rmdir()
            raise DataError(_fsdd_offline_message(str(exc), urls, archive)) from None
        _unpack_fsdd(part, target, remove_if_bad=True)
        if keep_archive:
            os.replace(part, archive)
        else:
            part.unlink()
        return FsddResult(target, False)
    if not keep_archive:
        archive.unlink()
    return FsddResult(target, False)


def _fsdd_offline_message(reason: str, urls: list[str], archive: Path) -> str:
    return (
        f"cannot download fsdd ({reason}). Without network: fetch {urls[0]} by hand, save it as {archive} and run "
        f"`python -m snnlib data download fsdd` again: it unpacks and verifies the file without the network "
        f"(or set SNNLIB_FSDD to a folder that already holds the FSDD recordings)"
    )


def _unsafe(name: str) -> bool:
    path = PurePosixPath(name)
    return name.startswith(("/", "\\")) or ".." in path.parts or re.match(r"^[A-Za-z]:", name) is not None


def _unpack_fsdd(archive: Path, target: Path, *, remove_if_bad: bool) -> None:
    """Unpack the ``recordings/*.wav`` of ``archive`` into ``target`` atomically, verified against the manifest.

    ``remove_if_bad``: delete ``archive`` when it cannot be used (a fresh download); an archive put there by hand is
    left alone and the message says so."""
    def refuse(problem: str, *, damaged: bool = True):
        if remove_if_bad:
            archive.unlink(missing_ok=True)
            what = "the download was deleted; run the command again (if it fails again, the server's copy differs)"
        else:
            what = "it was left as it is: delete or move it, then run the command again to download a fresh copy"
        raise DataError(f"{archive}: {problem}; nothing was installed, {what}")

    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = []
            for member in tar:
                if _unsafe(member.name) or (member.islnk() and _unsafe(member.linkname)):
                    refuse(f"unsafe member {member.name!r} in the archive (absolute path or '..'); refused")
                parts = PurePosixPath(member.name).parts
                if len(parts) >= 3 and parts[1] == "recordings":
                    if member.issym() or member.islnk() or member.isdev():
                        refuse(f"member {member.name!r} is a link or special file, not a recording; refused")
                    if member.isfile() and len(parts) == 3 and parts[2].endswith(".wav"):
                        members.append(member)
            if not members:
                refuse("no recordings/*.wav in the archive; it is not the FSDD repository's archive")
            tops = {PurePosixPath(m.name).parts[0] for m in members}
            if len(tops) > 1:
                refuse(f"recordings under several top folders ({', '.join(sorted(tops))}); refused")
            fsdd_dir = target.parent
            try:
                _io.ensure_free_space(_io._nearest_existing(fsdd_dir), sum(m.size for m in members),
                                      "the FSDD recordings")
            except _io.NotEnoughSpace as exc:
                raise DataError(f"{exc} (the archive is kept in {archive}; run the same command again)") from None
            created = not fsdd_dir.exists()
            fsdd_dir.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=".recordings.", suffix=_io.TEMP_SUFFIX, dir=fsdd_dir))
            try:
                items = []
                for member in members:
                    name = PurePosixPath(member.name).name
                    source = tar.extractfile(member)
                    digest = hashlib.sha256()
                    with open(tmp / name, "wb") as out:
                        while block := source.read(_CHUNK):
                            digest.update(block)
                            out.write(block)
                    items.append((name, digest.hexdigest(), member.size))
                found = manifest_of(items)
                if found != FSDD_MANIFEST:
                    refuse(f"{_differences(found, FSDD_MANIFEST)}")
                os.chmod(tmp, 0o777 & ~_io._umask())
                os.rename(tmp, target)
                _io._fsync_folder(fsdd_dir)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                if created:  # an empty fsdd/ would look like a (broken) copy of the dataset
                    with contextlib.suppress(OSError):
                        fsdd_dir.rmdir()
                raise
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        refuse(f"not a complete tar.gz archive ({exc})")
    except DataError:
        raise
    except OSError as exc:
        raise DataError(f"the FSDD recordings could not be unpacked: {_io.write_error_message(exc, target)}; "
                        f"the archive {archive} is kept, run the same command again") from None
