"""Checks on the arrays handed to the engine: inputs, labels and parameters.

Each check raises ``ValueError`` naming the array, what was found and what was expected, so a
mistake surfaces at the call that made it, not as a broadcasting error deep inside NumPy.
"""
from __future__ import annotations

import numpy as np

from snnlib.config import SNNConfig, param_layout


def param_shapes(config: SNNConfig) -> dict[str, tuple[int, ...]]:
    """The keys and shapes ``init_params(config)`` produces (and every ``grads`` dict has):
    :func:`snnlib.config.param_layout`'s shapes."""
    return {key: spec.shape for key, spec in param_layout(config).items()}


def check_params(config: SNNConfig, params: dict) -> None:
    if not isinstance(params, dict):
        raise ValueError(f"params must be a dict of arrays (from snnlib.init_params), got {type(params).__name__}")
    layout = param_layout(config)
    expected = {key: spec.shape for key, spec in layout.items()}
    missing = sorted(set(expected) - set(params))
    extra = sorted(set(params) - set(expected))
    if missing or extra:
        raise ValueError(
            f"params keys do not match the configuration (delays={config.delays!r}, "
            f"recurrent={config.recurrent}, rec_delays={config.rec_delays!r}): "
            + (f"missing {missing}" if missing else "")
            + ("; " if missing and extra else "")
            + (f"unexpected {extra}" if extra else "")
            + f"; expected keys {sorted(expected)}"
        )
    for key, shape in expected.items():
        value = params[key]
        if not isinstance(value, np.ndarray) or value.dtype.kind != "f":
            raise ValueError(f"params[{key!r}] must be a floating-point NumPy array, got "
                             f"{getattr(value, 'dtype', type(value).__name__)}")
        if value.shape != shape:
            raise ValueError(f"params[{key!r}] has shape {value.shape}, expected {shape}")
        if not np.all(np.isfinite(value)):
            raise ValueError(f"params[{key!r}] contains NaN or inf ({int(np.sum(~np.isfinite(value)))} values)")
        if layout[key].delay:
            lo, hi = float(value.min()), float(value.max())
            if lo < 0 or hi > config.d_max:
                raise ValueError(f"params[{key!r}] must lie in [0, d_max={config.d_max}] steps, "
                                 f"found values in [{lo:g}, {hi:g}]")


def check_input(config: SNNConfig, x) -> np.ndarray:
    """Validate spike counts ``x`` (B, T, M) and return them as an array of the config's dtype."""
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(f"x must be a (B, T, M) array of spike counts (batch, steps, inputs), "
                         f"got shape {x.shape}")
    if x.shape[2] != config.n_in:
        raise ValueError(f"x has {x.shape[2]} input channels, expected n_in={config.n_in}")
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"x must hold at least one sample and one step, got shape {x.shape}")
    if x.dtype.kind not in "biuf":
        raise ValueError(f"x must hold numbers (bool, int or float spike counts), got dtype {x.dtype}")
    if x.dtype.kind == "f" and not np.all(np.isfinite(x)):
        raise ValueError("x contains NaN or inf; spike counts must be finite")
    if x.dtype.kind in "if" and np.any(x < 0):
        raise ValueError(f"x contains negative spike counts (min {x.min()}); counts must be >= 0")
    if config.loss_start >= x.shape[1]:
        raise ValueError(f"loss_start={config.loss_start} leaves an empty loss window for T={x.shape[1]} steps")
    return x.astype(config.np_dtype, copy=False)


def check_labels(config: SNNConfig, labels, batch: int) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.shape != (batch,):
        raise ValueError(f"labels must have shape (B,) = ({batch},), got {labels.shape}")
    if labels.dtype.kind not in "iu":
        if labels.dtype.kind == "f" and np.all(np.isfinite(labels)) and np.all(labels == np.round(labels)):
            labels = labels.astype(np.int64)
        else:
            raise ValueError(f"labels must be integer class indices, got dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= config.n_out):
        raise ValueError(f"labels must lie in 0 … {config.n_out - 1} (n_out={config.n_out}), "
                         f"found {labels.min()} … {labels.max()}")
    return labels.astype(np.int64)
