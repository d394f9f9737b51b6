"""The live training view's widgets: its controls, buttons, status line and figure (ipywidgets).

:class:`Panel` builds them and reports what the learner does (a button clicked, a control moved) to the
:class:`snnlib.liveview.LiveTrainingView` that owns it; it holds no training state. Controls (sliders take effect
on **Restart**; the trainer's configuration is fixed for a run):

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

CSS classes (for browser tests): ``snnlib-live-view``, ``snnlib-figure``, ``snnlib-status``,
``snnlib-sigma-slider``, ``snnlib-dmax-slider``, ``snnlib-lr-weights-slider``, ``snnlib-lr-delays-slider``,
``snnlib-feedback``, ``snnlib-start-button``, ``snnlib-pause-button``, ``snnlib-stop-button``,
``snnlib-restart-button``; the view carries ``snnlib-running`` while training and ``snnlib-done`` after.
"""
from __future__ import annotations

import html

__all__ = ["CONTROLS", "Panel"]

#: The controls, by the name of the setting each one changes.
CONTROLS = ("sigma", "d_max", "lr_weights", "lr_delays", "feedback")
_CSS = {"sigma": "snnlib-sigma-slider", "d_max": "snnlib-dmax-slider", "lr_weights": "snnlib-lr-weights-slider",
        "lr_delays": "snnlib-lr-delays-slider", "feedback": "snnlib-feedback"}
_BUTTONS = {"start": ("Start", "success", "play"), "pause": ("Pause", "warning", "pause"),
            "stop": ("Stop", "danger", "stop"), "restart": ("Restart", "info", "refresh")}


class Panel:
    """The widgets of one live view: ``widget`` (the whole), ``image``, ``label`` (the status line), ``buttons`` and
    ``controls`` (by key), ``settings_box``.

    ``actions``: button key → what a click does; a click that raises is passed to ``on_error`` instead of the front
    end. ``on_move(key, value)``: a control was moved (by hand: :meth:`set_values` does not report).
    """

    def __init__(self, name: str, actions: dict, on_move, on_error):
        import ipywidgets as w

        self._on_move, self._on_error, self._syncing = on_move, on_error, False
        self.image = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.image.add_class("snnlib-figure")
        self.label = w.HTML(value="not started")
        self.label.add_class("snnlib-readout")
        self.label.add_class("snnlib-status")
        self.buttons: dict = {}
        for key, (text, style, icon) in _BUTTONS.items():
            button = w.Button(description=text, button_style=style, icon=icon, tooltip=f"{text.lower()} the training",
                              layout=w.Layout(width="110px"))
            button.add_class(f"snnlib-{key}-button")
            button.on_click(lambda _, act=actions[key]: self._click(act))
            self.buttons[key] = button
        self.controls: dict = {}
        self.settings_box = w.VBox([])
        self.widget = w.VBox([self.settings_box, w.HBox(list(self.buttons.values())), self.label, self.image])
        self.widget.add_class("snnlib-live-view")
        self.widget.add_class(f"snnlib-{name.replace(' ', '-')}")

    def build_controls(self, settings: dict) -> None:
        """The controls, set to ``settings`` (replacing any shown before; ``controls`` stays the same dict)."""
        import ipywidgets as w

        s = settings
        common = dict(continuous_update=False, style={"description_width": "120px"}, layout=w.Layout(width="420px"))
        self.controls.clear()
        self.controls.update({
            "sigma": w.FloatSlider(value=s["sigma"], min=0.5, max=5.0, step=0.25, description="σ (steps)", **common),
            "d_max": w.IntSlider(value=s["d_max"], min=1, max=max(60, s["d_max"]), description="d_max (steps)",
                                 **common),
            "lr_weights": w.FloatLogSlider(value=max(s["lr_weights"], 1e-5), base=10, min=-5, max=0, step=0.25,
                                           description="lr weights", readout_format=".1e", **common),
            "lr_delays": w.FloatLogSlider(value=max(s["lr_delays"], 1e-4), base=10, min=-4, max=1, step=0.25,
                                          description="lr delays", readout_format=".1e", **common),
            "feedback": w.ToggleButtons(options=["symmetric", "random"], value=s["feedback"],
                                        description="feedback", style={"description_width": "120px"}),
        })
        for key, control in self.controls.items():
            if key != "feedback":
                control.add_class("snnlib-slider")
            control.add_class(_CSS[key])
            control.observe(lambda change, k=key: self._moved(k, change["new"]), names="value")
        note = w.HTML("<i>sliders take effect on Restart</i>")
        self.settings_box.children = [*self.controls.values(), note]

    def _moved(self, key, value) -> None:
        if not self._syncing:
            self._on_move(key, value)

    def _click(self, action) -> None:
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - a click must not raise into the front end: show it instead
            self._on_error(exc)

    def set_values(self, values: dict) -> None:
        """Move controls from code (not reported to ``on_move``)."""
        self._syncing = True
        try:
            for key, value in values.items():
                self.controls[key].value = value
        finally:
            self._syncing = False

    def enable(self, *, has_job: bool, running: bool, threaded: bool, paused: bool) -> None:
        """Which buttons can be pressed: Pause only in a background run; Restart during a run only in one."""
        self.buttons["start"].disabled = not has_job or (running and not paused)
        self.buttons["pause"].disabled = not (running and threaded)
        self.buttons["stop"].disabled = not running
        self.buttons["restart"].disabled = not has_job or (running and not threaded)
        self.buttons["pause"].description = "Resume" if paused else "Pause"

    def set_status(self, text: str) -> None:
        self.label.value = html.escape(text)

    def mark(self, running: bool) -> None:
        """``snnlib-running`` on the view while it trains, ``snnlib-done`` after."""
        self.widget.remove_class("snnlib-done" if running else "snnlib-running")
        self.widget.add_class("snnlib-running" if running else "snnlib-done")
