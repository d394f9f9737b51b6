"""The training configuration: :class:`TrainConfig`, the defaults of every option of a run, and the checks of a
configuration against the data and the machine (:func:`check_fit`, :func:`training_memory`) made before any work.

How to train is a :class:`TrainConfig`; the network an :class:`~snnlib.config.SNNConfig`; the data a
:class:`~snnlib.data.partitions.DataConfig`. The fields of the three that are options of a run (``python -m snnlib
train``, its config files, a resumed run) say so in their metadata (:func:`snnlib._options.option`): help text,
choices, default. :data:`OPTIONS` is the table read from them, :data:`GENERIC_DEFAULTS` its defaults, and
:data:`DATASET_DEFAULTS` the one table of each dataset's own values.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from snnlib._checks import check_choice, check_int
from snnlib._options import collect, option
from snnlib.config import SNNConfig
from snnlib.data.augment import check_augmentation
from snnlib.data.partitions import DataConfig, Dataset, refuse_if_too_big
from snnlib.gradients import ENGINES, RULES
from snnlib.optim import LR_DELAYS, LR_WEIGHTS

__all__ = ["TrainConfig", "OPTIONS", "GENERIC_DEFAULTS", "DATASET_DEFAULTS", "training_memory",
           "check_training_memory", "check_fit", "OPTIMIZERS", "SCHEDULES", "METHODS", "ENGINES"]

OPTIMIZERS = ("adam", "sgd")
SCHEDULES = ("constant", "cosine")
METHODS = RULES  # the learning rules snnlib.gradients computes, and its engines (ENGINES)


# ----------------------------------------------------------------------------- configuration
@dataclass(frozen=True)
class TrainConfig:
    """How to train (the network itself is an :class:`~snnlib.config.SNNConfig`).

    epochs: passes over the training set. batch_size: samples per update (the last batch may be smaller).
    lr_weights, lr_delays: learning rates of the weights and of the delays (delays in steps; MODEL.md §8).
    lr_schedule: ``constant``, or ``cosine``: epoch e of E uses the rates × (1 + cos(π e / E)) / 2, which settles
        the noisy last epochs (the schedule depends on E, so a cosine run resumes only with the same ``epochs``).
    optimizer: ``adam`` or ``sgd``.
    method: ``online`` (the three-factor rule) or ``bptt`` (exact gradients, for the online-vs-BPTT comparison).
    engine: ``fast`` (batched, default) or ``stepwise`` (tick by tick) for the online rule with one update per batch.
    update_every: U steps between updates inside a sample; ``None`` = T, one update per batch. U < T always runs
        the stepwise learner (updates mid-sample are what it is for). Online rule only.
    seed: seeds the data order (the parameters are seeded by ``SNNConfig.seed``).
    augment_shift, augment_stretch: change every training batch at random before it is trained on, with
        :func:`snnlib.data.augment_batch` (each sample's spikes moved by up to ± ``augment_shift`` channels and
        stretched in time by a factor in 1 ± ``augment_stretch``); 0 and 0 (default): train on the data as it is.
        The draws come from a generator seeded by (``seed``, epoch, batch), so a resumed run sees the same batches.
    eval_batch_size: samples per forward pass when evaluating.
    callback_every: batches between two ``"batch"`` events sent to the callback.
    """

    epochs: int = option(10, help="passes over the training set")
    batch_size: int = option(32, help="samples per update")
    lr_weights: float = option(LR_WEIGHTS, help="learning rate of the weights")
    lr_delays: float = option(LR_DELAYS, help="learning rate of the delays (delays in steps)")
    lr_schedule: str = option("cosine", choices=SCHEDULES,
                              help="learning rates constant, or decayed per epoch along a half cosine")
    optimizer: str = option("adam", choices=OPTIMIZERS, help="optimiser")
    method: str = option("online", choices=METHODS, help="three-factor online rule, or BPTT for comparison")
    engine: str = option("fast", choices=ENGINES, help="batched engine (default) or the tick-by-tick learner")
    update_every: int | None = option(None, help="steps between updates inside a sample (default: T, once per "
                                                 "batch); U < T runs the stepwise online learner")
    seed: int = option(0)  # the option --seed, described with SNNConfig.seed (one seed for parameters and order)
    augment_shift: int = option(0, help="move each training sample's spikes by a random whole number of input "
                                        "channels in -this..this (0: off); on a cochlear channel axis, a "
                                        "higher or lower voice")
    augment_stretch: float = option(0.0, help="stretch each training sample in time by a random factor in "
                                              "1 ± this (0: off); a slower or faster speaker")
    eval_batch_size: int = 256
    callback_every: int = 10

    def __post_init__(self) -> None:
        check_int("epochs", self.epochs, 0)
        check_int("batch_size", self.batch_size, 1)
        check_int("eval_batch_size", self.eval_batch_size, 1)
        check_int("callback_every", self.callback_every, 1)
        check_int("seed", self.seed, 0)
        check_augmentation(self.augment_shift, self.augment_stretch)
        for name in ("lr_weights", "lr_delays"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) \
                    or not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
        check_choice("lr_schedule", self.lr_schedule, SCHEDULES)
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        check_choice("method", self.method, METHODS)
        check_choice("engine", self.engine, ENGINES)
        if self.update_every is not None:
            check_int("update_every", self.update_every, 1)
            if self.method == "bptt":
                raise ValueError("update_every applies to the online rule only: BPTT computes its gradient after "
                                 "the whole sample; drop --update-every or use --method online")

    def replace(self, **changes) -> "TrainConfig":
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


#: Every option of a run, by name: the flags of ``python -m snnlib train``, the keys of its config files and the
#: options a resumed run reads back from its checkpoint. Read from the fields the three configurations declare
#: with :func:`snnlib._options.option` (help, choices, type, default), in the order data, network, training.
OPTIONS = collect(DataConfig, SNNConfig, TrainConfig)
#: The default of every option of a run: the configurations' own field defaults (``hidden``: ``SNNConfig.n_hidden``
#: has none, its option declares 64).
GENERIC_DEFAULTS = {name: o.default for name, o in OPTIONS.items()}
#: Defaults per dataset (command line and experiments), chosen so that the offline datasets train in a few
#: minutes on 2 cores (see docs/training.md).
DATASET_DEFAULTS = {
    "delay-task": dict(hidden=16, epochs=15, d_max=15, lr_weights=5e-2, lr_delays=0.1),
    "randman": dict(hidden=32, epochs=20, d_max=15, lr_weights=1e-2, lr_delays=0.5),
    "shd-like": dict(hidden=32, epochs=8, pool=10, d_max=15, lr_weights=2e-2, lr_delays=0.5),
    "shd": dict(hidden=128, epochs=20, pool=5, d_max=25, lr_weights=2e-3, lr_delays=0.5, valid_by="speaker"),
    "ssc": dict(hidden=128, epochs=10, pool=5, d_max=25, lr_weights=2e-3, lr_delays=0.5),
    # FSDD at 700 channels pooled by 5 like SHD; the recipe of docs/fsdd.md (chosen without the test set), with 10
    # epochs instead of 20 so that part II's multi-seed grids fit in about an hour on 2 cores, and the whole of the
    # longest recording as the window (2.28 s, 229 steps) instead of docs/fsdd.md's 0.8 s
    "fsdd": dict(hidden=64, epochs=10, pool=5, d_max=25, lr_weights=1e-2, lr_delays=0.5, tau_out=0.2),
}


# ----------------------------------------------------------------------------- checks before any work
def training_memory(mc: SNNConfig, tc: "TrainConfig", n_steps: int, n_train: int | None = None,
                    n_eval: int | None = None) -> dict[str, int]:
    """Rough peak memory (bytes) of a training run beyond the data arrays, by part (an estimate, not a bound).

    ``parameters``: the parameters with their gradients, optimiser moments and the snapshot kept per batch.
    ``batch``: the arrays of one training batch (B, T, ·) of the fast engine — the input, about twelve (B, T, N)
    arrays of the forward pass and the credit, the readout. ``evaluation``: one forward pass over an evaluation
    batch. ``delay buffers``: the ``d_max + 2w`` steps of padding of the delayed input and of the credit.
    ``kernel taps``: 2w + 1 per learned delay. ``stepwise traces``: the per-synapse traces of the stepwise learner.
    Within about 1.5× of the peaks measured with tracemalloc (docs/training.md). ``n_train``/``n_eval`` cap the
    batch sizes at the sizes of the partitions.
    """
    s = mc.np_dtype.itemsize
    B = tc.batch_size if n_train is None else min(tc.batch_size, max(n_train, 1))
    Be = tc.eval_batch_size if n_eval is None else min(tc.eval_batch_size, max(n_eval, 1))
    T, M, N, K = n_steps, mc.n_in, mc.n_hidden, mc.n_out
    w, pad = mc.w, mc.d_max + 2 * mc.w
    n_delays = {"none": 0, "fixed": N * M, "synaptic": N * M, "axonal": M}[mc.delays]
    n_params = N * M + n_delays + K * N + K
    if mc.recurrent:
        n_params += N * N + {"none": 0, "synaptic": N * N, "axonal": N}[mc.rec_delays]
    parts = {
        "parameters": 8 * n_params * s,
        "batch": B * T * (2 * M + 12 * N + 6 * K) * s,
        "evaluation": Be * T * (2 * M + 4 * N + 3 * K) * s,
        "delay buffers": (B * pad * (M + 2 * N) + Be * pad * M) * s,
        "kernel taps": (n_delays + (N * N if mc.rec_delays == "synaptic" else 0)) * (2 * w + 1) * 8,
    }
    if tc.method == "online" and tc.update_every is not None and tc.update_every < T:
        parts["stepwise traces"] = 5 * B * (N * M + (N * N if mc.recurrent else 0)) * s + B * (pad + 1) * M * s
    return parts


_MEMORY_ADVICE = {
    "parameters": "lower --hidden, or pool input channels with --pool",
    "batch": "lower --batch-size or --hidden, or shorten T (raise --dt, lower --max-time)",
    "evaluation": "shorten T (raise --dt, lower --max-time) or lower --hidden",
    "delay buffers": "lower --d-max or --sigma (the padding is d_max + 2·ceil(3σ) steps)",
    "kernel taps": "lower --sigma (the kernel spans 2·ceil(3σ) + 1 steps)",
    "stepwise traces": "lower --batch-size or --hidden, or drop --update-every (the fast engine needs no traces)",
}


def check_training_memory(mc: SNNConfig, tc: "TrainConfig", data: "Dataset") -> None:
    n_eval = max(len(data.test), len(data.valid) if data.valid is not None else 0)
    parts = training_memory(mc, tc, data.n_steps, len(data.train), n_eval)
    n_steps, B = data.n_steps, min(tc.batch_size, len(data.train))
    labels = {"parameters": f"parameters and optimiser state (N={mc.n_hidden}, M={mc.n_in})",
              "batch": f"one batch (B={B} × T={n_steps:,} steps × N={mc.n_hidden})",
              "evaluation": f"one evaluation batch ({min(tc.eval_batch_size, n_eval)} × {n_steps:,} steps)",
              "delay buffers": f"delay buffers (d_max={mc.d_max:,} + 2w={2 * mc.w:,} steps)",
              "kernel taps": f"delay-kernel taps (σ={mc.sigma:g}: {2 * mc.w + 1:,} per delay)",
              "stepwise traces": f"per-synapse traces of the stepwise learner (B={tc.batch_size})"}
    refuse_if_too_big({labels[k]: (v, _MEMORY_ADVICE[k]) for k, v in parts.items()}, "training")


def check_fit(mc: SNNConfig, tc: "TrainConfig", data: Dataset) -> None:
    """Refuse a network and a training configuration that do not fit ``data``, or a run too big for the memory,
    before any work (what :func:`snnlib.train.train` checks first)."""
    if not isinstance(mc, SNNConfig) or not isinstance(tc, TrainConfig):
        raise ValueError("train(model_config, train_config, data): expected an SNNConfig and a TrainConfig")
    if data.n_in != mc.n_in:
        raise ValueError(f"the data has {data.n_in} input channels but the network n_in={mc.n_in}")
    check_augmentation(tc.augment_shift, tc.augment_stretch, mc.n_in)
    if data.n_classes > mc.n_out:
        raise ValueError(f"the data has {data.n_classes} classes but the network n_out={mc.n_out}")
    if not math.isclose(data.dt, mc.dt, rel_tol=1e-9):
        raise ValueError(f"the data is binned at dt={data.dt} s but the network has dt={mc.dt} s; use the same")
    if len(data.train) == 0:
        raise ValueError("the training set is empty")
    if mc.loss_start >= data.n_steps:
        raise ValueError(f"loss_start={mc.loss_start} leaves no loss window in T={data.n_steps} steps")
    check_training_memory(mc, tc, data)
