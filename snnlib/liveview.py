"""The live training view: :func:`snnlib.train.train` watched and steered from a notebook.

One training loop: the view runs the library's trainer and listens to its events (the ``callback`` of
:func:`~snnlib.train.train`); it never trains by itself. Usage in a notebook::

    from snnlib import widgets
    view = widgets.LiveTrainingView("delay-task live")
    view.train(model_config, train_config, data);      # shows the controls and the figure, starts training

Controls (sliders take effect on **Restart**; the trainer's configuration is fixed for a run):

==========================  ===============================================================================
σ (steps)                   ``SNNConfig.sigma``, the width of the Gaussian spike representation
d_max (steps)               ``SNNConfig.d_max``, the largest delay (delays are clipped to [0, d_max])
lr weights, lr delays       ``TrainConfig.lr_weights`` and ``lr_delays`` (Adam; delays in steps)
feedback                    ``SNNConfig.feedback``: ``symmetric`` (B = W_out) or ``random`` (fixed random B)
Start                       starts a run with the current settings, or resumes a paused one
Pause                       holds the training at the next trainer event (press again, or Start, to resume)
Stop                        ends the run at the next trainer event (the trainer reports ``stopped``)
Restart                     stops the run in progress and starts a fresh one (new parameters, seeded by
                            ``SNNConfig.seed``) with the settings now on the sliders
==========================  ===============================================================================

Where the training runs (:attr:`LiveTrainingView.mode`):

- ``"thread"``: a widget front end that accepts widget updates from a background thread (JupyterLab,
  Notebook 7, VS Code with ipykernel other than 7.0.x). The cell returns at once; the buttons work while
  the network trains.
- ``"foreground"``: a widget front end where background updates are not available — Colab,
  Pyodide/JupyterLite, ipykernel 7.0.x (see :func:`threads_supported`). The run blocks the cell and the
  figure updates as it goes; buttons cannot be clicked during the run (the kernel is busy): interrupt the
  kernel (■) to stop it — the trainer finishes the current batch and returns ``interrupted``. After the
  run the controls work (Restart trains again, in the foreground).
- ``"static"``: no widget front end (``SNNLIB_STATIC=1``, plain Python): the run is in the foreground and
  its progress is printed half-way through the run and the figure is shown at the end.

The figure (:func:`snnlib.plots.live.delay_view_figure`) shows the delays ordered by each hidden neuron's preferred class
(the argmax of its column of ``W_out``) with the ideal pattern drawn over them on ``delay-task``, the
relative delay within each channel pair around ±lag, the delay histogram with the pile-ups at 0 and
d_max counted as clipping, and the training loss with the **validation** accuracy (never the test
accuracy). :meth:`LiveTrainingView.run` still accepts a generator of records, for a loop of one's own.

CSS classes (for browser tests): ``snnlib-live-view``, ``snnlib-figure``, ``snnlib-status``,
``snnlib-sigma-slider``, ``snnlib-dmax-slider``, ``snnlib-lr-weights-slider``, ``snnlib-lr-delays-slider``,
``snnlib-feedback``, ``snnlib-start-button``, ``snnlib-pause-button``, ``snnlib-stop-button``,
``snnlib-restart-button``; the view carries ``snnlib-running`` while training and ``snnlib-done`` after.
"""
from __future__ import annotations

import html
import math
import sys
import threading
import time

import numpy as np
from matplotlib.figure import Figure

from snnlib import plots
from snnlib.course import widget_frontend
from snnlib.plots.live import clipping_counts, delay_view_figure, ideal_delays

__all__ = ["LiveTrainingView", "live_train", "delay_view_figure", "threads_supported", "ideal_delays",
           "clipping_counts"]

MODES = ("thread", "foreground", "static")


# ----------------------------------------------------------------------------- front ends
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


# ----------------------------------------------------------------------------- the view
_CONTROLS = ("sigma", "d_max", "lr_weights", "lr_delays", "feedback")


