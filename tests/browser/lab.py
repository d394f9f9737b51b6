"""Drive the course in a real browser: a token-protected JupyterLab server and headless Chromium.

Used by ``tests/test_browser.py`` (see docs/browser.md). Three pieces, each cleaned up on every exit path:

``LabServer``
    ``jupyter lab`` started the way ``make lab`` starts it (``JUPYTER_CONFIG_DIR=<repo>/.jupyter``,
    ``--ip=127.0.0.1``), plus what a test needs: a free port, a fresh random token, ``--no-browser``,
    and a temporary HOME / runtime / settings / workspace directory so nothing is written outside it.
    ``--allow-root`` is added only when the test runs as root (CI does). Stopping it asks the server to
    shut down (which ends its kernels), then ends its process group and any kernel whose connection
    file lies in the temporary runtime directory.
``chromium(...)``
    Debian's ``/usr/bin/chromium`` driven through the ``playwright`` package (never a downloaded
    browser build), headless, with a fresh user-data directory.
``LabPage``
    a Playwright page inside JupyterLab: open a file as a notebook, answer the kernel-selection dialog,
    keep notification toasts from intercepting clicks (and close them), run every cell, wait for the kernel, list error outputs, read widgets
    (slider handles, images, text) and save screenshots.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

#: Debian's chromium; ``SNNLIB_CHROMIUM`` points elsewhere.
CHROMIUM = os.environ.get("SNNLIB_CHROMIUM", "/usr/bin/chromium")

#: Flags for a quiet, reproducible headless Chromium on a machine without GPU or internet.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
)

#: Injected into every page before Lab's scripts: notification toasts let clicks through (see LabPage).
_JS_TOASTS_PASS_CLICKS = """
(() => {
  const css = '.Toastify, .Toastify__toast-container, .Toastify__toast-container * ' +
              '{ pointer-events: none !important; }';
  const add = () => {
    const style = document.createElement('style');
    style.setAttribute('data-snnlib-test', 'toasts-pass-clicks');
    style.textContent = css;
    document.head.appendChild(style);
  };
  if (document.head) { add(); } else { document.addEventListener('DOMContentLoaded', add); }
})();
"""

#: MIME types of outputs that report a failure.
ERROR_MIME_TYPES = ("application/vnd.jupyter.error", "application/vnd.jupyter.stderr")


class BrowserSetupError(RuntimeError):
    """Chromium, playwright or the Lab server is missing or did not start."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _processes_mentioning(text: str) -> list[int]:
    """Ids of live processes whose command line contains ``text`` (a unique temporary path)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline:
            found.append(int(entry.name))
    return found


def _end_processes(pids: list[int], grace: float = 5.0) -> None:
    """SIGTERM each process id, then SIGKILL those still alive after ``grace`` seconds."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    alive = list(pids)
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [pid for pid in alive if Path(f"/proc/{pid}").exists() and not _is_zombie(pid)]
    for pid in alive:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def _die_with_parent() -> None:
    """In the child, before exec: receive SIGTERM when the test process dies, however it dies (Linux)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _is_zombie(pid: int) -> bool:
    try:
        return (Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]) == "Z"
    except (OSError, IndexError):
        return True


class LabServer:
    """A JupyterLab server for one test session; use as a context manager.

    repo:       the project checkout; its ``.jupyter`` directory is the configuration (as in ``make lab``).
    root_dir:   the directory the server shows (default: ``repo``, as in ``make lab``).
    config_dir: the Jupyter configuration directory (default: ``repo/.jupyter``, as in ``make lab``).
    workdir:    an empty temporary directory: HOME, runtime files, user settings (autosave off)
                and workspaces go there.
    env:        extra environment variables for the server and its kernels (e.g. ``SNNLIB_FAST=1``).
    """

    def __init__(self, repo: Path, workdir: Path, root_dir: Path | None = None,
                 env: dict[str, str] | None = None, startup_timeout: float = 60.0,
                 config_dir: Path | None = None):
        self.repo = Path(repo)
        self.root_dir = Path(root_dir) if root_dir is not None else self.repo
        self.workdir = Path(workdir)
        self.extra_env = dict(env or {})
        self.startup_timeout = startup_timeout
        self.token = secrets.token_hex(24)
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.log_path = self.workdir / "jupyter-lab.log"
        self.config_dir = Path(config_dir) if config_dir is not None else self.repo / ".jupyter"
        self.runtime_dir = self.workdir / "runtime"

    # -- life cycle -----------------------------------------------------------------------------
    def command(self) -> list[str]:
        """The command line: ``make lab``'s, plus the test-only flags."""
        jupyter = Path(sys.executable).with_name("jupyter")
        base = [str(jupyter)] if jupyter.exists() else [sys.executable, "-m", "jupyter"]
        settings = self.workdir / "user-settings"
        cmd = base + [
            "lab",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={self.root_dir}",
            f"--IdentityProvider.token={self.token}",
            "--no-browser",
            # Settings a learner changes (news consent, themes) and workspaces are written here.
            f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={self.workdir / 'workspaces'}",
            # Lab checkpoints every file it opens; keep those out of the project's folders too.
            f"--FileCheckpoints.checkpoint_dir={self.workdir / 'checkpoints'}",
        ]
        if os.geteuid() == 0:
            cmd.append("--allow-root")  # CI runs as root; `make lab` never passes this
        return cmd

    def environment(self) -> dict[str, str]:
        home = self.workdir / "home"
        env = dict(os.environ)
        # A learner's kernel: inline matplotlib and live widgets, whatever the CI environment says.
        for name in ("MPLBACKEND", "SNNLIB_STATIC", "JUPYTER_PATH", "JUPYTER_DATA_DIR", "JUPYTER_TOKEN",
                     "JUPYTER_PLATFORM_DIRS", "PYTHONSTARTUP"):
            env.pop(name, None)
        env.update({
            "HOME": str(home),
            "JUPYTER_CONFIG_DIR": str(self.config_dir),
            "JUPYTER_RUNTIME_DIR": str(self.runtime_dir),
            "JUPYTER_DATA_DIR": str(self.workdir / "data"),
            "IPYTHONDIR": str(self.workdir / "ipython"),
            "MPLCONFIGDIR": str(self.workdir / "matplotlib"),
            "XDG_CACHE_HOME": str(self.workdir / "cache"),
            "XDG_CONFIG_HOME": str(self.workdir / "xdg-config"),
            "XDG_DATA_HOME": str(self.workdir / "xdg-data"),
            "PYTHONUNBUFFERED": "1",
        })
        env.update(self.extra_env)
        return env

    def start(self) -> "LabServer":
        # IPYTHONDIR is left for the kernel to create: when it exists at start-up, jupyter_core
        # "migrates" IPython 3 files and writes a marker file into the configuration directory.
        for sub in ("home", "runtime", "data", "matplotlib", "cache", "xdg-config", "xdg-data", "workspaces"):
            (self.workdir / sub).mkdir(parents=True, exist_ok=True)
        # Lab saves an open notebook every two minutes; jupytext would then rewrite the course's .py
        # source and write a paired .ipynb. The test reads the notebooks, it never writes them.
        docmanager = self.workdir / "user-settings" / "@jupyterlab" / "docmanager-extension"
        docmanager.mkdir(parents=True, exist_ok=True)
        (docmanager / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
        self.port = free_port()
        log = open(self.log_path, "wb")
        try:
            self.process = subprocess.Popen(
                self.command(), cwd=self.repo, env=self.environment(), stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
        finally:
            log.close()
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BrowserSetupError(
                    f"jupyter lab exited with status {self.process.returncode} before answering; "
                    f"its log:\n{self.log()}")
            with contextlib.suppress(OSError):
                status, _ = self.api("GET", "api/status")
                if status == 200:
                    return
            time.sleep(0.25)
        raise BrowserSetupError(f"jupyter lab did not answer on port {self.port} within "
                                f"{self.startup_timeout:.0f} s; its log:\n{self.log()}")

    def stop(self) -> None:
        """Shut the server and its kernels down; always safe to call."""
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                self.api("POST", "api/shutdown", timeout=5)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        # Kernels run in sessions of their own: end any that still holds a connection file of ours.
        _end_processes(_processes_mentioning(str(self.runtime_dir)))

    def __enter__(self) -> "LabServer":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- talking to it ----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def url(self, path: str, **query: str) -> str:
        """The browser URL of ``path`` (under the server root), with the token."""
        params = {"token": self.token, **query}
        return self.base_url + path.lstrip("/") + "?" + "&".join(
            f"{k}={v}" if v != "" else k for k, v in params.items())

    def api(self, method: str, path: str, body: dict | None = None, token: bool = True,
            timeout: float = 10) -> tuple[int, object]:
        """One REST call; returns (HTTP status, decoded JSON or None)."""
        data = json.dumps(body).encode() if body is not None else (b"" if method != "GET" else None)
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        if token:
            request.add_header("Authorization", f"token {self.token}")
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                raw = response.read()
                return response.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as error:
            return error.code, None

    def shutdown_kernels(self) -> None:
        """End every session (and kernel) the server holds, so the next notebook starts alone."""
        status, sessions = self.api("GET", "api/sessions")
        for session in sessions or []:
            self.api("DELETE", f"api/sessions/{session['id']}")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            _, kernels = self.api("GET", "api/kernels")
            if not kernels:
                return
            time.sleep(0.2)

    def log(self, tail: int = 6000) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return text.replace(self.token, "<token>")[-tail:]


@contextlib.contextmanager
def chromium(workdir: Path, *, headless: bool = True, viewport=(1400, 1100)):
    """A Playwright BrowserContext on Debian's chromium with a fresh profile; closed on exit."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise BrowserSetupError(
            f"the playwright package is missing ({error}); run scripts/install_browser.sh") from error
    if not os.access(CHROMIUM, os.X_OK):
        raise BrowserSetupError(f"no chromium at {CHROMIUM}; run scripts/install_browser.sh "
                                f"(installs Debian's chromium) or set SNNLIB_CHROMIUM")
    profile = Path(workdir) / "chromium-profile"
    profile.mkdir(parents=True, exist_ok=True)
    home = Path(workdir) / "chromium-home"  # crash-report and cache folders land here, not in ~/.config
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
           "XDG_CACHE_HOME": str(home / ".cache")}
    manager = sync_playwright().start()
    context = None
    try:
        context = manager.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=headless, args=list(CHROMIUM_ARGS), env=env,
            viewport={"width": viewport[0], "height": viewport[1]}, timeout=60_000)
        yield context
    finally:
        with contextlib.suppress(Exception):
            if context is not None:
                context.close()
        with contextlib.suppress(Exception):
            manager.stop()
        # Whatever of this browser is still alive is ended by its unique profile path.
        _end_processes(_processes_mentioning(str(profile)), grace=3)


# JavaScript run in the page -------------------------------------------------------------------------

_JS_NOTEBOOK_STATE = """
(panel) => {
  const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  const cells = [...panel.querySelectorAll('.jp-Notebook .jp-Cell')];
  const kernel = panel.querySelector('.jp-KernelName jp-button, .jp-KernelName button');
  return {
    status: indicator ? indicator.dataset.status : null,
    kernel: kernel ? (kernel.getAttribute('aria-label') || kernel.textContent || '').trim() : null,
    cells: cells.map((cell) => ({
      code: cell.classList.contains('jp-CodeCell'),
      prompt: (cell.querySelector('.jp-InputPrompt') || {}).textContent || '',
      empty: !((cell.querySelector('.jp-InputArea-editor .cm-content') || {}).textContent || '').trim(),
      errors: [...cell.querySelectorAll(
          '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"],'
        + '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"],'
        + '.jp-RenderedText[data-mime-type="application/vnd.jupyter.error"],'
        + '.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]')]
        .map((el) => ({mime: el.dataset.mimeType, text: el.textContent}))
        .concat([...cell.querySelectorAll(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.widget-view+json"]')]
          .filter((el) => el.textContent.includes('Error displaying widget'))
          .map((el) => ({mime: 'widget', text: el.textContent}))),
    })),
  };
}
"""

_JS_IMAGE_DIGEST = """
async (root) => {
  const img = root.matches('img') ? root : root.querySelector('img');
  if (!img || !img.getAttribute('src')) return null;
  const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
"""


class NotebookFailure(AssertionError):
    """The notebook showed an error, did not open as a notebook, or did not finish in time."""


class LabPage:
    """One browser tab inside JupyterLab, with the helpers the course test needs.

    screenshots:  directory for the screenshots (created);
    prefix:       start of their file names: ``<prefix>_<n>_<what>.png``.
    """

    def __init__(self, context, server: LabServer, screenshots: Path, prefix: str = "page",
                 default_timeout_ms: int = 30_000):
        self.server = server
        self.prefix = prefix
        self.page = context.new_page()
        self.page.set_default_timeout(default_timeout_ms)
        self.screenshots = Path(screenshots)
        self.screenshots.mkdir(parents=True, exist_ok=True)
        self.saved: list[Path] = []
        self.console: list[str] = []
        self.timings: list[tuple[str, float]] = []  # (step, seconds), written beside the screenshots
        self.answered: list[str] = []  # what the page asked and the test answered (news, kernel)
        self.toasts: list[str] = []  # text of every notification toast seen (and closed)
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        self._install_handlers()

    # -- the things a fresh Lab asks ----------------------------------------------------------------
    def _install_handlers(self) -> None:
        """Make sure no notification toast can take a click meant for the page.

        Two layers: (1) a style sheet, injected before Lab's own scripts, lets pointer events pass through the
        toast container, so a toast that appears at the moment of a click cannot intercept it (Playwright's
        hit-target check then finds the element underneath); (2) a locator handler closes any toast that is on
        screen before an action (the news question answered "No", others closed), after noting its text in
        :attr:`toasts`. The course's Lab settings turn the news question off, so (2) should rarely act.
        """
        page = self.page
        page.add_init_script(script=_JS_TOASTS_PASS_CLICKS)
        toast = page.locator(".Toastify__toast")

        def close_toasts(_first):
            # A modal dialog (the kernel selection) makes the rest of the page inert: answer it first;
            # the toasts are handled before the next action after the dialog has closed.
            if page.locator(".jp-Dialog").count():
                return
            for i in range(toast.count()):
                item = toast.nth(i)
                with contextlib.suppress(Exception):
                    text = (item.text_content(timeout=2_000) or "").strip()
                    self.toasts.append(text[:200])
                    # dispatch_event: no hit-target check, so the click works through the pass-through style
                    no = item.locator("button", has_text=re.compile(r"^\s*No\s*$"))
                    if "Jupyter news" in text and no.count():
                        no.first.dispatch_event("click", timeout=2_000)
                        self.answered.append("news notification: No")
                    else:
                        item.locator(".jp-Notification-Toast-Close, .Toastify__close-button").first.dispatch_event(
                            "click", timeout=2_000)
                        self.answered.append(f"notification closed: {text[:60]!r}")

        page.add_locator_handler(toast.first, close_toasts, no_wait_after=True)

    def accept_kernel_dialog(self) -> bool:
        """Click "Select" in the kernel-selection dialog if it is shown; True if it was."""
        dialog = self.page.locator(".jp-Dialog", has_text="Select Kernel")
        if dialog.count() and dialog.first.is_visible():
            selector = dialog.locator("select")
            if selector.count():  # keep the proposed kernel; make sure it is Python 3
                options = selector.first.locator("option").all_text_contents()
                python = [o for o in options if "Python 3" in o]
                if python:
                    selector.first.select_option(label=python[0])
            dialog.locator("button.jp-mod-accept").first.click()
            self.answered.append("kernel selection: Select (Python 3)")
            dialog.first.wait_for(state="detached", timeout=10_000)
            return True
        return False

    # -- notebooks ----------------------------------------------------------------------------------
    @property
    def panel(self):
        """The notebook panel currently shown."""
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first

    @contextlib.contextmanager
    def step(self, name: str):
        """Record how long the block takes under ``name`` in :attr:`timings`."""
        start = time.monotonic()
        try:
            yield
        finally:
            self.timings.append((name, time.monotonic() - start))

    def open_notebook(self, path: str, timeout_ms: int = 60_000) -> None:
        """Open ``path`` (relative to the server root) through /lab/tree/, in a fresh workspace.

        Fails if Lab shows the file as text instead of a notebook (the jupytext viewer is not the default).
        """
        with self.step("open notebook"):
            self._open_notebook(path, timeout_ms)
        with self.step("kernel ready"):
            self.wait_kernel_ready(timeout_ms)

    def _open_notebook(self, path: str, timeout_ms: int) -> None:
        self.page.goto(self.server.url(f"lab/tree/{path}", reset=""), timeout=timeout_ms)
        page = self.page
        deadline = time.monotonic() + timeout_ms / 1000
        while time.monotonic() < deadline:
            if page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").count():
                break
            if page.locator(".jp-FileEditor").count() and page.locator(".jp-FileEditor").first.is_visible():
                self.screenshot("opened_as_text")
                raise NotebookFailure(
                    f"{path} opened in the text editor, not as a notebook: the project's Jupyter "
                    f"configuration must make jupytext's notebook view the default for .py files")
            self.accept_kernel_dialog()
            page.wait_for_timeout(200)
        else:
            raise NotebookFailure(f"{path} did not open as a notebook within {timeout_ms / 1000:.0f} s")

    def wait_kernel_ready(self, timeout_ms: int = 60_000) -> None:
        """Answer the kernel dialog if it comes, then wait for the kernel to report idle."""
        deadline = time.monotonic() + timeout_ms / 1000
        while time.monotonic() < deadline:
            self.accept_kernel_dialog()
            state = self.state()
            if state["status"] == "idle" and state["kernel"] and "No Kernel" not in state["kernel"]:
                return
            self.page.wait_for_timeout(200)
        state = self.state()
        raise NotebookFailure(f"the kernel was not ready after {timeout_ms / 1000:.0f} s "
                              f"(kernel {state['kernel']!r}, execution indicator {state['status']!r})")

    def state(self) -> dict:
        return self.panel.evaluate(_JS_NOTEBOOK_STATE)

    def run_all(self, timeout_ms: int = 120_000) -> dict:
        """Run → Run All Cells, then wait until every code cell ran (or one failed) and the kernel is idle."""
        with self.step("run all"):
            return self._run_all(timeout_ms)

    def _run_all(self, timeout_ms: int) -> dict:
        self.page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
        self.page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
        self.accept_kernel_dialog()
        deadline = time.monotonic() + timeout_ms / 1000
        idle_since = None
        while time.monotonic() < deadline:
            state = self.state()
            code = [c for c in state["cells"] if c["code"] and not c["empty"]]
            running = any("*" in c["prompt"] for c in code)
            done = all(re.search(r"\[\d+\]", c["prompt"]) for c in code)
            failed = any(c["errors"] for c in code)
            if state["status"] == "idle" and not running and (done or failed):
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since > 0.5:  # idle and stable: no cell queued behind
                    return state
            else:
                idle_since = None
            self.page.wait_for_timeout(250)
        state = self.state()
        prompts = [c["prompt"] for c in state["cells"] if c["code"]]
        raise NotebookFailure(f"Run All did not finish within {timeout_ms / 1000:.0f} s "
                              f"(kernel {state['status']!r}, prompts {prompts})")

    @staticmethod
    def error_outputs(state: dict, allowed_cells: set[int] = frozenset()) -> list[str]:
        """Descriptions of error outputs: an error, stderr holding a Traceback or an Error, or a widget
        the page could not display ("Error displaying widget").

        allowed_cells: indices (among all cells) where an error is expected (``raises-exception``).
        """
        found = []
        for index, cell in enumerate(state["cells"]):
            if index in allowed_cells:
                continue
            for output in cell["errors"]:
                is_error = output["mime"] in ("application/vnd.jupyter.error", "widget")
                if is_error or "Traceback" in output["text"] or "Error" in output["text"]:
                    found.append(f"cell {index} ({output['mime']}): {output['text'][-1500:]}")
        return found

    # -- widgets ------------------------------------------------------------------------------------
    def image_digest(self, locator) -> str | None:
        """SHA-256 of the bytes of the first image inside ``locator`` (None when there is none)."""
        return locator.first.evaluate(_JS_IMAGE_DIGEST)

    def wait_image_change(self, locator, before: str | None, timeout_ms: int = 30_000) -> str:
        """Wait until the image inside ``locator`` differs from ``before``; return its new digest."""
        deadline = time.monotonic() + timeout_ms / 1000
        while time.monotonic() < deadline:
            now = self.image_digest(locator)
            if now is not None and now != before:
                return now
            self.page.wait_for_timeout(150)
        raise AssertionError(f"the figure did not change within {timeout_ms / 1000:.0f} s")

    def press_slider(self, slider, key: str, times: int) -> None:
        """Focus the slider's handle and press ``key`` (ArrowRight / ArrowLeft) ``times`` times."""
        handle = slider.locator(".noUi-handle").first
        handle.scroll_into_view_if_needed()
        handle.focus()
        for _ in range(times):
            handle.press(key)

    def wait_text(self, locator, expected: str, timeout_ms: int = 30_000) -> None:
        """Wait until ``locator``'s text (stripped) equals ``expected``."""
        deadline = time.monotonic() + timeout_ms / 1000
        text = None
        while time.monotonic() < deadline:
            text = (locator.first.text_content() or "").strip()
            if text == expected:
                return
            self.page.wait_for_timeout(100)
        raise AssertionError(f"expected the text {expected!r}, the page shows {text!r} "
                             f"after {timeout_ms / 1000:.0f} s")

    def wait_class(self, locator, css_class: str, timeout_ms: int = 30_000) -> None:
        """Wait until ``locator`` carries the CSS class ``css_class``."""
        deadline = time.monotonic() + timeout_ms / 1000
        while time.monotonic() < deadline:
            if css_class in (locator.first.get_attribute("class") or "").split():
                return
            self.page.wait_for_timeout(100)
        raise AssertionError(f"no {css_class!r} after {timeout_ms / 1000:.0f} s "
                             f"(classes: {locator.first.get_attribute('class')!r})")

    def wait_idle(self, settle_ms: int = 1000, timeout_ms: int = 30_000) -> None:
        """Wait until the kernel has been idle for ``settle_ms`` without interruption."""
        deadline = time.monotonic() + timeout_ms / 1000
        idle_since = None
        while time.monotonic() < deadline:
            if self.state()["status"] == "idle":
                idle_since = idle_since or time.monotonic()
                if (time.monotonic() - idle_since) * 1000 >= settle_ms:
                    return
            else:
                idle_since = None
            self.page.wait_for_timeout(100)
        raise NotebookFailure(f"the kernel did not settle to idle within {timeout_ms / 1000:.0f} s")

    @staticmethod
    def slider_value(slider) -> str:
        """The value the slider shows in its readout."""
        return (slider.locator(".widget-readout").first.text_content() or "").strip()

    def screenshot(self, name: str, locator=None) -> Path:
        path = self.screenshots / f"{self.prefix}_{len(self.saved) + 1:02d}_{name}.png"
        with contextlib.suppress(Exception):  # a screenshot is evidence, never the failure itself
            (locator.first if locator is not None else self.page).screenshot(path=str(path), timeout=10_000)
            self.saved.append(path)
        return path

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.page.close()
