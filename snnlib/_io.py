"""Writing files safely: atomically, with the usual permissions, with room checked first, leaving no debris.

Every file snnlib writes (datasets, checkpoints, logs, results, figures, downloads) goes through this module:

- :func:`atomic_path` / :func:`write_bytes` / :func:`write_text` write under a temporary name in the destination's
  folder, flush it to disk (``fsync``) and rename it over the destination (``os.replace``, atomic on POSIX and
  Windows). A reader sees the old file or the new one, never half of one. The temporary file is removed on every
  way out: success (renamed), an exception, Ctrl-C (``KeyboardInterrupt``).
- Files get the permissions of any new file: ``0666`` less the umask (``0644`` under the usual umask 022), not the
  ``0600`` of :func:`tempfile.mkstemp`.
- Temporary files are named ``.NAME.<host>-<pid>-<random>.snnlib-tmp``. A process killed outright (SIGKILL, power
  cut) cannot remove its own; the next write of the same ``NAME`` removes those whose process is gone
  (:func:`clean_stale`): same host and the process id no longer runs, or another host and older than a day.
- :func:`ensure_free_space` compares the bytes about to be written with the free space of the folder, so a write
  that cannot fit stops with :class:`NotEnoughSpace` naming the folder, the space needed and the space available,
  before the disk fills (HDF5 is not safe to run into a full disk: it can crash the process).
- :func:`available_memory` reports what the machine can still allocate, for size checks before big allocations.
"""
from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Suffix of every temporary file snnlib creates (see :func:`temp_path`).
TEMP_SUFFIX = ".snnlib-tmp"

#: A temporary file of another host is treated as abandoned after this many seconds.
FOREIGN_STALE_SECONDS = 24 * 3600

#: Bytes kept free beyond the estimate of a write (file-system metadata, HDF5 headers written on close).
SPACE_MARGIN = 256 * 1024


class OutputError(OSError):
    """An output (a folder, a run's files) cannot be written: permission denied, disk full, ...; the message says
    which file and why, in one line."""


class NotEnoughSpace(OSError):
    """The folder lacks the free space a write needs. An ``OSError`` with errno ``ENOSPC``; ``str()`` is one line
    naming the folder, the bytes needed and the bytes available."""

    def __init__(self, message: str):
        super().__init__(errno.ENOSPC, message)

    def __str__(self) -> str:
        return str(self.strerror)


# -- temporary names ----------------------------------------------------------------------------------------------

def _host_tag() -> str:
    return hashlib.blake2b(socket.gethostname().encode("utf-8", "replace"), digest_size=4).hexdigest()


def temp_path(path) -> Path:
    """A fresh temporary name for ``path``, in the same folder: ``.NAME.<host>-<pid>-<random>.snnlib-tmp``."""
    path = Path(path)
    return path.with_name(f".{path.name}.{_host_tag()}-{os.getpid()}-{secrets.token_hex(4)}{TEMP_SUFFIX}")


def _temp_pattern(name: str) -> re.Pattern:
    return re.compile(rf"\.{re.escape(name)}\.([0-9a-f]{{8}})-([0-9]+)-[0-9a-f]+{re.escape(TEMP_SUFFIX)}")


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # it exists (another user's), or the number is not a pid we can judge: leave the file alone
    return True


def clean_stale(path) -> list[Path]:
    """Remove abandoned temporary files of ``path`` (same folder, same name); return those removed.

    Abandoned: written on this host by a process that no longer runs, or on another host (a shared file system)
    more than :data:`FOREIGN_STALE_SECONDS` ago. Files of running processes, and any file not named by
    :func:`temp_path` for this ``path``, are never touched. Errors (a file vanishing meanwhile, no permission) are
    ignored: cleaning is a courtesy.
    """
    path = Path(path)
    pattern = _temp_pattern(path.name)
    host = _host_tag()
    removed = []
    try:
        candidates = [p for p in path.parent.glob(f".{glob_escape(path.name)}.*{TEMP_SUFFIX}")]
    except OSError:
        return removed
    for candidate in candidates:
        match = pattern.fullmatch(candidate.name)
        if match is None:
            continue
        tag, pid = match.group(1), int(match.group(2))
        try:
            if tag == host:
                stale = pid != os.getpid() and not _process_exists(pid)
            else:
                stale = time.time() - candidate.lstat().st_mtime > FOREIGN_STALE_SECONDS
            if stale and candidate.is_file() and not candidate.is_symlink():
                candidate.unlink()
                removed.append(candidate)
        except OSError:
            continue
    return removed


def glob_escape(name: str) -> str:
    """``name`` with the glob metacharacters ``*?[`` escaped."""
    return re.sub(r"([*?\[])", r"[\1]", name)


