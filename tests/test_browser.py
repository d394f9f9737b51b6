"""The course in a real browser: JupyterLab (the project's configuration) driven by headless Chromium.

Opt-in: skipped unless ``SNNLIB_BROWSER=1`` (``make test-browser``; CI sets it after
``scripts/install_browser.sh``). When requested, a missing chromium or playwright is a failure, not a
skip. Screenshots of every step are written to ``build/browser/``. See docs/browser.md.

What is checked, in the page a learner sees:
  * the server answers nothing without its token;
  * each course notebook opens from ``/lab/tree/notebooks/NN_topic.py`` as a notebook (jupytext),
    runs to the end with Run → Run All Cells and shows no error output;
  * 01: moving a delay slider redraws the figure, and the spike / no-spike readout follows a
    leaky integrate-and-fire neuron simulated here by hand (MODEL.md §3);
  * 03: moving the σ slider redraws the surrogate figure; the delay-learning playground's σ and d_max
    sliders each re-run a training (σ = 0.1 traps the delay, d_max = 12 clips it below the window);
  * 05: the live training view redraws at least twice while training, its Stop button stops it, and its σ
    and d_max sliders take effect on Restart;
  * 06, 08, 09: the raster browser, the confusion-matrix explorer and the accuracy–memory–latency grid
    redraw their figure and readout when a slider moves; 07: the live view fed by the trainer runs and stops;
  * the harness itself: an untagged error in a probe notebook is reported, a tagged one is not, and
    the session writes nothing into the checkout (``.jupyter/``, the notebooks, paired ``.ipynb``).
"""
from __future__ import annotations

import hashlib
import math
import os
import re
import shutil
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "build" / "browser"
COURSE = ("notebooks/01_coincidence_detection.py", "notebooks/03_gaussian_surrogate.py",
          "notebooks/05_three_factor_learning.py")

_requested = os.environ.get("SNNLIB_BROWSER", "").strip().lower() in ("1", "true", "yes", "on")


def in_browser(test):
    """Mark a test as a browser test, skipped unless SNNLIB_BROWSER=1."""
    test = pytest.mark.browser(test)
    return pytest.mark.skipif(not _requested, reason="drives JupyterLab in headless Chromium; "
                                                     "run with SNNLIB_BROWSER=1 (make test-browser)")(test)


