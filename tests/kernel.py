"""A real Jupyter kernel driven the way a front end drives it: cells executed, widget buttons clicked by comm
messages. Shared by the widget tests."""
from __future__ import annotations

import contextlib
import os


class Kernel:
    """A started kernel (``km``, ``kc``: jupyter_client's manager and client)."""

    def __init__(self, km, kc, timeout: float):
        self.km, self.kc, self.timeout = km, kc, timeout

    def execute(self, code: str) -> str:
        """Run ``code`` as one cell and return what it printed; an error in the cell fails the test with its traceback."""
        msg_id = self.kc.execute(code)
        out = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=self.timeout)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                raise AssertionError("\n".join(msg["content"]["traceback"]))
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return "".join(out)

    def click(self, model_id: str) -> None:
        """Click the button widget ``model_id`` as the front end does (a custom comm message)."""
        self.kc.shell_channel.send(self.kc.session.msg("comm_msg", {"comm_id": model_id, "data": {
            "method": "custom", "content": {"event": "click"}}}))


@contextlib.contextmanager
def live_kernel(timeout: float = 60):
    """A python3 kernel with live widgets (``SNNLIB_STATIC=0``), shut down afterwards."""
    import pytest

    manager = pytest.importorskip("jupyter_client.manager")
    km, kc = manager.start_new_kernel(kernel_name="python3", env=dict(os.environ, SNNLIB_STATIC="0"))
    try:
        yield Kernel(km, kc, timeout)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