# -- atomic writes ------------------------------------------------------------------------------------------------

@contextmanager
def atomic_path(path, *, mode: int | None = None) -> Iterator[Path]:
    """Context manager: yields a temporary path to write ``path``'s new content to; publishes it on success.

    The temporary file exists (empty) when the block starts; write to it by name (``h5py.File(tmp, "w")``,
    ``fig.savefig(tmp)``, ``open(tmp, "wb")``). When the block ends normally the file is flushed to disk, given
    ``mode`` (default: 0666 less the umask) and renamed to ``path``. When it ends by any exception, Ctrl-C included,
    the temporary file is removed and the exception propagates; ``path`` is untouched.

    Stale temporary files of ``path`` left by killed processes are removed first (:func:`clean_stale`).
    """
    path = Path(path)
    clean_stale(path)
    tmp = temp_path(path)
    # Created with 0666: the kernel applies the umask, exactly as for any new file.
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield tmp
        if mode is not None:
            os.chmod(tmp, mode)
        _fsync_file(tmp)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_folder(path.parent)


def write_bytes(path, data: bytes, *, mode: int | None = None) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_path`); returns ``path`` as a Path.

    Raises ``OSError`` (:class:`NotEnoughSpace` when the folder cannot hold ``data``, ``PermissionError``, ...)
    after removing the temporary file; ``path`` then keeps its previous content.
    """
    path = Path(path)
    with atomic_path(path, mode=mode) as tmp:  # stale temporary files are removed before the space is measured
        ensure_free_space(path.parent, len(data), path.name)
        with open(tmp, "wb") as handle:
            handle.write(data)
    return path


def write_text(path, text: str, *, encoding: str = "utf-8", mode: int | None = None) -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`write_bytes`)."""
    return write_bytes(path, text.encode(encoding), mode=mode)


def default_mode() -> int:
    """Permissions of a new file: 0666 less the process's umask (0644 under umask 022)."""
    return 0o666 & ~_umask()


def _umask() -> int:
    try:  # Linux: read it without changing it (os.umask would, for a moment, for every thread)
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def publish(tmp, path, *, mode: int | None = None) -> Path:
    """Give a finished file ``tmp`` the usual permissions (or ``mode``), flush it and rename it to ``path``."""
    os.chmod(tmp, default_mode() if mode is None else mode)
    _fsync_file(tmp)
    os.replace(tmp, path)
    _fsync_folder(Path(path).parent)
    return Path(path)


def _fsync_file(path) -> None:
    """Flush ``path`` to disk. An I/O error (EIO, ENOSPC) propagates: the data may not be on disk. A file system or
    platform that cannot sync this way (EINVAL, EBADF: Windows wants a writable handle) gets a second try with one,
    then is left as it is."""
    for flags in (os.O_RDONLY, os.O_RDWR):
        try:
            fd = os.open(path, flags)
        except PermissionError:
            continue
        try:
            os.fsync(fd)
            return
        except OSError as exc:
            if exc.errno not in (errno.EINVAL, errno.EBADF, errno.EACCES, errno.EPERM):
                raise
        finally:
            os.close(fd)


def _fsync_folder(folder) -> None:
    """Make a rename durable (POSIX); not every system lets a folder be opened, so failures are ignored."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- room to write, memory to allocate ------------------------------------------------------------------------------

def free_space(folder) -> int:
    """Bytes available to this user in ``folder``'s file system (``shutil.disk_usage``).

    Tests simulate a full disk by replacing this function (``monkeypatch.setattr(snnlib._io, "free_space", ...)``).
    """
    return shutil.disk_usage(folder).free


def ensure_free_space(folder, needed: int, what: str, *, margin: int = SPACE_MARGIN) -> None:
    """Raise :class:`NotEnoughSpace` unless ``folder`` has ``needed + margin`` bytes free.

    ``what`` names what is being written (a file name) in the message. A folder whose free space cannot be
    queried passes (the write itself will then tell).
    """
    folder = Path(folder)
    try:
        free = free_space(folder)
    except OSError:
        return
    if free < needed + margin:
        raise NotEnoughSpace(
            f"not enough disk space in {folder} to write {what}: it needs about {format_bytes(needed + margin)}, "
            f"{format_bytes(free)} is available; free some space or choose another folder"
        )


MEMORY_LIMIT_ENV = "SNNLIB_MEMORY_LIMIT"


def available_memory() -> int | None:
    """Bytes this process may still allocate: ``$SNNLIB_MEMORY_LIMIT`` if set (``8G``, ``500M``, bytes), else what the
    system reports available (Linux: ``MemAvailable``, lowered to a cgroup's remaining limit), else ``None``
    (unknown: nothing is checked). Tests replace this function to simulate a small machine."""
    text = os.environ.get(MEMORY_LIMIT_ENV, "").strip()
    if text:
        scale = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}.get(text[-1:].upper(), 1)
        try:
            return int(float(text[:-1] if scale > 1 else text) * scale)
        except ValueError:
            raise ValueError(f"{MEMORY_LIMIT_ENV}={text!r} is not a number of bytes (e.g. 8G or 500M)") from None
    found = []
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    for limit_file, usage_file in (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                                   ("/sys/fs/cgroup/memory/memory.limit_in_bytes",
                                    "/sys/fs/cgroup/memory/memory.usage_in_bytes")):
        try:
            limit = Path(limit_file).read_text().strip()
            if limit != "max" and int(limit) < 2**60:
                found.append(int(limit) - int(Path(usage_file).read_text().strip()))
        except (OSError, ValueError):
            pass
    if not found:
        try:
            found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError, AttributeError):
            return None
    return max(0, min(found))


def memory_shortfall(needed: int) -> str | None:
    """None if ``needed`` bytes fit in :func:`available_memory`, else a phrase for an error message:
    ``"about 16.0 GiB, more than the 12.3 GiB of memory available"``."""
    available = available_memory()
    if available is None or needed <= available:
        return None
    return f"about {format_bytes(needed)}, more than the {format_bytes(available)} of memory available"


def format_bytes(n: float) -> str:
    """``1536`` -> ``"1.5 KiB"``; binary units, one decimal."""
    n = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:.0f} B" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PiB"


# -- messages -------------------------------------------------------------------------------------------------------

def write_error_message(exc: OSError, target, *, folder: bool = False) -> str:
    """One line for a failed write of the file ``target`` (or, with ``folder=True``, of files in the folder
    ``target``): what happened and what to do."""
    target = Path(target)
    where = f"in {target}" if folder else str(target)
    room = target if folder else target.parent
    code = getattr(exc, "errno", None)
    if isinstance(exc, NotEnoughSpace):
        return str(exc)
    if code in (errno.ENOSPC, errno.EDQUOT):
        return f"disk full while writing {where}; free some space in {room} or choose another folder"
    if code in (errno.EACCES, errno.EPERM):
        return (f"permission denied writing {where}: this user may not create files in {_nearest_existing(room)}; "
                "choose a folder you own (e.g. under your home folder) or ask its owner for write access")
    if code == errno.EROFS:
        return f"cannot write {where}: the file system is read-only; choose a folder on a writable disk"
    if code in (errno.ENOTDIR, errno.EEXIST):
        return f"cannot write {where}: {_file_in_the_way(target)} is a file, not a folder; choose another path"
    if code == errno.ENOENT:
        return (f"cannot write {where}: the folder cannot be created there (no such file or directory: a virtual "
                "file system such as /proc, or a missing drive); choose a folder on a writable disk")
    if code == errno.EISDIR:
        return f"cannot write {where}: it is a folder; give a file name inside it"
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"cannot write {where}: {reason}; choose a folder you can write to"


def _nearest_existing(path: Path) -> Path:
    probe = path
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    return probe


def _file_in_the_way(path: Path) -> Path:
    for probe in [path, *path.parents]:
        if probe.exists() and not probe.is_dir():
            return probe
    return path


def prepare_folder(folder, error: type[Exception] = OSError) -> Path:
    """Create ``folder`` (with its parents) if needed and check that files can be written in it.

    Writability is tested by creating and removing a temporary file (``os.access`` is not enough: it ignores
    read-only mounts and is always true for root). Raises ``error`` with a one-line message
    (:func:`write_error_message`) when the path is a file, lies under a read-only or virtual file system
    (``/proc``) or is not writable.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise error(f"{folder} is a file, not a folder; give a folder to write into")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        clean_stale(folder / ".write-test")
        probe = temp_path(folder / ".write-test")
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.unlink(probe)
    except OSError as exc:
        raise error(write_error_message(exc, folder, folder=True)) from None
    return folder


def check_output_file(path, error: type[Exception] = OSError) -> Path:
    """Check, before any work, that the file ``path`` can be written: not a folder, and its folder either writable
    or creatable (nothing is created: the nearest existing folder on the way is probed with a temporary file).
    Raises ``error`` with a one-line message."""
    path = Path(path)
    if path.is_dir():
        raise error(f"{path} is a folder; give the name of the file to write (e.g. {path / 'out.h5'})")
    existing = path.parent
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        raise error(f"cannot write {path}: {existing} is a file, not a folder; choose another path")
    try:
        probe = temp_path(existing / ".write-test")
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.unlink(probe)
    except OSError as exc:
        raise error(write_error_message(exc, path.parent, folder=True)) from None
    return path
