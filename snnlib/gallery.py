"""The figures of results, by their older name: everything here is :mod:`snnlib.plots.gallery`.

``from snnlib import gallery`` (notebook 09, ``scripts/make_figures.py``) and ``from snnlib.plots import gallery``
give the same functions; new code uses the second.
"""
from snnlib.plots.gallery import (DELAY_STYLE, pareto_front, plot_binned, plot_delay_learning, plot_gradient_check,
                                  plot_pareto, plot_spike_events, plot_surrogate_kernels)

__all__ = ["DELAY_STYLE", "plot_spike_events", "plot_binned", "plot_surrogate_kernels", "plot_delay_learning",
           "plot_gradient_check", "pareto_front", "plot_pareto"]
