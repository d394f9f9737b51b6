"""The one gradient entry: which learning rule, computed by which engine.

    loss, grads = gradients(config, params, x, labels, rule="online", engine="fast")

``rule="online"`` is the three-factor rule (MODEL.md §5): ``engine="fast"`` computes it with batched array
operations (:mod:`snnlib.fast`, event-driven Numba kernels when Numba is installed), ``engine="stepwise"`` tick by
tick with :class:`snnlib.online.OnlineLearner`; the two give the same numbers (``tests/test_fast.py``).
``rule="bptt"`` is backpropagation through time (:mod:`snnlib.bptt`), the yardstick; for a feedforward network it
gives the online rule's gradient (MODEL.md §7). The learners below this module never import each other.
"""
from __future__ import annotations

from snnlib.bptt import bptt_gradients
from snnlib.config import SNNConfig
from snnlib.fast import fast_gradients
from snnlib.online import OnlineLearner
from snnlib.validation import check_input, check_labels, check_params

RULES = ("online", "bptt")
ENGINES = ("fast", "stepwise")


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
