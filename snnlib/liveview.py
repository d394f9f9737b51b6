"""The live training view: :func:`snnlib.train.train` watched and steered from a notebook.

One training loop: the view listens to the library's trainer, whose events (:class:`snnlib.train.TrainEvent`)
it receives through :meth:`LiveTrainingView.on_event`, the trainer's ``callback``; it never trains by itself, and
this module does not import the trainer. What starts a run is a *job* (:meth:`LiveTrainingView.attach`):
:class:`snnlib.liveview_training.TrainingJob` runs :func:`~snnlib.train.train`, and ``view.train(...)`` makes one
(importing that module then). Where a run goes — a background thread or the calling thread — is
:mod:`snnlib.liveview_threads`'s; its widgets (controls σ, d_max, the learning rates and the feedback, which take
effect on **Restart**; buttons Start, Pause, Stop, Restart; CSS classes) are :mod:`snnlib.liveview_panel`'s.
Usage in a notebook::

    from snnlib import widgets
    view = widgets.LiveTrainingView("delay-task live")
    view.train(model_config, train_config, data);      # shows the controls and the figure, starts training

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

The figure (:func:`snnlib.plots.live.delay_view_figure`) shows the delays ordered by each hidden neuron's preferred
class (the argmax of its column of ``W_out``) with the ideal pattern drawn over them on ``delay-task``, the
relative delay within each channel pair around ±lag, the delay histogram with the pile-ups at 0 and
d_max counted as clipping, and the training loss with the **validation** accuracy (never the test
accuracy). :meth:`LiveTrainingView.run` still accepts a generator of records, for a loop of one's own.
"""
from __future__ import annotations

import time

import numpy as np
from matplotlib.figure import Figure

from snnlib import plots
from snnlib.course import widget_frontend
from snnlib.liveview_panel import CONTROLS, Panel
from snnlib.liveview_threads import MODES, Worker, threads_supported
from snnlib.plots.live import clipping_counts, delay_view_figure, ideal_delays

__all__ = ["LiveTrainingView", "live_train", "delay_view_figure", "threads_supported", "ideal_delays",
           "clipping_counts"]


