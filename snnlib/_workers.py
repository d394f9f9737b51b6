"""Worker processes that do not outlive their parent.

A parent killed outright (SIGKILL, a Jupyter kernel killed or restarted in the middle of a parallel job) cannot
stop the worker processes of its pool; they would stay behind, idle, holding their memory. A worker started with
:func:`end_with_parent` in its initialiser watches the parent and ends as soon as the parent has ended.
"""
from __future__ import annotations

import multiprocessing
import os
import threading


def end_with_parent() -> None:
    """In a worker process (call it from the pool's initialiser): end this process when its parent ends."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True, name="end-with-parent").start()


def _exit_with(sentinel) -> None:
    from multiprocessing.connection import wait

    wait([sentinel])  # ready when the parent process has ended, however it ended
    os._exit(1)
