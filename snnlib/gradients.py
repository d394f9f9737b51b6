"""The one gradient entry, which learning rule on which engine, and the one evaluation.

    loss, grads = gradients(config, params, x, labels, rule="online", engine="fast")
    loss, accuracy = evaluate(config, params, x, labels, batch_size=None, engine="reference")

``rule="online"`` is the three-factor rule (MODEL.md §5): ``engine="fast"`` computes it with batched array
operations (:mod:`snnlib.fast`, event-driven Numba kernels when Numba is installed), ``engine="stepwise"`` tick by
tick with :class:`snnlib.online.OnlineLearner`; the two give the same numbers (``tests/test_fast.py``).
``rule="bptt"`` is backpropagation through time (:mod:`snnlib.bptt`), the yardstick; for a feedforward network it
gives the online rule's gradient (MODEL.md §7). The learners below this module never import each other.

:func:`evaluate` scores a batch or a whole partition with the reference forward pass (:mod:`snnlib.network`) or the
fast engine's (:mod:`snnlib.fast`: the same predictions up to float rounding, 10–30× cheaper per sample with
synaptic delays), which is what the trainer and :mod:`snnlib.metrics` use.
"""
from __future__ import annotations

import math

import numpy as np

from snnlib.bptt import bptt_gradients
from snnlib.config import SNNConfig
from snnlib.fast import fast_forward, fast_gradients
from snnlib.network import forward, score
from snnlib.online import OnlineLearner
from snnlib.validation import check_input, check_labels, check_params

RULES = ("online", "bptt")
ENGINES = ("fast", "stepwise")
FORWARD_ENGINES = ("reference", "fast")


def gradients(config: SNNConfig, params: dict, x, labels, rule: str = "online", engine: str = "fast"):
    """Loss and gradients (means over the batch) of ``rule`` on ``engine``; parameters unchanged.

    x: (B, T, M) spike counts; labels: (B,). Returns ``(loss, grads)`` keyed and shaped like ``params``.
    ``engine`` chooses how the online rule is computed (BPTT has one engine).
    """
    if rule == "bptt":
        return bptt_gradients(config, params, x, labels)
    if rule != "online":
        raise ValueError(f"unknown rule {rule!r}; expected one of {', '.join(RULES)}")
    return online_gradients(config, params, x, labels, engine=engine)


def online_gradients(config: SNNConfig, params: dict, x, labels, engine: str = "stepwise"):
    """Loss and gradients of the three-factor rule (means over the batch), parameters unchanged.

    x: (B, T, M) spike counts; labels: (B,). ``engine="stepwise"`` runs :class:`OnlineLearner`
    tick by tick; ``engine="fast"`` computes the same numbers with batched array operations
    (:mod:`snnlib.fast`). Returns ``(loss, grads)`` keyed and shaped like ``params``.
    """
    check_params(config, params)
    x = check_input(config, x)
    labels = check_labels(config, labels, x.shape[0])
    if engine == "fast":
        return fast_gradients(config, params, x, labels)
    if engine != "stepwise":
        raise ValueError(f"unknown engine {engine!r}; expected 'stepwise' or 'fast'")
    learner = OnlineLearner(config, params)
    learner.begin(labels, x.shape[1])
    for t in range(x.shape[1]):
        learner.step(x[:, t])
    return learner.finish()


def evaluate(config: SNNConfig, params: dict, x, labels, batch_size: int | None = None,
             engine: str = "reference") -> tuple[float, float]:
    """(mean loss, accuracy as a fraction) over the samples of ``x`` (n, T, M) with ``labels`` (n,).

    batch_size: samples per forward pass (default: all at once); each batch is cast to the config's dtype, so ``x``
    may be a compact integer array. engine: ``"reference"`` (:func:`snnlib.forward`) or ``"fast"``
    (:func:`snnlib.fast.fast_forward`). ``(nan, nan)`` when there are no samples.
    """
    if engine not in FORWARD_ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {', '.join(FORWARD_ENGINES)}")
    run = forward if engine == "reference" else fast_forward
    n = len(labels)
    if len(x) != n:
        raise ValueError(f"labels must hold one class per sample: x has {len(x)} samples, labels {n}")
    if n == 0:
        return math.nan, math.nan
    if batch_size is None:
        batch_size = n
    elif isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a whole number >= 1 (or None for all at once), got {batch_size!r}")
    loss_sum = correct = 0.0
    for start in range(0, n, batch_size):
        xb = np.asarray(x[start:start + batch_size]).astype(config.np_dtype, copy=False)
        loss, acc = score(config, run(config, params, xb).probs, labels[start:start + batch_size])
        loss_sum += loss * len(xb)
        correct += acc * len(xb)
    return loss_sum / n, correct / n
