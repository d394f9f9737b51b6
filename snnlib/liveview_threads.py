"""Where the live training view's work runs: which front ends take widget updates from a thread, and the thread.

:func:`threads_supported` tells whether widget updates sent from a background thread reach the front end;
:class:`Worker` runs one job at a time — in a background thread, or in the calling thread where threads cannot
update widgets — and carries the Stop and Pause flags the job looks at between two events. Neither knows what
the job is (:class:`snnlib.liveview.LiveTrainingView` runs the trainer's events or a stream of records with it).
"""
from __future__ import annotations

import sys
import threading

__all__ = ["MODES", "threads_supported", "Worker"]

#: Where a live view trains: a background thread, the calling thread of a widget front end, or no widgets at all.
MODES = ("thread", "foreground", "static")


def threads_supported() -> tuple[bool, str]:
    """(whether widget updates from a background thread reach the front end, the reason when not).

    Known not to: Google Colab (``google.colab`` imported), Pyodide / JupyterLite
    (``sys.platform == "emscripten"``), and ipykernel 7.0.x (updates from threads were lost or raised).
    """
    if "google.colab" in sys.modules:
        return False, "Colab"
    if sys.platform == "emscripten" or "pyodide" in sys.modules:
        return False, "Pyodide / JupyterLite"
    version = _ipykernel_version()
    if version is not None and (version == "7.0" or version.startswith("7.0.")):
        return False, f"ipykernel {version}"
    return True, ""


def _ipykernel_version() -> str | None:
    module = sys.modules.get("ipykernel")
    version = getattr(module, "__version__", None)
    if version is None:
        try:
            from importlib import metadata
            version = metadata.version("ipykernel")
        except Exception:  # noqa: BLE001 - not installed: no kernel, nothing to detect
            return None
    return str(version)


class Worker:
    """One job at a time, in a background thread (``background=True``) or in the calling thread.

    ``stopping`` and ``paused`` are the flags the job checks between two events (:meth:`hold`); the owner sets
    them from a button or from code, in any thread.
    """

    def __init__(self, name: str):
        self.name = name
        self.stopping = threading.Event()
        self.paused = threading.Event()
        self.thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Whether a background job is still going (a job in the calling thread has ended when it is asked)."""
        return self.thread is not None and self.thread.is_alive()

    def clear(self) -> None:
        """Lower both flags, before a new job."""
        self.stopping.clear()
        self.paused.clear()

    def start(self, target, *args, background: bool) -> None:
        """Run ``target(*args)``: in a daemon thread named ``snnlib-<name>`` (returns at once), or here."""
        if background:
            self.thread = threading.Thread(target=target, args=args, daemon=True, name=f"snnlib-{self.name}")
            self.thread.start()
        else:
            target(*args)

    def join(self, timeout: float | None = None) -> None:
        """Wait for the background job (never for the thread asking, which would wait for itself)."""
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout)

    def hold(self) -> bool:
        """Block while paused (until resumed or stopped); True when the job is asked to stop."""
        while self.paused.is_set() and not self.stopping.is_set():
            self.stopping.wait(0.05)
        return self.stopping.is_set()
