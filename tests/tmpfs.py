"""A real small file system for disk-full tests: a tmpfs mounted for the test, where the machine allows it.

Mounting needs root and a kernel that lets this process mount (not every container does); elsewhere the tests that
use it are skipped with the reason. The other disk-full tests simulate a full disk by replacing
``snnlib._io.free_space`` or by making a write raise ``OSError(ENOSPC)``, and run everywhere.
"""
import contextlib
import os
import shutil
import subprocess

import pytest


@contextlib.contextmanager
def small_tmpfs(folder, size: str):
    """Mount a tmpfs of ``size`` (e.g. ``"2m"``) on ``folder`` for the duration of the block, or skip the test."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("a real full-disk test mounts a small tmpfs, which needs root; the simulated tests cover the logic")
    if shutil.which("mount") is None or shutil.which("umount") is None:
        pytest.skip("a real full-disk test needs the mount and umount commands")
    os.makedirs(folder, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or done.returncode}); "
                    "the simulated full-disk tests cover the logic")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
