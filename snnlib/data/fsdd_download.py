"""Download of the Free Spoken Digit Dataset's recordings at a pinned commit, verified against a manifest.

The recordings come from the dataset's public repository at the pinned commit :data:`FSDD_COMMIT`, as the tar.gz
archive GitHub makes of that commit. GitHub does not promise that an archive's bytes stay the same, so the archive is
not checked by a checksum of its own: its ``recordings/*.wav`` are checked after unpacking against
:data:`FSDD_MANIFEST` (file count, total size and one SHA-256 over the sorted ``name sha256`` lines). The recordings
are unpacked into a temporary folder and renamed to ``<data folder>/fsdd/recordings`` only once they match, so that
folder is always complete and verified.

:func:`download_fsdd` is also reached as ``snnlib.data.download("fsdd")`` and ``python -m snnlib data download fsdd``;
the transfer itself (resumable, space checked first) is :mod:`snnlib.data.fetch`'s.
"""
from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import re
import shutil
import sys
import tarfile
import tempfile
import zlib
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from snnlib import _io
from snnlib.data.fetch import CHUNK, Unreachable, resolve_data_dir, transfer_first
from snnlib.data.schema import DataError

__all__ = ["FSDD", "FSDD_COMMIT", "FSDD_URLS", "FSDD_ARCHIVE", "FSDD_LICENCE", "FSDD_MANIFEST", "Manifest",
           "FsddResult", "fsdd_urls", "manifest_of", "folder_manifest", "download_fsdd"]

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
                while block := f.read(CHUNK):
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
        progress, retries, timeout: as for :func:`snnlib.data.download.download`.
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
            transfer_first(urls, part, progress, retries, timeout)
        except Unreachable as exc:
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
                        while block := source.read(CHUNK):
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
