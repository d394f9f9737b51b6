"""Size, memory and latency of a network, and its measured inference time (MODEL.md §9).

Counting rules (stated once, used everywhere):

- **Parameters** are the numbers a deployed network has to store, reported separately for weights and delays.
  Weights are ``W_in``, ``W_rec``, ``W_out`` and the readout biases ``b_out``. A connection removed by the sparsity
  mask has neither a weight nor a delay and counts as neither. An axonal delay belongs to an input channel and counts
  if at least one of the channel's connections survives the mask. Fixed random delays are stored too, so they count
  as delays, but not as *learned* delays.
- **Bytes** are given at a stated precision for the weights (8 and 32 bit by default) and at
  ``ceil(log2(d_max + 1))`` bits per delay: the smallest integer that holds every delay 0 … d_max.
- **Delay buffers**: a streaming implementation keeps, for every presynaptic neuron whose spikes are delayed, one ring
  buffer of the last ``d_max + 1`` steps, one bit per step (spikes are binary; a source that can carry counts above
  one per step needs ``ceil(log2(max count + 1))`` bits per entry instead). Synaptic and axonal delays need the same
  buffers: every target reads the same history of its source, at its own tap. Input delays buffer the M input
  channels (those with a surviving connection), recurrent delays the N hidden neurons.
- **Added latency**: a decision waits for the spikes still travelling through the delays, at most ``d_max · dt``
  per delayed projection on the longest path input → hidden → readout. A recurrent projection with delays is
  counted once (the longest path that takes one recurrent hop; every further hop adds the same again). The bound
  from ``d_max`` and the value from the largest delay actually present are both reported.
- **Inference time** is measured, wall clock, on this machine: the best of a few repeats of the fast engine's
  batched forward pass, divided by the batch size.
"""
from __future__ import annotations

import math
import time

import numpy as np

from snnlib.config import SNNConfig, input_mask, param_layout
from snnlib.fast import fast_forward
from snnlib.gradients import evaluate
from snnlib.network import input_delays, recurrent_delays


def delay_bits(d_max: int) -> int:
    """Bits per stored delay, ``ceil(log2(d_max + 1))`` (0 when d_max = 0: every delay is 0)."""
    return int(math.ceil(math.log2(d_max + 1))) if d_max > 0 else 0


def parameter_counts(config: SNNConfig) -> dict:
    """Weights and delays actually present, per array and in total (masks respected).

    Returns a dict with ``per_array`` (name -> count, only the arrays this network has), ``weights``, ``delays``,
    ``learned_delays`` (0 for fixed delays), ``total`` (weights + delays) and ``connections`` (surviving input
    connections).
    """
    N, M = config.n_hidden, config.n_in
    mask = input_mask(config)
    connections = N * M if mask is None else int(mask.sum())
    active_inputs = M if mask is None else int(mask.any(axis=0).sum())
    layout = param_layout(config)
    per = {key: math.prod(spec.shape) for key, spec in layout.items()}
    per["W_in"] = connections                       # the mask removes input connections …
    if "D_in" in per:                               # … with their delays; an axonal delay goes with its input
        per["D_in"] = active_inputs if layout["D_in"].shape == (M,) else connections
    weights = sum(v for k, v in per.items() if not layout[k].delay)
    delays = sum(v for k, v in per.items() if layout[k].delay)
    learned = sum(v for k, v in per.items() if layout[k].delay and layout[k].trainable)
    return {"per_array": per, "weights": weights, "delays": delays, "learned_delays": learned,
            "total": weights + delays, "connections": connections}


def memory(config: SNNConfig, weight_bits=(8, 32)) -> dict:
    """Storage of the parameters and of the streaming delay buffers, in bits and bytes.

    Returns ``delay_bits`` (per delay), ``weights_bytes`` {bits: bytes} for each precision in ``weight_bits``,
    ``delays_bytes``, ``buffer_sources`` (presynaptic neurons with a ring buffer), ``buffer_bits``/``buffer_bytes``
    (all ring buffers: sources × (d_max + 1) × 1 bit) and ``total_bytes`` {bits: bytes} (weights at that precision
    + delays + buffers). Bytes are total bits / 8, not rounded.
    """
    counts = parameter_counts(config)
    bits = delay_bits(config.d_max)
    sources = 0
    if config.delays != "none":
        sources += counts["per_array"]["D_in"] if config.delays == "axonal" else _active_inputs(config)
    if config.recurrent and config.rec_delays != "none":
        sources += config.n_hidden
    buffer_bits = sources * (config.d_max + 1)
    delays_bytes = counts["delays"] * bits / 8
    weights_bytes = {int(b): counts["weights"] * int(b) / 8 for b in weight_bits}
    return {
        "delay_bits": bits,
        "weights_bytes": weights_bytes,
        "delays_bytes": delays_bytes,
        "buffer_sources": sources,
        "buffer_bits": buffer_bits,
        "buffer_bytes": buffer_bits / 8,
        "total_bytes": {b: w + delays_bytes + buffer_bits / 8 for b, w in weights_bytes.items()},
    }