# ----------------------------------------------------------------------------- the view
class LiveTrainingView:
    """Training progress redrawn while :func:`snnlib.train.train` runs, with controls (see the module docstring).

    Attributes: ``mode`` (``thread``/``foreground``/``static``, chosen when training starts), ``settings`` (the
    controls' values), ``history`` ({"step", "loss", "val_acc"}), ``delays``, ``result`` (the last
    :class:`~snnlib.train.TrainResult`), ``best`` (``{"epoch", "val_accuracy", "params"}``, the parameters of the
    epoch with the best validation accuracy so far), ``runs`` (runs started), ``status``, ``png``, ``renders``,
    ``job`` (what starts a run: see :meth:`attach`).
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
        self.job = None                        # what starts a run (attach); None for a stream of records
        self._worker = Worker(name)            # the thread, and the Stop and Pause flags
        self.panel = self.widget = None        # the widgets (live only): liveview_panel.Panel, and its parts
        self.controls: dict = {}
        self.buttons: dict = {}
        if self.live:
            self._build()

    # -- widgets ------------------------------------------------------------------------------
    def _build(self) -> None:
        actions = {"start": self.start, "pause": self.toggle_pause, "stop": self.stop, "restart": self.restart}
        self.panel = Panel(self.name, actions, self._moved, lambda exc: self._set_status(f"error: {exc}"))
        p = self.panel
        self.widget, self.image, self.label, self.settings_box = p.widget, p.image, p.label, p.settings_box
        self.buttons, self.controls = p.buttons, p.controls
        self.button = self.buttons["stop"]     # the Stop button, as before
        self._enable(running=False)

    def _moved(self, key, value) -> None:
        self.settings[key] = value
        if self.running:
            self._set_status(self.status.split(" · new settings")[0] + " · new settings take effect on Restart")

    def _enable(self, running: bool) -> None:
        if self.live:
            self.panel.enable(has_job=self.job is not None, running=running, threaded=self.mode == "thread",
                              paused=self._worker.paused.is_set())

    # -- steering -----------------------------------------------------------------------------
    def set(self, **values) -> "LiveTrainingView":
        """Change controls (``sigma``, ``d_max``, ``lr_weights``, ``lr_delays``, ``feedback``), as if moved by hand.

        The new values take effect on :meth:`restart` (or the next :meth:`start` after a run ended).
        """
        if self.job is None:
            raise ValueError("the view has no training to configure yet: call view.train(model_config, "
                             "train_config, data) first")
        unknown = sorted(set(values) - set(CONTROLS))
        if unknown:
            raise ValueError(f"the live view has no control {unknown}; its controls are {list(CONTROLS)}")
        candidate = {**self.settings, **values}
        self.job.configs(candidate)  # refuse a bad value now, with the configuration's own message
        self.settings = candidate
        if self.live and self.controls:
            self.panel.set_values(values)
        return self

    def train(self, model_config, train_config, data, *, start: bool = True, ideal="auto",
              **train_kwargs) -> "LiveTrainingView":
        """Show the view and train with :func:`snnlib.train.train` (``train_kwargs`` go to it, e.g. ``out_dir``).

        ``ideal``: the delay-task pattern to draw (default: read from ``data`` by :func:`ideal_delays`; None: none).
        With ``start=False`` the view waits for Start. In ``thread`` mode this returns at once; otherwise when the
        run has ended. The run is a :class:`snnlib.liveview_training.TrainingJob` (see :meth:`attach`).
        """
        from snnlib.liveview_training import TrainingJob  # the trainer is imported there, on first use

        return self.attach(TrainingJob(model_config, train_config, data, ideal=ideal, **train_kwargs), start=start)

    def attach(self, job, *, start: bool = True) -> "LiveTrainingView":
        """Show the view with its controls for ``job`` and start a run (unless ``start=False``).

        ``job`` starts runs and reports them as trainer events to :meth:`on_event`: it has ``settings()``,
        ``configs(settings)``, ``n_events(train_config)``, ``run(model_config, train_config, callback)`` and
        ``ideal`` (:class:`snnlib.liveview_training.TrainingJob` runs the library's trainer; see its module).
        """
        if self.running:
            self.stop()
            self._join()
        self.job = job
        self.settings = dict(job.settings())
        self.mode = self._choose_mode()
        if self.live:
            from IPython.display import display

            self.panel.build_controls(self.settings)
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
        if self.job is None:
            raise ValueError("nothing to start: call view.train(model_config, train_config, data) first")
        if self.running:
            self.resume()
            return
        self._launch()

    def pause(self) -> None:
        """Hold the training at the next trainer event (thread mode; the foreground cannot be clicked)."""
        if self.running:
            self._worker.paused.set()
            self._set_status(self._progress("paused"))
            self._enable(running=True)

    def resume(self) -> None:
        if self._worker.paused.is_set():
            self._worker.paused.clear()
            self._set_status(self._progress("running"))
            self._enable(running=True)

    def toggle_pause(self) -> None:
        self.resume() if self._worker.paused.is_set() else self.pause()

    def stop(self) -> None:
        """End the run at the next trainer event (or, for a record stream, after the current update)."""
        self._worker.stopping.set()
        self._worker.paused.clear()

    def restart(self) -> None:
        """Stop the run in progress (waiting for it to end) and start a fresh one with the current settings."""
        if self.job is None:
            raise ValueError("nothing to restart: call view.train(model_config, train_config, data) first")
        if self.running:
            self.stop()
            self._join()
        self._launch()

    # -- a run of the job, watched through the trainer's events -------------------------------------
    def _launch(self) -> None:
        model, settings = self.job.configs(self.settings)
        previous = LiveTrainingView._active.get(self.name)
        if previous is not None and previous is not self and previous.running:
            previous.stop()
            previous._join()
        LiveTrainingView._active[self.name] = self
        self.d_max = model.d_max
        self._reset(total=self.job.n_events(settings))
        self.runs += 1
        self._model = model
        self._run_settings = dict(self.settings)   # what this run uses (the sliders may move meanwhile)
        if self.live:
            self.panel.mark(running=True)
            self._draw("starting")
        threaded = self.mode == "thread"
        if threaded:
            self._worker.start(self._run_job, model, settings, background=True)
        self._enable(running=True)
        if not threaded:
            self._worker.start(self._run_job, model, settings, background=False)
            if self.error is not None:  # the foreground shows the error where it happened
                raise self.error

    def _reset(self, total) -> None:
        self.total = total
        self._worker.clear()
        self.stopped, self.error, self.updates, self.result, self.best = False, None, 0, None, None
        self.history, self.delays = {"step": [], "loss": [], "val_acc": []}, None
        self._last_draw = (0, 0.0, 0.0)

    def _run_job(self, model, settings) -> None:
        try:
            self.result = self.job.run(model, settings, self.on_event)
            self.stopped = self.result.status != "finished"
        except BaseException as exc:  # noqa: BLE001 - shown in the view and re-raised by wait() / the foreground
            self.error = exc
        finally:
            self._finish()

    def on_event(self, event):
        """The trainer's callback: record a :class:`~snnlib.train.TrainEvent` (``batch`` or ``epoch``; ``end`` is
        ignored), redraw when due, hold while paused; returns False to ask the trainer to stop."""
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
        if self._worker.hold():
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
                self._set_status(self._progress("paused" if self._worker.paused.is_set() else "running"))
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

            self.panel.mark(running=True)
            self.buttons["stop"].disabled = False
            display(self.widget)
            self._draw("running")
            self._worker.start(self._consume, updates, background=True)
        else:
            self._worker.start(self._consume, updates, background=False)
            if self.error is not None:
                raise self.error
        return self

    def _consume(self, updates) -> None:
        try:
            for record in updates:
                self._record(record)
                if self._worker.stopping.is_set():
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
        return self._worker.running

    def _join(self, timeout: float | None = None) -> None:
        self._worker.join(timeout)

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
        if self.job is None:  # a record stream: the generic training plot
            return plots.plot_training(dict(self.history), delays=self.delays, d_max=self.d_max, title=self.name)
        mask = None
        if self.delays is not None and np.ndim(self.delays) == 2:
            from snnlib.config import input_mask
            mask = input_mask(self._model)
        return delay_view_figure(self.delays, d_max=self.d_max, W_out=self.W_out, W_in=self.W_in, mask=mask,
                                 ideal=self.job.ideal, history=self.history, title=self._title())

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
            self.panel.set_status(text)

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
            self._worker.paused.clear()
            self.panel.mark(running=False)
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
