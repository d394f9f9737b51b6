"""A built edition in Notebook 7, from the installed wheel, in headless Chromium (``make test-wheel``).

Opt-in: runs with ``SNNLIB_WHEEL=1`` and ``SNNLIB_BROWSER=1`` (``make test-wheel`` sets both after
``scripts/install_browser.sh``); then a missing chromium or playwright is a failure, not a skip.

The environment is the one of ``tests/test_wheel.py`` (``tests/wheel_env.py``: snnlib installed from its
wheel into a fresh venv, plus the ``notebook`` package). From a folder outside the repository,
``python -m snnlib course build`` writes the editions; ``jupyter notebook`` (Notebook 7) serves them with an
empty Jupyter configuration folder (none of the project's settings), on 127.0.0.1 with a random token.
Chromium opens ``learner/00_setup_check.ipynb``, runs every cell (Run → Run All Cells), and then

- every code cell ran, with no error output and nothing on stderr;
- the install cell printed nothing (snnlib is installed);
- the coincidence explorer is live (a slider, not a static figure): dragging its "delay 1" slider with the
  mouse changes the slider's value and redraws the figure (the image's bytes change).

Screenshots and the server's log go to ``build/wheel/notebook7/``.
"""
from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

import wheel_env
from tests.browser.lab import _JS_IMAGE_DIGEST  # the figure's bytes, hashed in the page

_browser = os.environ.get("SNNLIB_BROWSER", "").strip().lower() in ("1", "true", "yes", "on")
pytestmark = [
    pytest.mark.packaging, pytest.mark.browser,
    pytest.mark.skipif(not (wheel_env.requested() and _browser),
                       reason="Notebook 7 from the installed wheel in headless Chromium; run with SNNLIB_WHEEL=1 "
                              "SNNLIB_BROWSER=1 (make test-wheel)"),
]

ARTIFACTS = wheel_env.WORK / "notebook7"
NOTEBOOK = "learner/00_setup_check.ipynb"

_JS_STATE = """
() => {
  const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
  return cells.map((cell) => ({
    code: cell.classList.contains('jp-CodeCell'),
    prompt: ((cell.querySelector('.jp-InputPrompt') || {}).textContent || '').trim(),
    empty: !((cell.querySelector('.jp-InputArea-editor .cm-content') || {}).textContent || '').trim(),
    outputs: cell.querySelectorAll('.jp-OutputArea-output').length,
    errors: [...cell.querySelectorAll(
        '[data-mime-type="application/vnd.jupyter.stderr"], [data-mime-type="application/vnd.jupyter.error"]')]
      .map((el) => el.textContent.slice(-1500))
      .concat([...cell.querySelectorAll('.jp-OutputArea-output')]
        .filter((el) => el.textContent.includes('Error displaying widget'))
        .map((el) => el.textContent)),
  }));
}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = wheel_env.wheel_env()
    env.run("python", "-m", "snnlib", "course", "build", "--out", "nb7-editions")
    root = env.outside / "nb7-editions"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    token, port = secrets.token_hex(16), _free_port()
    cmd = [str(env.python), "-m", "notebook", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # CI runs as root
    log_path = ARTIFACTS / "jupyter-notebook.log"
    log = open(log_path, "w")
    # SNNLIB_STATIC is not set: the kernel shows live widgets, as for a learner.
    process = subprocess.Popen(cmd, cwd=env.outside, env=env.environ(SNNLIB_FAST="1"), stdout=log,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}/"

    def api(method, path):
        request = urllib.request.Request(base + path, method=method, data=b"" if method != "GET" else None,
                                         headers={"Authorization": f"token {token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status

    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, f"jupyter notebook exited: {log_path.read_text()[-3000:]}"
            with contextlib.suppress(OSError):
                if api("GET", "api/status") == 200:
                    break
            assert time.monotonic() < deadline, f"jupyter notebook did not answer: {log_path.read_text()[-3000:]}"
            time.sleep(0.5)
        yield {"base": base, "token": token}
    finally:
        with contextlib.suppress(Exception):
            api("POST", "api/shutdown")
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        log.close()
        log_path.write_text(log_path.read_text().replace(token, "<token>"))


def _shot(page, name: str) -> None:
    with contextlib.suppress(Exception):
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), timeout=10_000)


def test_slider_redraws_in_notebook7(server, tmp_path):
    from tests.browser.lab import chromium

    with chromium(tmp_path / "chromium") as context:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{server['base']}notebooks/{NOTEBOOK}?token={server['token']}", timeout=60_000)
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
        assert "/notebooks/" in page.url and not page.locator(".jp-LabShell").count(), "not Notebook 7's page"
        _shot(page, "01_opened")
        dialog = page.locator(".jp-Dialog button.jp-mod-accept")
        page.wait_for_timeout(1500)  # the kernel starts with the page; a dialog only if it cannot
        if dialog.count():
            dialog.first.click()
        page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
        page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
        deadline = time.monotonic() + 240
        stable_since = None
        while True:
            cells = page.evaluate(_JS_STATE)
            code = [c for c in cells if c["code"] and not c["empty"]]
            done = code and all(re.search(r"\[\d+\]", c["prompt"]) for c in code)
            if done:
                stable_since = stable_since or time.monotonic()
                if time.monotonic() - stable_since > 1.0:
                    break
            else:
                stable_since = None
            if time.monotonic() > deadline:
                _shot(page, "02_timeout")
                raise AssertionError(f"Run All did not finish in Notebook 7: prompts {[c['prompt'] for c in code]}")
            page.wait_for_timeout(250)
        _shot(page, "02_ran_all")
        errors = [f"cell {i}: {e}" for i, c in enumerate(cells) for e in c["errors"]]
        assert not errors, "error output in Notebook 7:\n" + "\n".join(errors)
        assert code[0]["outputs"] == 0, "the install cell printed something although snnlib is installed"

        explorer = page.locator(".snnlib-explorer.snnlib-coincidence").first
        explorer.wait_for(timeout=30_000)
        slider = explorer.locator(".snnlib-control-delay1").first
        figure = explorer.locator(".snnlib-figure").first
        before = figure.evaluate(_JS_IMAGE_DIGEST)
        value_before = (slider.locator(".widget-readout").first.text_content() or "").strip()
        assert before, "the explorer shows no figure"
        handle = slider.locator(".noUi-handle").first
        handle.scroll_into_view_if_needed()
        _shot(page, "03_before_slider")
        # Drag the handle a third of the way along its track with the mouse, as a learner does; the
        # sliders use continuous_update=False, so the kernel redraws once, on release.
        track = slider.locator(".noUi-target").first.bounding_box()
        box = handle.bounding_box()
        assert track and box, "the slider is not on screen"
        y = box["y"] + box["height"] / 2
        page.mouse.move(box["x"] + box["width"] / 2, y)
        page.mouse.down()
        page.mouse.move(track["x"] + track["width"] / 3, y, steps=8)
        page.mouse.up()
        deadline = time.monotonic() + 30
        after = before
        while after == before and time.monotonic() < deadline:
            page.wait_for_timeout(150)
            after = figure.evaluate(_JS_IMAGE_DIGEST)
        _shot(page, "04_after_slider")
        value_after = (slider.locator(".widget-readout").first.text_content() or "").strip()
        assert value_after != value_before, f"the slider did not move ({value_before!r})"
        assert after != before, "moving the slider did not redraw the figure in Notebook 7"
        page.close()