def latency(config: SNNConfig, params: dict | None = None) -> dict:
    """Extra time a decision waits for delayed spikes, seconds.

    Returns ``delayed_layers`` (delayed projections on the longest path), ``added_latency_s`` (their number ×
    d_max · dt, the bound) and, when ``params`` are given, ``added_latency_present_s`` (the sum of the largest
    integer delay actually present in each, × dt).
    """
    layers = int(config.delays != "none") + int(config.recurrent and config.rec_delays != "none")
    out = {"delayed_layers": layers, "added_latency_s": layers * config.d_max * config.dt}
    if params is not None:
        steps = 0
        d_in = input_delays(config, params)
        if d_in is not None:
            steps += int(_surviving(config, d_in).max(initial=0))
        if config.recurrent and config.rec_delays != "none":
            steps += int(recurrent_delays(config, params).max(initial=0))
        out["added_latency_present_s"] = steps * config.dt
    return out


def inference_time(config: SNNConfig, params: dict, x, repeats: int = 3) -> float:
    """Wall-clock seconds per sample of the batched forward pass on ``x`` (B, T, M): best of ``repeats``, / B.

    The fast engine's forward pass (:func:`snnlib.fast.fast_forward`), what inference would run.
    """
    x = np.asarray(x)
    best = math.inf
    for _ in range(max(1, int(repeats))):
        start = time.perf_counter()
        fast_forward(config, params, x)
        best = min(best, time.perf_counter() - start)
    return best / x.shape[0]


def model_report(config: SNNConfig, params: dict, x=None, labels=None, *, weight_bits=(8, 32),
                 batch_size: int = 256) -> dict:
    """Everything of MODEL.md §9 in one dict: ``parameters``, ``memory``, ``latency`` and, given test data
    ``x`` (n, T, M) and ``labels`` (n,), ``accuracy``, ``loss``, ``n_samples`` and ``inference_s_per_sample``
    (measured on the first batch of at most ``batch_size`` samples).
    """
    report = {"parameters": parameter_counts(config), "memory": memory(config, weight_bits),
              "latency": latency(config, params)}
    if x is not None:
        x = np.asarray(x)
        labels = np.asarray(labels)
        report["n_samples"] = int(len(labels))
        report["loss"], report["accuracy"] = evaluate(config, params, x, labels, batch_size, engine="fast")
        report["inference_s_per_sample"] = inference_time(config, params,
                                                          x[:batch_size].astype(config.np_dtype))
    return report


def format_report(report: dict) -> str:
    """A few readable lines for the terminal."""
    p, m, lat = report["parameters"], report["memory"], report["latency"]
    lines = [
        f"parameters: {p['total']:,} = {p['weights']:,} weights + {p['delays']:,} delays "
        f"({p['learned_delays']:,} learned); per array: "
        + ", ".join(f"{k} {v:,}" for k, v in p["per_array"].items()),
        "memory: " + ", ".join(f"weights {b}-bit {_size(v)}" for b, v in m["weights_bytes"].items())
        + f", delays {m['delay_bits']}-bit {_size(m['delays_bytes'])}, delay buffers {_size(m['buffer_bytes'])} "
        f"({m['buffer_sources']} sources × {m['buffer_bits'] // max(m['buffer_sources'], 1)} steps × 1 bit)",
        f"added latency: {lat['delayed_layers']} delayed layer(s) × d_max·dt = {lat['added_latency_s'] * 1e3:.0f} ms"
        + (f" (largest delays present: {lat['added_latency_present_s'] * 1e3:.0f} ms)"
           if "added_latency_present_s" in lat else ""),
    ]
    if "accuracy" in report:
        lines.append(f"accuracy: {100 * report['accuracy']:.2f} % on {report['n_samples']} samples "
                     f"(loss {report['loss']:.4f})")
        lines.append(f"inference: {1e3 * report['inference_s_per_sample']:.3f} ms per sample (batched forward pass, "
                     "this machine)")
    return "\n".join(lines)


def _active_inputs(config: SNNConfig) -> int:
    mask = input_mask(config)
    return config.n_in if mask is None else int(mask.any(axis=0).sum())


def _surviving(config: SNNConfig, d: np.ndarray) -> np.ndarray:
    """Integer input delays of connections that exist (axonal: of inputs with a surviving connection)."""
    mask = input_mask(config)
    if mask is None:
        return d
    return d[mask.any(axis=0)] if d.ndim == 1 else d[mask]


def _size(n_bytes: float) -> str:
    for unit, scale in (("MB", 1e6), ("kB", 1e3)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.1f} {unit}"
    return f"{n_bytes:.0f} B"