class LiveTrainingView:
    """Training progress redrawn while :func:`snnlib.train.train` runs, with controls (see the module docstring).

    Attributes: ``mode`` (``thread``/``foreground``/``static``, chosen when training starts), ``settings`` (the
    controls' values), ``history`` ({"step", "loss", "val_acc"}), ``delays``, ``result`` (the last
    :class:`~snnlib.train.TrainResult`), ``best`` (``{"epoch", "val_accuracy", "params"}``, the parameters of the
    epoch with the best validation accuracy so far), ``runs`` (runs started), ``status``, ``png``, ``renders``.
    """

    _active: dict[str, "LiveTrainingView"] = {}

    def __init__(self, name: str = "training", *, d_max: int | None = None, every: int = 5,
                 min_interval: float = 0.5, static_every: int | None = None, live: bool | None = None,
                 mode: str | None = None, dpi: int = 80):
        if mode is not None and mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)} (or None to detect it), got {mode!r}")
        self.name, self.d_max, self.every, self.min_interval = name, d_max, max(1, int(every)), min_interval
        self.static_every = static_every
        self.live = widget_frontend() if live is None else bool(live)
        if mode is not None:
            self.live = mode != "static"
        self._mode_request = mode
        self.mode = None
        self.dpi = dpi
        self.history: dict[str, list] = {"step": []}
        self.delays = None
        self.W_out = None
        self.W_in = None
        self.updates = 0
        self.total = None
        self.renders = 0
        self.runs = 0
        self.png = b""
        self.status = "not started"
        self.stopped = False
        self.error: BaseException | None = None
        self.result = None
        self.best: dict | None = None
        self.settings: dict = {}
        self._job = None                       # (model_config, train_config, data, train_kwargs, ideal)
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._thread: threading.Thread | None = None
        self.widget = None
        self.controls: dict = {}
        self.buttons: dict = {}
        if self.live:
            self._build()

    # -- widgets ------------------------------------------------------------------------------
    def _build(self) -> None:
        import ipywidgets as w

        self.image = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.image.add_class("snnlib-figure")
        self.label = w.HTML(value="not started")
        self.label.add_class("snnlib-readout")
        self.label.add_class("snnlib-status")
        specs = {"start": ("Start", "success", "play", self.start), "pause": ("Pause", "warning", "pause",
                                                                             self.toggle_pause),
                 "stop": ("Stop", "danger", "stop", self.stop), "restart": ("Restart", "info", "refresh",
                                                                           self.restart)}
        for key, (text, style, icon, action) in specs.items():
            button = w.Button(description=text, button_style=style, icon=icon, tooltip=f"{text.lower()} the training",
                              layout=w.Layout(width="110px"))
            button.add_class(f"snnlib-{key}-button")
            button.on_click(lambda _, act=action: self._click(act))
            self.buttons[key] = button
        self.button = self.buttons["stop"]     # the Stop button, as before
        self.settings_box = w.VBox([])
        self.widget = w.VBox([self.settings_box, w.HBox(list(self.buttons.values())), self.label, self.image])
        self.widget.add_class("snnlib-live-view")
        self.widget.add_class(f"snnlib-{self.name.replace(' ', '-')}")
        self._enable(running=False)

    def _build_controls(self) -> None:
        import ipywidgets as w

        s = self.settings
        common = dict(continuous_update=False, style={"description_width": "120px"}, layout=w.Layout(width="420px"))
        self.controls = {
            "sigma": w.FloatSlider(value=s["sigma"], min=0.5, max=5.0, step=0.25, description="σ (steps)", **common),
            "d_max": w.IntSlider(value=s["d_max"], min=1, max=max(60, s["d_max"]), description="d_max (steps)",
                                 **common),
            "lr_weights": w.FloatLogSlider(value=max(s["lr_weights"], 1e-5), base=10, min=-5, max=0, step=0.25,
                                           description="lr weights", readout_format=".1e", **common),
            "lr_delays": w.FloatLogSlider(value=max(s["lr_delays"], 1e-4), base=10, min=-4, max=1, step=0.25,
                                          description="lr delays", readout_format=".1e", **common),
            "feedback": w.ToggleButtons(options=["symmetric", "random"], value=s["feedback"],
                                        description="feedback", style={"description_width": "120px"}),
        }
        css = {"sigma": "snnlib-sigma-slider", "d_max": "snnlib-dmax-slider", "lr_weights": "snnlib-lr-weights-slider",
               "lr_delays": "snnlib-lr-delays-slider", "feedback": "snnlib-feedback"}
        for key, control in self.controls.items():
            if key != "feedback":
                control.add_class("snnlib-slider")
            control.add_class(css[key])
            control.observe(lambda change, k=key: self._moved(k, change["new"]), names="value")
        note = w.HTML("<i>sliders take effect on Restart</i>")
        self.settings_box.children = [*self.controls.values(), note]

    def _moved(self, key, value) -> None:
        if self._syncing:
            return
        self.settings[key] = value
        if self.running:
            self._set_status(self.status.split(" · new settings")[0] + " · new settings take effect on Restart")

    _syncing = False

    def _click(self, action) -> None:
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - a click must not raise into the front end: show it instead
            self._set_status(f"error: {exc}")

    def _enable(self, running: bool) -> None:
        if not self.live:
            return
        threaded = self.mode == "thread"
        has_job = self._job is not None
        self.buttons["start"].disabled = not has_job or (running and not self._paused.is_set())
        self.buttons["pause"].disabled = not (running and threaded)
        self.buttons["stop"].disabled = not running
        self.buttons["restart"].disabled = not has_job or (running and not threaded)
        self.buttons["pause"].description = "Resume" if self._paused.is_set() else "Pause"

    # -- steering -----------------------------------------------------------------------------
    def set(self, **values) -> "LiveTrainingView":
        """Change controls (``sigma``, ``d_max``, ``lr_weights``, ``lr_delays``, ``feedback``), as if moved by hand.

        The new values take effect on :meth:`restart` (or the next :meth:`start` after a run ended).
        """
        if self._job is None:
            raise ValueError("the view has no training to configure yet: call view.train(model_config, "
                             "train_config, data) first")
        unknown = sorted(set(values) - set(_CONTROLS))
        if unknown:
            raise ValueError(f"the live view has no control {unknown}; its controls are {list(_CONTROLS)}")
        candidate = {**self.settings, **values}
        self._configs(candidate)  # refuse a bad value now, with the configuration's own message
        self.settings = candidate
        if self.live and self.controls:
            self._syncing = True
            try:
                for key, value in values.items():
                    self.controls[key].value = value
            finally:
                self._syncing = False
        return self

    def _configs(self, settings):
        model_config, train_config = self._job[0], self._job[1]
        model = model_config.replace(sigma=float(settings["sigma"]), d_max=int(settings["d_max"]),
                                     feedback=settings["feedback"])
        return model, train_config.replace(lr_weights=float(settings["lr_weights"]),
                                           lr_delays=float(settings["lr_delays"]))

    def train(self, model_config, train_config, data, *, start: bool = True, ideal="auto",
              **train_kwargs) -> "LiveTrainingView":
        """Show the view and train with :func:`snnlib.train.train` (``train_kwargs`` go to it, e.g. ``out_dir``).

        ``ideal``: the delay-task pattern to draw (default: read from ``data`` by :func:`ideal_delays`; None: none).
        With ``start=False`` the view waits for Start. In ``thread`` mode this returns at once; otherwise when the
        run has ended.
        """
        from snnlib.train import Dataset, TrainConfig
        from snnlib.config import SNNConfig

        if not isinstance(model_config, SNNConfig) or not isinstance(train_config, TrainConfig) \
                or not isinstance(data, Dataset):
            raise ValueError("view.train(model_config, train_config, data): expected an SNNConfig, a TrainConfig "
                             "and a snnlib.train.Dataset")
        for key in ("callback", "progress", "params", "resume"):
            if key in train_kwargs:
                raise ValueError(f"view.train does not take {key}=: the view supplies the callback, starts from "
                                 "fresh parameters and shows its own progress")
        if self.running:
            self.stop()
            self._join()
        self._job = (model_config, train_config, data, dict(train_kwargs),
                     ideal_delays(data) if ideal == "auto" else ideal)
        self.settings = {"sigma": model_config.sigma, "d_max": model_config.d_max,
                         "lr_weights": train_config.lr_weights, "lr_delays": train_config.lr_delays,
                         "feedback": model_config.feedback}
        self.mode = self._choose_mode()
        if self.live:
            from IPython.display import display

            self._build_controls()
            self._enable(running=False)
            display(self.widget)
            if self.mode == "foreground":
                self._set_status(f"ready · this front end ({threads_supported()[1]}) cannot update widgets from a "
                                 "background thread: training runs in the foreground; interrupt the kernel (■) "
                                 "to stop it")
        if start:
            self.start()
        return self

    def _choose_mode(self) -> str:
        if self._mode_request is not None:
            return self._mode_request
        if not self.live:
            return "static"
        return "thread" if threads_supported()[0] else "foreground"

    def start(self) -> None:
        """Start a run with the current settings; resume a paused one; nothing while one is running."""
        if self._job is None:
            raise ValueError("nothing to start: call view.train(model_config, train_config, data) first")
        if self.running:
            self.resume()
            return
        self._launch()

    def pause(self) -> None:
        """Hold the training at the next trainer event (thread mode; the foreground cannot be clicked)."""
        if self.running:
            self._paused.set()
            self._set_status(self._progress("paused"))
            self._enable(running=True)

    def resume(self) -> None:
        if self._paused.is_set():
            self._paused.clear()
            self._set_status(self._progress("running"))
            self._enable(running=True)

    def toggle_pause(self) -> None:
        self.resume() if self._paused.is_set() else self.pause()

    def stop(self) -> None:
        """End the run at the next trainer event (or, for a record stream, after the current update)."""
        self._stop.set()
        self._paused.clear()

    def restart(self) -> None:
        """Stop the run in progress (waiting for it to end) and start a fresh one with the current settings."""
        if self._job is None:
            raise ValueError("nothing to restart: call view.train(model_config, train_config, data) first")
        if self.running:
            self.stop()
            self._join()
        self._launch()

    # -- a run with the trainer ----------------------------------------------------------------
    def _launch(self) -> None:
        model, settings = self._configs(self.settings)
        data = self._job[2]
        previous = LiveTrainingView._active.get(self.name)
        if previous is not None and previous is not self and previous.running:
            previous.stop()
            previous._join()
        LiveTrainingView._active[self.name] = self
        n_batches = math.ceil(len(data.train) / settings.batch_size)
        self.d_max = model.d_max
        self._reset(total=settings.epochs * ((n_batches - 1) // settings.callback_every + 1))
        self.runs += 1
        self._model = model
        self._run_settings = dict(self.settings)   # what this run uses (the sliders may move meanwhile)
        if self.live:
            self.widget.remove_class("snnlib-done")
            self.widget.add_class("snnlib-running")
            self._draw("starting")
        if self.mode == "thread":
            self._thread = threading.Thread(target=self._train, args=(model, settings), daemon=True,
                                            name=f"snnlib-{self.name}")
            self._thread.start()
            self._enable(running=True)
        else:
            self._enable(running=True)
            self._train(model, settings)
            if self.error is not None:  # the foreground shows the error where it happened
                raise self.error

    def _reset(self, total) -> None:
        self.total = total
        self._stop.clear()
        self._paused.clear()
        self.stopped, self.error, self.updates, self.result, self.best = False, None, 0, None, None
        self.history, self.delays = {"step": [], "loss": [], "val_acc": []}, None
        self._last_draw = (0, 0.0, 0.0)

    def _train(self, model, settings) -> None:
        from snnlib import train as trainer

        data, kwargs = self._job[2], self._job[3]
        try:
            self.result = trainer.train(model, settings, data, callback=self._event, progress=False, **kwargs)
            self.stopped = self.result.status != "finished"
        except BaseException as exc:  # noqa: BLE001 - shown in the view and re-raised by wait() / the foreground
            self.error = exc
        finally:
            self._finish()

    def _event(self, event):
        if event.kind == "end":
            return None
        if event.kind == "batch":
            step = (event.epoch - 1) * event.n_batches + event.batch
            record = {"step": step, "loss": event.loss}
        else:
            row = event.history[-1]
            record = {"step": event.epoch * event.n_batches, "loss": row["train_loss"]}
            if row.get("val_accuracy") is not None:
                record["val_acc"] = row["val_accuracy"]
                if self.best is None or row["val_accuracy"] > self.best["val_accuracy"]:
                    self.best = {"epoch": event.epoch, "val_accuracy": row["val_accuracy"],
                                 "params": {k: v.copy() for k, v in event.params.items()}}
        delays = event.params.get("D_in")
        record["delays"] = None if delays is None else delays
        self.W_out = np.array(event.params["W_out"], copy=True)
        self.W_in = np.array(event.params["W_in"], copy=True)
        self._record(record)
        self._after_record()
        while self._paused.is_set() and not self._stop.is_set():
            self._stop.wait(0.05)
        if self._stop.is_set():
            return False
        return None

    def _after_record(self) -> None:
        if self.live:
            last_at, last_time, cost = self._last_draw
            now = time.monotonic()
            # redraw every `every` updates, but spend at most ~1/5 of the time drawing
            if self.updates - last_at >= self.every and now - last_time >= max(self.min_interval, 4.0 * cost):
                self._draw("running")
                done = time.monotonic()
                self._last_draw = (self.updates, done, done - now)
            else:
                self._set_status(self._progress("paused" if self._paused.is_set() else "running"))
        else:
            # a figure every `static_every` updates if asked for; by default the progress half-way, in words,
            # and the figure once, at the end (each figure costs a fraction of a second to draw)
            every_static = self.static_every or (max(1, self.total // 2) if self.total else None)
            if every_static and self.updates % every_static == 0 and (self.total is None or self.updates < self.total):
                if self.static_every:
                    self._show_static()
                else:
                    print(self._progress("training"))

    # -- a stream of records (a training loop of one's own) -----------------------------------
    def run(self, updates, total: int | None = None) -> "LiveTrainingView":
        """Consume a generator of records ``{"step", "loss", "val_acc", ..., "delays"}`` (a loop of one's own).

        Live: in a background thread (the Stop button works); static: in the calling thread. Prefer
        :meth:`train`, which runs the library's trainer.
        """
        previous = LiveTrainingView._active.get(self.name)
        if previous is not None and previous is not self and previous.running:
            previous.stop()
            previous._join()
        if self.running:
            raise ValueError(f"view {self.name!r} is already training; call stop() first")
        self._reset(total)
        self.history = {"step": []}
        LiveTrainingView._active[self.name] = self
        self.mode = "thread" if self.live else "static"
        if self.live:
            from IPython.display import display

            self.widget.remove_class("snnlib-done")
            self.widget.add_class("snnlib-running")
            self.buttons["stop"].disabled = False
            display(self.widget)
            self._draw("running")
            self._thread = threading.Thread(target=self._consume, args=(updates,), name=f"snnlib-{self.name}",
                                            daemon=True)
            self._thread.start()
        else:
            self._consume(updates)
            if self.error is not None:
                raise self.error
        return self

    def _consume(self, updates) -> None:
        try:
            for record in updates:
                self._record(record)
                if self._stop.is_set():
                    self.stopped = True
                    break
                self._after_record()
        except BaseException as exc:  # noqa: BLE001 - reported in the view and re-raised by wait()
            self.error = exc
        finally:
            close = getattr(updates, "close", None)
            if close is not None:
                close()
            self._finish()

    # -- shared ----------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _join(self, timeout: float | None = None) -> None:
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def wait(self, timeout: float | None = None) -> dict:
        """Block until the training has ended (or ``timeout`` seconds); returns :attr:`history`.

        A keyboard interrupt (the kernel's stop button) stops the training and returns what was
        recorded so far. Raises the training's own exception, if it raised one.
        """
        start = time.monotonic()
        try:
            while self.running:
                self._join(0.1)
                if timeout is not None and time.monotonic() - start > timeout:
                    break
        except KeyboardInterrupt:
            self.stop()
            self._join()
            print(f"{self.name}: stopped by a kernel interrupt after {self.updates} updates")
        if self.error is not None:
            raise self.error
        return self.history

    def _record(self, record: dict) -> None:
        self.updates += 1
        record = dict(record)
        delays = record.pop("delays", None)
        if delays is not None:
            self.delays = np.array(delays, copy=True)
        step = record.pop("step", self.updates)
        n = len(self.history["step"])
        self.history["step"].append(step)
        for key, value in record.items():
            if np.ndim(value) != 0:
                continue
            self.history.setdefault(key, [np.nan] * n).append(float(value))
        for key, values in self.history.items():
            if len(values) < n + 1:
                values.append(np.nan)

    def _progress(self, state: str) -> str:
        parts = [f"{state}: update {self.updates}" + (f" / {self.total}" if self.total else "")]
        for key, values in self.history.items():
            if key == "step" or not values:
                continue
            finite = [v for v in values if np.isfinite(v)]
            if finite:
                value = finite[-1]
                label = "validation accuracy" if key == "val_acc" else key
                parts.append(f"{label} {100 * value:.1f} %" if "acc" in key else f"{label} {value:.4f}")
        run = getattr(self, "_run_settings", None)
        if run:  # what the run on screen uses: the sliders may have moved since (they act on Restart)
            parts.append(f"run {self.runs}: σ {run['sigma']:g}, d_max {run['d_max']}, {run['feedback']} feedback")
        return " · ".join(parts)

    def figure(self) -> Figure:
        """The current state as a Figure (:func:`delay_view_figure`, or the record stream's plot)."""
        if self._job is None:  # a record stream: the generic training plot
            return plots.plot_training(dict(self.history), delays=self.delays, d_max=self.d_max, title=self.name)
        mask = None
        if self.delays is not None and np.ndim(self.delays) == 2:
            from snnlib.config import input_mask
            mask = input_mask(self._model)
        return delay_view_figure(self.delays, d_max=self.d_max, W_out=self.W_out, W_in=self.W_in, mask=mask,
                                 ideal=self._job[4], history=self.history, title=self._title())

    def _title(self) -> str:
        s = getattr(self, "_run_settings", self.settings)
        return (f"{self.name} · σ = {s['sigma']:g}, d_max = {s['d_max']}, lr {s['lr_weights']:.1e} / "
                f"{s['lr_delays']:.1e}, {s['feedback']} feedback · run {self.runs}")

    def _draw(self, state: str) -> None:
        self.png = plots.figure_png(self.figure(), dpi=self.dpi)
        self.renders += 1
        if self.live:
            self.image.value = self.png
            self._set_status(self._progress(state))

    def _set_status(self, text: str) -> None:
        self.status = text
        if self.live:
            self.label.value = html.escape(text)

    def _show_static(self, state: str = "training") -> None:
        from IPython.display import Image, display

        self.png = plots.figure_png(self.figure(), dpi=self.dpi)
        self.renders += 1
        display(Image(data=self.png, format="png"))
        print(self._progress(state))

    def _finish(self) -> None:
        if self.error is not None:
            state = f"error: {type(self.error).__name__}: {self.error}"
        elif self.result is not None and self.result.status == "interrupted":
            state = "interrupted"
        else:
            state = "stopped" if self.stopped else "done"
        if self.best is not None:
            state += f" (best validation accuracy {100 * self.best['val_accuracy']:.1f} % at epoch {self.best['epoch']})"
        if self.live:
            self.png = plots.figure_png(self.figure(), dpi=self.dpi)
            self.renders += 1
            self.image.value = self.png
            self._set_status(self._progress(state) if self.error is None else state)
            self._paused.clear()
            self.widget.remove_class("snnlib-running")
            self.widget.add_class("snnlib-done")
            self._enable(running=False)
        else:
            self._set_status(self._progress(state) if self.error is None else state)
            if self.error is None:
                self._show_static(state)

    def __repr__(self) -> str:
        return f"LiveTrainingView({self.name}: {self.status})"


def live_train(model_config, train_config, data, *, name: str = "training", **options) -> LiveTrainingView:
    """Create a :class:`LiveTrainingView` and train with it (``options`` go to the view, then to ``train``)."""
    view_keys = {"every", "min_interval", "static_every", "live", "mode", "dpi"}
    view = LiveTrainingView(name, **{k: options.pop(k) for k in list(options) if k in view_keys})
    return view.train(model_config, train_config, data, **options)