# ----------------------------------------------------------------------------- fixtures
def _tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the SHA-256 of its content (empty if the folder does not exist)."""
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory, artifacts):
    from tests.browser.lab import LabServer

    config_dir = REPO / ".jupyter"
    before = _written(config_dir)
    workdir = tmp_path_factory.mktemp("lab")
    server = LabServer(REPO, workdir, env={"SNNLIB_FAST": "1"})
    try:
        with server:
            yield server
    finally:
        (artifacts / "jupyter-lab.log").write_text(server.log(tail=10**7))  # the token is masked
    after = _written(config_dir)
    changed = sorted(k for k in set(after) | set(before) if after.get(k) != before.get(k))
    assert not changed, f"the browser session wrote into the repository (the test only reads): {changed}"


def _written(config_dir: Path) -> dict[str, str]:
    """What a Lab session could write into the checkout: the configuration directory, the course notebooks
    the test opens (autosave would rewrite them through jupytext), and paired .ipynb files or checkpoints
    beside them."""
    watched = {f".jupyter/{name}": digest for name, digest in _tree(config_dir).items()}
    for name in COURSE:
        path = REPO / name
        watched[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"
    for path in (REPO / "notebooks").glob("*.ipynb"):
        watched[str(path.relative_to(REPO))] = "present"
    for path in (REPO / "notebooks" / ".ipynb_checkpoints").glob("*"):
        watched[str(path.relative_to(REPO))] = "present"
    return watched


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from tests.browser.lab import chromium

    with chromium(tmp_path_factory.mktemp("chromium")) as context:
        yield context


@pytest.fixture
def lab(request, browser, lab_server, artifacts):
    """A fresh tab; on the way out a last screenshot, the tab closed and every kernel shut down."""
    from tests.browser.lab import LabPage

    page = LabPage(browser, lab_server, artifacts, prefix=request.node.name.removeprefix("test_"))
    start = time.monotonic()
    try:
        yield page
    finally:
        page.timings.append(("whole test", time.monotonic() - start))
        (artifacts / f"{page.prefix}_timings.txt").write_text(
            "".join(f"{seconds:7.1f} s  {name}\n" for name, seconds in page.timings)
            + "".join(f"answered: {what}\n" for what in page.answered)
            + "".join(f"toast: {text}\n" for text in page.toasts))
        page.screenshot("end")
        if page.console:
            (artifacts / f"{page.prefix}_console.txt").write_text("\n".join(page.console))
        page.close()
        lab_server.shutdown_kernels()


def _raises_cells(path: Path) -> set[int]:
    """Indices of the cells of a jupytext notebook tagged ``raises-exception`` (exercise stubs)."""
    import jupytext

    nb = jupytext.read(str(path))
    return {i for i, cell in enumerate(nb.cells) if "raises-exception" in cell.get("metadata", {}).get("tags", [])}


def _cell_count(path: Path) -> int:
    import jupytext

    return len(jupytext.read(str(path)).cells)


def _run_notebook(lab, relpath: str, timeout_ms: int = 150_000) -> dict:
    """Open, screenshot, Run All, screenshot, and fail on any error output not expected by its tags."""
    path = REPO / relpath
    assert path.exists(), f"{relpath} is missing"
    lab.open_notebook(relpath)
    lab.screenshot("opened")
    state = lab.run_all(timeout_ms=timeout_ms)
    lab.screenshot("ran_all")
    assert len(state["cells"]) == _cell_count(path), (
        f"the page shows {len(state['cells'])} cells, the file holds {_cell_count(path)}")
    errors = lab.error_outputs(state, allowed_cells=_raises_cells(path))
    assert not errors, f"{relpath} shows error output in the browser:\n" + "\n\n".join(errors)
    return state


# ----------------------------------------------------------------------------- hand-worked neuron
def lif_readout(arrivals, *, weight: float, tau_ms: float, threshold: float = 1.0, n_steps: int = 80) -> str:
    """What the coincidence explorer must print, from MODEL.md §3 worked by hand (dt = 1 ms).

    arrivals: the steps at which the (delayed) input spikes reach the neuron, each of weight ``weight``.
    v[t] = α v[t−1] + I[t] − ϑ z[t−1], α = exp(−dt/τ), z[t] = 1 when v[t] ≥ ϑ.
    """
    alpha = math.exp(-1.0 / tau_ms)
    v, z, fired = 0.0, 0, []
    for t in range(n_steps):
        v = alpha * v + weight * sum(1 for a in arrivals if a == t) - threshold * z
        z = int(v >= threshold)
        if z:
            fired.append(t)
    if not fired:
        return "no spike"
    if len(fired) == 1:
        return f"spike at step {fired[0]}"
    return "spikes at steps " + ", ".join(map(str, fired))


def test_lif_readout_by_hand():
    # Two spikes of 0.6, τ = 10 ms: they must arrive within 4 steps (0.6·e^(−k/10) + 0.6 ≥ 1 ⇔ k ≤ 4.05).
    assert lif_readout([20, 30], weight=0.6, tau_ms=10) == "no spike"
    assert lif_readout([25, 30], weight=0.6, tau_ms=10) == "no spike"
    assert lif_readout([26, 30], weight=0.6, tau_ms=10) == "spike at step 30"
    assert lif_readout([30, 30], weight=0.6, tau_ms=10) == "spike at step 30"


# ----------------------------------------------------------------------------- the server
@in_browser
def test_server_needs_its_token(lab_server):
    status, _ = lab_server.api("GET", "api/contents", token=False)
    assert status == 403
    status, _ = lab_server.api("GET", "api/contents")
    assert status == 200


# ----------------------------------------------------------------------------- the harness sees failures
PROBE = '''# %% [markdown]
# A probe for the browser test (written by tests/test_browser.py; not part of the course).

# %%
import io

import ipywidgets as widgets
from IPython.display import display

slider = widgets.IntSlider(value=2, min=0, max=9, description="probe", continuous_update=False)
slider.add_class("snnlib-probe-slider")
image = widgets.Image(format="png", layout=widgets.Layout(width="240px"))
image.add_class("snnlib-figure")

def draw(change=None):
    from matplotlib.figure import Figure
    fig = Figure(figsize=(2, 1.5))
    fig.add_subplot().bar(range(10), [i <= slider.value for i in range(10)])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    image.value = buffer.getvalue()

slider.observe(draw, "value")
draw()
display(widgets.VBox([slider, image]))

# %% tags=["raises-exception"]
raise NotImplementedError("an exercise stub: expected")

# %%
raise ValueError("probe failure the harness must report")
'''


@in_browser
def test_harness_reports_errors_and_sees_widgets(lab, artifacts):
    probe = artifacts / "probe" / "harness_probe.py"
    probe.parent.mkdir(parents=True, exist_ok=True)
    probe.write_text(PROBE)
    relpath = str(probe.relative_to(REPO))
    lab.open_notebook(relpath)
    state = lab.run_all(timeout_ms=60_000)
    lab.screenshot("ran_all")
    errors = lab.error_outputs(state, allowed_cells=_raises_cells(probe))
    assert len(errors) == 1 and "probe failure the harness must report" in errors[0], errors
    assert len(lab.error_outputs(state)) == 2  # the stub's NotImplementedError is there, and excused

    slider = lab.panel.locator(".snnlib-probe-slider")
    figure = lab.panel.locator(".snnlib-figure")
    before = lab.image_digest(figure)
    assert before is not None, "the probe's image did not render"
    lab.screenshot("before_slider", slider.locator("xpath=.."))
    lab.press_slider(slider, "ArrowRight", 3)
    lab.wait_text(slider.locator(".widget-readout"), "5")
    lab.wait_image_change(figure, before)
    lab.wait_idle()
    lab.screenshot("after_slider", slider.locator("xpath=.."))


@in_browser
def test_lab_settings_turn_the_news_question_off(lab_server):
    """The course's Lab settings (.jupyter/lab/settings/overrides.json) as the server applies them: no news
    question, no update check (the toast of the news question once intercepted a click of this test)."""
    status, body = lab_server.api("GET", "lab/api/settings/@jupyterlab/apputils-extension:notification")
    assert status == 200
    # the server applies overrides.json to the schema's defaults; the (empty) user settings come on top
    value = {key: (body.get("settings") or {}).get(key, body["schema"]["properties"][key]["default"])
             for key in ("fetchNews", "checkForUpdates")}
    assert value == {"fetchNews": "false", "checkForUpdates": False}, value


# A toast over the whole page, as the news question or a kernel message would put it: the first has no close
# button (only the pass-through style can save the click), the second one has (the handler closes it).
_FAKE_TOASTS = """
(() => {
  const box = document.createElement('div');
  box.className = 'Toastify__toast-container snnlib-fake-toasts';
  box.style.cssText = 'position:fixed; inset:0; z-index:100000; background:rgba(255,0,0,0.2)';
  box.innerHTML = '<div class="Toastify__toast" style="height:40vh">probe toast without a close button</div>' +
    '<div class="Toastify__toast" id="snnlib-closable" style="height:40vh">probe toast with a close button' +
    '<button class="jp-Notification-Toast-Close">x</button></div>';
  box.querySelector('#snnlib-closable button').addEventListener('click', () =>
    box.querySelector('#snnlib-closable').remove());
  document.body.appendChild(box);
})()
"""


@in_browser
def test_a_toast_over_the_page_cannot_intercept_a_click(lab, artifacts):
    probe = artifacts / "probe" / "toast_probe.py"
    probe.parent.mkdir(parents=True, exist_ok=True)
    probe.write_text("# %%\nanswer = 6 * 7\nanswer\n")
    lab.open_notebook(str(probe.relative_to(REPO)))
    lab.page.evaluate(_FAKE_TOASTS)
    lab.screenshot("toasts_on_top")
    state = lab.run_all(timeout_ms=60_000)  # two menu clicks through the toasts
    assert not lab.error_outputs(state)
    code = [c for c in state["cells"] if c["code"]]
    assert code and re.search(r"\[\d+\]", code[0]["prompt"]), state
    assert any("probe toast with a close button" in t for t in lab.toasts), lab.toasts
    assert lab.page.locator("#snnlib-closable").count() == 0  # closed by the handler
    lab.page.evaluate("document.querySelector('.snnlib-fake-toasts').remove()")


# ----------------------------------------------------------------------------- notebook 01
@in_browser
def test_01_coincidence_detection(lab):
    _run_notebook(lab, "notebooks/01_coincidence_detection.py")

    explorer = lab.panel.locator(".snnlib-explorer.snnlib-coincidence").first
    explorer.scroll_into_view_if_needed()
    figure = explorer.locator(".snnlib-figure")
    readout = explorer.locator(".snnlib-readout")
    value = {name: explorer.locator(f".snnlib-control-{name}") for name in ("t1", "t2", "delay1", "delay2",
                                                                           "tau_mem_ms")}
    weight = 0.6  # the explorer's input weight (snnlib.widgets.coincidence_figure)

    def expected() -> str:
        v = {name: float(lab.slider_value(s)) for name, s in value.items()}
        arrivals = [v["t1"] + v["delay1"], v["t2"] + v["delay2"]]
        return lif_readout([int(a) for a in arrivals], weight=weight, tau_ms=v["tau_mem_ms"])

    first = expected()
    lab.wait_text(readout, first)
    assert first == "no spike", "the explorer should start with arrivals too far apart for a spike"
    before = lab.image_digest(figure)
    assert before is not None, "the coincidence figure did not render"
    lab.screenshot("before_delay", explorer)

    # delay 1 from 0 to 5: the input 1 spike arrives 5 steps before input 2 -> still no spike
    gap_before = abs(float(lab.slider_value(value["t2"])) - float(lab.slider_value(value["t1"])))
    moves = int(gap_before) - 5
    assert moves > 0
    start_delay = int(float(lab.slider_value(value["delay1"])))
    lab.press_slider(value["delay1"], "ArrowRight", moves)
    lab.wait_text(value["delay1"].locator(".widget-readout"), str(start_delay + moves))
    lab.wait_text(readout, expected())
    assert expected() == "no spike"
    middle = lab.wait_image_change(figure, before)
    lab.wait_idle()
    middle = lab.image_digest(figure)
    lab.screenshot("delay_gap5_no_spike", explorer)

    # one step more: 4 steps apart -> the neuron fires when input 2 arrives
    lab.press_slider(value["delay1"], "ArrowRight", 1)
    lab.wait_text(value["delay1"].locator(".widget-readout"), str(start_delay + moves + 1))
    now = expected()
    assert now.startswith("spike at step"), now
    lab.wait_text(readout, now)
    lab.wait_image_change(figure, middle)
    lab.wait_idle()
    lab.screenshot("delay_gap4_spike", explorer)


# ----------------------------------------------------------------------------- notebook 03
@in_browser
def test_03_gaussian_surrogate(lab):
    _run_notebook(lab, "notebooks/03_gaussian_surrogate.py")

    explorer = lab.panel.locator(".snnlib-explorer.snnlib-surrogate").first
    explorer.scroll_into_view_if_needed()
    sigma = explorer.locator(".snnlib-sigma-slider")
    figure = explorer.locator(".snnlib-figure")
    before = lab.image_digest(figure)
    assert before is not None, "the surrogate figure did not render"
    start = float(lab.slider_value(sigma))
    lab.screenshot("before_sigma", explorer)

    lab.press_slider(sigma, "ArrowRight", 10)  # σ + 1 step (slider step 0.1)
    lab.wait_text(sigma.locator(".widget-readout"), f"{start + 1.0:.1f}")
    lab.wait_image_change(figure, before)
    lab.wait_idle()
    lab.screenshot("after_sigma", explorer)

    # the delay-learning playground: σ and d_max each re-run a training of the toy's delay
    play = lab.panel.locator(".snnlib-explorer.snnlib-delay-learning").first
    play.scroll_into_view_if_needed()
    p_sigma, p_dmax = play.locator(".snnlib-control-sigma"), play.locator(".snnlib-control-d_max")
    assert "σ" in (p_sigma.locator(".widget-label").first.text_content() or "")
    assert "d_max" in (p_dmax.locator(".widget-label").first.text_content() or "")
    p_figure, p_readout = play.locator(".snnlib-figure"), play.locator(".snnlib-readout")
    lab.wait_idle()
    first = lab.image_digest(p_figure)
    assert first is not None, "the playground figure did not render"
    text = (p_readout.first.text_content() or "").strip()
    assert text.startswith("D ends at") and "inside the window" in text, text  # σ = 1 from D₀ = 4 (measured in 03)
    lab.screenshot("playground_default", play)

    lab.press_slider(p_sigma, "ArrowLeft", 9)  # σ 1.0 -> 0.1: the delay is trapped near its start
    lab.wait_text(p_sigma.locator(".widget-readout"), "0.1")
    second = lab.wait_image_change(p_figure, first, timeout_ms=60_000)
    lab.wait_idle()
    trapped = (p_readout.first.text_content() or "").strip()
    assert trapped.startswith("D ends at") and "inside the window" not in trapped, trapped
    lab.screenshot("playground_sigma_small", play)

    lab.press_slider(p_sigma, "ArrowRight", 9)  # back to σ = 1, then a delay range that ends below the window
    lab.wait_text(p_sigma.locator(".widget-readout"), "1.0")
    lab.wait_idle()
    before_dmax = lab.image_digest(p_figure)
    d_max = int(float(lab.slider_value(p_dmax)))
    lab.press_slider(p_dmax, "ArrowLeft", d_max - 12)
    lab.wait_text(p_dmax.locator(".widget-readout"), "12")
    lab.wait_image_change(p_figure, before_dmax, timeout_ms=60_000)
    lab.wait_idle()
    clipped = (p_readout.first.text_content() or "").strip()
    assert "clipped at d_max = 12" in clipped, clipped
    assert second != lab.image_digest(p_figure)
    lab.screenshot("playground_dmax_12", play)


# ----------------------------------------------------------------------------- notebook 05
@in_browser
def test_05_three_factor_learning(lab):
    _run_notebook(lab, "notebooks/05_three_factor_learning.py")

    view = lab.panel.locator(".snnlib-live-view").first
    view.scroll_into_view_if_needed()
    figure = view.locator(".snnlib-figure")
    status = view.locator(".snnlib-status")
    lab.screenshot("live_view_started", view)
    assert "snnlib-running" in (view.get_attribute("class") or ""), (
        f"the live view is not training after Run All (status: {(status.text_content() or '').strip()!r})")

    seen = [lab.image_digest(figure)]
    for _ in range(2):
        seen.append(lab.wait_image_change(figure, seen[-1], timeout_ms=60_000))
    lab.screenshot("live_view_updated", view)
    assert len(set(seen)) >= 3  # the first image and two redraws, each different from the one before

    classes = (view.get_attribute("class") or "").split()
    assert "snnlib-running" in classes, (
        f"the live training ended before Stop could be pressed (status: {(status.text_content() or '').strip()!r}); "
        f"in fast mode the live run of notebook 05 must last longer than two redraws")
    lab.page.locator(".snnlib-live-view .snnlib-stop-button").first.click()
    lab.wait_class(view, "snnlib-done", timeout_ms=30_000)
    text = (status.text_content() or '').strip()
    assert text.startswith("stopped"), f"after Stop the status reads {text!r}"
    assert lab.page.locator(".snnlib-live-view .snnlib-stop-button button, "
                            ".snnlib-live-view button.snnlib-stop-button").first.is_disabled()
    stopped_at = re.search(r"update (\d+)", text)
    lab.screenshot("live_view_stopped", view)
    # Stopped means stopped: the update count no longer moves.
    lab.page.wait_for_timeout(1500)
    assert (status.text_content() or '').strip() == text, "the live view went on after Stop"
    assert stopped_at is not None

    # steer: σ and d_max act on Restart, which trains a fresh network with them
    v_sigma, v_dmax = view.locator(".snnlib-sigma-slider"), view.locator(".snnlib-dmax-slider")
    assert "σ" in (v_sigma.locator(".widget-label").first.text_content() or "")
    assert "d_max" in (v_dmax.locator(".widget-label").first.text_content() or "")
    assert "run 1: σ 2, d_max 15" in text, text
    lab.press_slider(v_sigma, "ArrowLeft", 2)
    lab.press_slider(v_dmax, "ArrowLeft", 3)
    new_sigma, new_dmax = lab.slider_value(v_sigma), lab.slider_value(v_dmax)
    assert (float(new_sigma), int(float(new_dmax))) != (2.0, 15)
    stopped_image = lab.image_digest(figure)
    lab.page.locator(".snnlib-live-view .snnlib-restart-button").first.click()
    lab.wait_class(view, "snnlib-running", timeout_ms=30_000)
    lab.wait_image_change(figure, stopped_image, timeout_ms=60_000)
    restarted = (status.text_content() or "").strip()
    assert f"run 2: σ {float(new_sigma):g}, d_max {int(float(new_dmax))}" in restarted, restarted
    lab.screenshot("live_view_restarted", view)
    lab.page.locator(".snnlib-live-view .snnlib-stop-button").first.click()
    lab.wait_class(view, "snnlib-done", timeout_ms=30_000)


# ----------------------------------------------------------------------------- notebooks 06-09
#: notebook, the explorer's CSS class, the slider moved, key presses to the right
EXPLORERS = [
    ("notebooks/06_spiking_speech_data.py", "snnlib-raster", "dt_ms", 5),
    ("notebooks/08_training_ssc.py", "snnlib-confusion", "focus", 1),
    ("notebooks/09_efficiency.py", "snnlib-grid", "sparsity", 4),
]


@in_browser
@pytest.mark.parametrize("relpath, css, control, presses", EXPLORERS, ids=[e[0][10:12] for e in EXPLORERS])
def test_part_two_explorers_redraw(lab, relpath, css, control, presses):
    """06 raster browser, 08 confusion explorer, 09 accuracy-memory-latency grid: a slider redraws figure and text."""
    _run_notebook(lab, relpath, timeout_ms=240_000)
    explorer = lab.panel.locator(f".snnlib-explorer.{css}").first
    explorer.scroll_into_view_if_needed()
    figure, readout = explorer.locator(".snnlib-figure"), explorer.locator(".snnlib-readout")
    slider = explorer.locator(f".snnlib-control-{control}")
    before = lab.image_digest(figure)
    assert before is not None, f"the {css} figure did not render"
    text_before = (readout.first.text_content() or "").strip()
    value_before = lab.slider_value(slider)
    lab.screenshot("before", explorer)
    lab.press_slider(slider, "ArrowRight", presses)
    deadline = time.monotonic() + 30
    while lab.slider_value(slider) == value_before and time.monotonic() < deadline:
        lab.page.wait_for_timeout(100)
    assert lab.slider_value(slider) != value_before, f"the {control} slider did not move"
    lab.wait_image_change(figure, before, timeout_ms=60_000)
    lab.wait_idle()
    assert (readout.first.text_content() or "").strip() != text_before, "the readout did not follow the slider"
    lab.screenshot("after", explorer)


@in_browser
def test_07_live_view_fed_by_the_trainer(lab):
    """07: the live view runs the library's trainer in the background, and Stop stops it."""
    _run_notebook(lab, "notebooks/07_training_shd.py", timeout_ms=240_000)
    view = lab.panel.locator(".snnlib-live-view").first
    view.scroll_into_view_if_needed()
    status = view.locator(".snnlib-status")
    assert "snnlib-running" in (view.get_attribute("class") or ""), (
        f"the live view is not training after Run All (status: {(status.text_content() or '').strip()!r})")
    assert "σ" in (view.locator(".snnlib-sigma-slider .widget-label").first.text_content() or "")
    assert "d_max" in (view.locator(".snnlib-dmax-slider .widget-label").first.text_content() or "")
    lab.wait_image_change(view.locator(".snnlib-figure"), lab.image_digest(view.locator(".snnlib-figure")),
                          timeout_ms=60_000)
    lab.screenshot("live_view_running", view)
    lab.page.locator(".snnlib-live-view .snnlib-stop-button").first.click()
    lab.wait_class(view, "snnlib-done", timeout_ms=60_000)
    text = (status.text_content() or "").strip()
    assert text.startswith("stopped"), f"after Stop the status reads {text!r}"
    lab.screenshot("live_view_stopped", view)
