"""The explorer framework of the course: sliders, a figure and a readout line, with a static fallback.

An explorer is a render function ``(**values) -> (Figure, readout text)`` plus slider specifications
(:class:`Control`). With a widget front end (JupyterLab) an :class:`Explorer` shows the sliders, the figure as a
PNG in an ``ipywidgets.Image`` and a one-line readout; moving a slider re-renders (sliders use
``continuous_update=False``: the simulation runs once, when the slider is released). Without one
(``SNNLIB_STATIC=1``, plain Python; see :func:`snnlib.course.widget_frontend`) it shows one static figure and the
readout for the default values, so a headless run executes the same code.

No ipympl is needed. The figures are PNG bytes, so a browser test can compare the image before and
after moving a slider. CSS classes for finding the parts in a page (see docs/course.md):

``snnlib-explorer`` + ``snnlib-<name>``   the whole explorer (e.g. ``snnlib-coincidence``)
``snnlib-slider``                          every slider, plus one naming the control (``snnlib-control-<name>``)
                                           and those of its :attr:`Control.css` (e.g. ``snnlib-time-slider``)
``snnlib-figure``                          the image
``snnlib-readout``                         the readout line

The explorers themselves: :mod:`snnlib.widgets` (part I, notebooks 00–04), :mod:`snnlib.explorers` (part II,
notebooks 06–10), :mod:`snnlib.playground` (notebook 03's delay-learning playground). The live training view of
notebooks 05 and 07 is not an explorer: :mod:`snnlib.liveview`.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from functools import partial

from snnlib import plots
from snnlib.course import widget_frontend

__all__ = ["Control", "Explorer", "make_explorer"]


# ----------------------------------------------------------------------------- the generic explorer
@dataclass(frozen=True)
class Control:
    """A slider: ``name`` is the render function's argument; ``description`` the stable label shown
    (and used by browser tests); ``css`` extra CSS classes."""

    name: str
    description: str
    value: float
    min: float
    max: float
    step: float = 1
    integer: bool = True
    css: tuple[str, ...] = ()
    readout_format: str | None = None

    def check(self, value):
        if not (self.min <= value <= self.max):
            raise ValueError(f"{self.name} = {value!r} is outside the slider's range {self.min} … {self.max}")
        return int(value) if self.integer else float(value)

    def build(self):
        import ipywidgets as w

        kind = w.IntSlider if self.integer else w.FloatSlider
        options = dict(value=self.value, min=self.min, max=self.max, step=self.step, description=self.description,
                       continuous_update=False, style={"description_width": "150px"},
                       layout=w.Layout(width="480px"))
        if self.readout_format:
            options["readout_format"] = self.readout_format
        slider = kind(**options)
        for css in ("snnlib-slider", f"snnlib-control-{self.name}", *self.css):
            slider.add_class(css)
        return slider


class Explorer:
    """Sliders + a figure + a readout line, redrawn by ``render(**values) -> (Figure, str)``.

    Attributes: ``values`` (current control values), ``png`` (the last figure, PNG bytes),
    ``readout`` (the last readout text), ``renders`` (how many times it was drawn), ``live``
    (whether it uses widgets), ``widget`` (the ipywidgets container, None when static),
    ``sliders`` (name → slider, live only).
    """

    def __init__(self, name: str, render, controls, *, live: bool | None = None, dpi: int = 100):
        self.name = name
        self._render = render
        self.controls = {c.name: c for c in controls}
        self.values = {c.name: c.check(c.value) for c in controls}
        self.live = widget_frontend() if live is None else bool(live)
        self.dpi = dpi
        self.png = b""
        self.readout = ""
        self.renders = 0
        self.widget = None
        self.sliders: dict = {}
        self._holding = False
        if self.live:
            self._build()
        self.redraw()

    def _build(self) -> None:
        import ipywidgets as w

        self.sliders = {name: control.build() for name, control in self.controls.items()}
        for name, slider in self.sliders.items():
            slider.observe(partial(self._changed, name), names="value")
        self.image = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.image.add_class("snnlib-figure")
        self.label = w.HTML(layout=w.Layout(min_height="1.6em"))
        self.label.add_class("snnlib-readout")
        self.widget = w.VBox([*self.sliders.values(), self.label, self.image])
        self.widget.add_class("snnlib-explorer")
        self.widget.add_class(f"snnlib-{self.name}")

    def _changed(self, name, change) -> None:
        self.values[name] = change["new"]
        if not self._holding:
            self.redraw()

    def set(self, **values) -> "Explorer":
        """Change some controls (as if the sliders were moved) and redraw once."""
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise ValueError(f"{self.name} has no control {unknown}; its controls are {sorted(self.controls)}")
        checked = {k: self.controls[k].check(v) for k, v in values.items()}
        self._holding = True
        try:
            for key, value in checked.items():
                self.values[key] = value
                if self.live:
                    self.sliders[key].value = value
        finally:
            self._holding = False
        self.redraw()
        return self

    def redraw(self) -> None:
        """Run the render function with the current values and show the result."""
        try:
            fig, text = self._render(**self.values)
            self.png = plots.figure_png(fig, dpi=self.dpi)
        except ValueError as exc:  # a combination the model refuses: say so instead of breaking the widget
            if not self.live:
                raise
            text = f"error: {exc}"
        self.readout = text
        self.renders += 1
        if self.live:
            self.image.value = self.png
            self.label.value = f"<b>{html.escape(text)}</b>"

    def show(self) -> "Explorer":
        """Display the widget (live) or the static figure and its readout."""
        from IPython.display import Image, display

        if self.live:
            display(self.widget)
        else:
            display(Image(data=self.png, format="png"))
            print(self.readout)
        return self

    def __repr__(self) -> str:
        values = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"Explorer({self.name}: {values})"


def make_explorer(name, render, controls, values, show, live):
    """An :class:`Explorer` called ``name`` over ``controls``, with some start ``values`` changed (a value for no
    control is refused, naming the controls there are); shown at once unless ``show`` is False."""
    unknown = sorted(set(values) - {c.name for c in controls})
    if unknown:
        raise ValueError(f"{name} explorer has no control {unknown}; its controls are "
                         f"{sorted(c.name for c in controls)}")
    controls = [Control(**{**c.__dict__, "value": values.get(c.name, c.value)}) for c in controls]
    explorer = Explorer(name, render, controls, live=live)
    return explorer.show() if show else explorer
