"""Training at scale: mini-batches, epochs, validation, checkpoints, logs, a live-view callback.

The loop in one picture (one *batch* = B samples of T steps)::

    for epoch:  order = rng.permutation(n_train)               # data order from one seeded Generator
        for batch in order:
            loss, grads = three-factor rule (fast engine)      # or stepwise, or BPTT for comparison
            optimizer.step(params, grads)                      # Adam by default, delays clipped
            callback(event) every few batches                  # may ask to stop
        validation loss/accuracy → history, log.csv, checkpoint (atomic, resumable)
    test accuracy, size, memory, latency → metrics.json

With ``update_every = U < T`` the stepwise :class:`~snnlib.online.OnlineLearner` applies updates in the middle of
each sample (the forward pass continues with the new parameters), the fully online schedule of MODEL.md §8.

Everything random is seeded: the parameters by ``SNNConfig.seed``, the data order by ``TrainConfig.seed`` (one
``numpy.random.Generator``, whose state goes into every checkpoint), the validation split and the offline
datasets by ``DataConfig.data_seed``. The same configuration therefore gives the same numbers, and ``resume``
continues to exactly the result an uninterrupted run reaches.

Library use (what the notebooks and :mod:`snnlib.experiments` call)::

    data = load_data(DataConfig("delay-task"))
    model = SNNConfig(n_in=data.n_in, n_hidden=64, n_out=data.n_classes, delays="synaptic", dt=data.dt)
    result = train(model, TrainConfig(epochs=10), data, callback=None, out_dir="runs/x")
    result.metrics["test_accuracy"], result.params, result.history
"""
from __future__ import annotations

import copy
import csv
import dataclasses
import io
import json
import math
import platform
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from snnlib import metrics as size_metrics
from snnlib import checkpoint as ckpt
from snnlib._checks import check_choice, check_int
from snnlib.checkpoint import CheckpointError
from snnlib.config import SNNConfig
from snnlib._io import OutputError, available_memory  # noqa: F401  (part of this module's interface)
from snnlib.data.partitions import (OFFLINE_DATASETS, PUBLISHED_DATASETS, DataConfig, Dataset,  # noqa: F401
                                    SpikeArrays, load_data, refuse_if_too_big)
from snnlib.gradients import evaluate, gradients
from snnlib.network import init_params
from snnlib.online import OnlineLearner
from snnlib.optim import LR_DELAYS, LR_WEIGHTS, SGD, Adam
from snnlib.validation import check_params

__all__ = ["TrainConfig", "DataConfig", "SpikeArrays", "Dataset", "TrainEvent", "TrainResult", "StopTraining",
           "TrainingDiverged", "OutputError", "train", "load_data", "load_trained",
           "OFFLINE_DATASETS", "PUBLISHED_DATASETS"]

OPTIMIZERS = ("adam", "sgd")
SCHEDULES = ("constant", "cosine")
METHODS = ("online", "bptt")
ENGINES = ("fast", "stepwise")


#: Defaults of every option of a run (command-line names; see snnlib.train_cli).
GENERIC_DEFAULTS = dict(
    dataset="delay-task", data_dir=None, data_seed=0, delays="synaptic", recurrent=False, rec_delays="none",
    hidden=64, epochs=10, seed=0, engine="fast", update_every=None, method="online", optimizer="adam",
    lr_weights=LR_WEIGHTS, lr_delays=LR_DELAYS, lr_schedule="cosine", batch_size=32, dt=0.01, max_time=None, pool=1,
    sparsity=0.0, sigma=1.0, d_max=25, feedback="symmetric", tau_mem=0.02, tau_out=0.02, dtype="float32",
    valid_fraction=0.1, valid_by="random", generator={},
)
#: Defaults per dataset (command line and experiments), chosen so that the offline datasets train in a few
#: minutes on 2 cores (see docs/training.md).
DATASET_DEFAULTS = {
    "delay-task": dict(hidden=16, epochs=15, d_max=15, lr_weights=5e-2, lr_delays=0.1),
    "randman": dict(hidden=32, epochs=20, d_max=15, lr_weights=1e-2, lr_delays=0.5),
    "shd-like": dict(hidden=32, epochs=8, pool=10, d_max=15, lr_weights=2e-2, lr_delays=0.5),
    "shd": dict(hidden=128, epochs=20, pool=5, d_max=25, lr_weights=2e-3, lr_delays=0.5, valid_by="speaker"),
    "ssc": dict(hidden=128, epochs=10, pool=5, d_max=25, lr_weights=2e-3, lr_delays=0.5),
    # FSDD at 700 channels pooled by 5 like SHD; the recipe of docs/fsdd.md (chosen on validation data)
    "fsdd": dict(hidden=64, epochs=20, pool=5, d_max=25, lr_weights=1e-2, lr_delays=0.5, tau_out=0.2, max_time=0.8),
}


# ----------------------------------------------------------------------------- errors and signals
class StopTraining(Exception):
    """Raised by a callback to end training after the current batch (a checkpoint is written first)."""


class TrainingDiverged(ValueError):
    """The loss or a gradient became NaN or infinite; the message names the epoch and batch."""


class deferred_interrupts:
    """While active, Ctrl-C (SIGINT) and SIGTERM only set a flag that the training loop reads between batches.

    A ``KeyboardInterrupt`` raised inside a compiled kernel (numba) does not unwind cleanly: it surfaces as a
    ``SystemError`` with no checkpoint written. So :func:`train` installs this guard: the first signal is noted
    (:attr:`signum`), the current batch (or validation, or checkpoint write) finishes, the state is saved as
    ``interrupted`` and :func:`train` returns. A second signal restores the previous handlers and raises
    ``KeyboardInterrupt`` at once (a hard stop; checkpoints are written atomically, so the last one stays whole).

    Re-entrant: an inner guard (``train`` inside the command line's guard) shares the outer one's flag. Outside the
    main thread (where handlers cannot be installed) and for a signal whose handler is ``SIG_IGN`` it does nothing;
    a guard entered in another thread (a live view training in the background) is never the shared one, so a
    training started meanwhile in the main thread installs its own handlers. The previous handlers are restored on
    exit.
    """

    _active: "deferred_interrupts | None" = None
    SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM") if hasattr(signal, name))

    def __init__(self):
        self.signum: int | None = None
        self._previous: dict = {}
        self._outer: deferred_interrupts | None = None

    def __enter__(self) -> "deferred_interrupts":
        outer = deferred_interrupts._active
        if outer is not None:
            self._outer = outer
            return outer
        if threading.current_thread() is not threading.main_thread():
            self._outer = self  # not registered, nothing to restore: __exit__ leaves the shared guard alone
            return self
        for sig in self.SIGNALS:
            try:
                if signal.getsignal(sig) is signal.SIG_IGN:
                    continue
                self._previous[sig] = signal.signal(sig, self._handle)
            except (ValueError, OSError):  # pragma: no cover - platforms without the signal
                pass
        deferred_interrupts._active = self
        return self

    def __exit__(self, *exc) -> None:
        if self._outer is not None:
            return
        self._restore()
        deferred_interrupts._active = None

    @property
    def requested(self) -> bool:
        return self.signum is not None

    def _restore(self) -> None:
        previous, self._previous = self._previous, {}
        for sig, handler in previous.items():
            try:
                signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
            except (ValueError, OSError):  # pragma: no cover
                pass

    def _handle(self, signum, frame) -> None:
        if self.signum is None:
            self.signum = signum
            return
        self._restore()  # a second signal: stop hard (the default behaviour from here on)
        raise KeyboardInterrupt


def _interrupt_requested() -> bool:
    active = deferred_interrupts._active
    return active is not None and active.requested


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
    eval_batch_size: samples per forward pass when evaluating.
    callback_every: batches between two ``"batch"`` events sent to the callback.
    """

    epochs: int = 10
    batch_size: int = 32
    lr_weights: float = LR_WEIGHTS
    lr_delays: float = LR_DELAYS
    lr_schedule: str = "cosine"
    optimizer: str = "adam"
    method: str = "online"
    engine: str = "fast"
    update_every: int | None = None
    seed: int = 0
    eval_batch_size: int = 256
    callback_every: int = 10

    def __post_init__(self) -> None:
        check_int("epochs", self.epochs, 0)
        check_int("batch_size", self.batch_size, 1)
        check_int("eval_batch_size", self.eval_batch_size, 1)
        check_int("callback_every", self.callback_every, 1)
        check_int("seed", self.seed, 0)
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


def _check_training_memory(mc: SNNConfig, tc: "TrainConfig", data: "Dataset") -> None:
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


# ----------------------------------------------------------------------------- evaluation
# ----------------------------------------------------------------------------- events and results
@dataclass
class TrainEvent:
    """What a callback receives.

    kind: ``"batch"`` (every ``callback_every`` batches), ``"epoch"`` (after validation) or ``"end"``.
    epoch: 1-based epoch in progress (or just finished); batch: batches done in it; n_batches: per epoch.
    loss: running mean training loss of the epoch; batch_loss: the loss of the last batch trained (NaN before the
    first). params: the live parameter dict (read, do not modify).
    history: one dict per finished epoch. model_config, train_config: the run's configuration.
    """

    kind: str
    epoch: int
    batch: int
    n_batches: int
    loss: float
    params: dict
    history: list
    model_config: SNNConfig
    train_config: TrainConfig
    batch_loss: float = math.nan


@dataclass
class TrainResult:
    """What :func:`train` returns.

    params: trained parameters; history: one dict per epoch (``epoch``, ``train_loss``, ``val_loss``,
    ``val_accuracy``, ``epoch_s``, ``elapsed_s``); metrics: the content of ``metrics.json`` (empty if the run was
    interrupted); status: ``finished``, ``stopped`` (by the callback) or ``interrupted`` (Ctrl-C, checkpoint
    written); out_dir: the output folder or None; position: (epoch, batch) where training stands;
    best_params: the parameters after the epoch of the best validation accuracy (the earliest of equals; model
    selection on validation data only), or None without validation data.
    """

    params: dict
    history: list
    metrics: dict
    status: str
    out_dir: Path | None
    position: tuple[int, int]
    best_params: dict | None = None


# ----------------------------------------------------------------------------- the loop
def train(model_config: SNNConfig, train_config: TrainConfig, data: Dataset, *,
          callback: Callable[[TrainEvent], bool | None] | None = None, out_dir=None, resume: bool = False,
          overwrite: bool = False, progress: bool | None = None, params: dict | None = None) -> TrainResult:
    """Train a network on ``data`` and report test accuracy, size and timing.

    Args:
        model_config: the network (its ``n_in``, ``n_out`` and ``dt`` must match the data).
        train_config: how to train.
        data: a :class:`Dataset` (from :func:`load_data`, or built from arrays).
        callback: called with a :class:`TrainEvent` every ``callback_every`` batches and after every epoch; return
            ``False`` or raise :class:`StopTraining` to stop (a checkpoint is written; ``resume`` continues).
        out_dir: folder for ``checkpoint.json`` + ``.npz`` (every epoch), ``log.csv`` and ``metrics.json``;
            ``None`` keeps everything in memory.
        resume: continue from the checkpoint in ``out_dir`` (same configuration; ``epochs`` may be larger).
        overwrite: start afresh even if ``out_dir`` holds a checkpoint (otherwise that is refused).
        progress: tqdm progress bars; ``None`` shows them only on a terminal.
        params: initial parameters (default ``init_params(model_config)``); ignored when resuming.

    Returns:
        A :class:`TrainResult`. Ctrl-C and SIGTERM (in the main thread) are deferred to the end of the current batch
        (see :class:`deferred_interrupts`): the state after it is saved and the result has ``status="interrupted"``.
        A ``KeyboardInterrupt`` raised otherwise (a second Ctrl-C, a callback) restores the state before the
        interrupted batch, saves it and returns the same way.

    Raises:
        ValueError: data and configuration do not fit (checked before any work); CheckpointError: the checkpoint to
        resume from is damaged or belongs to another configuration; TrainingDiverged: NaN/inf loss or gradient
        (the last good checkpoint is kept); OutputError: ``out_dir`` cannot be written.
    """
    _check_fit(model_config, train_config, data)
    out = _prepare_out_dir(out_dir, resume, overwrite)
    run = _Run(model_config, train_config, data, callback, out, progress)
    with deferred_interrupts():
        if resume:
            run.restore()
        else:
            run.start(params)
        return run.execute()


def _check_fit(mc: SNNConfig, tc: TrainConfig, data: Dataset) -> None:
    if not isinstance(mc, SNNConfig) or not isinstance(tc, TrainConfig):
        raise ValueError("train(model_config, train_config, data): expected an SNNConfig and a TrainConfig")
    if data.n_in != mc.n_in:
        raise ValueError(f"the data has {data.n_in} input channels but the network n_in={mc.n_in}")
    if data.n_classes > mc.n_out:
        raise ValueError(f"the data has {data.n_classes} classes but the network n_out={mc.n_out}")
    if not math.isclose(data.dt, mc.dt, rel_tol=1e-9):
        raise ValueError(f"the data is binned at dt={data.dt} s but the network has dt={mc.dt} s; use the same")
    if len(data.train) == 0:
        raise ValueError("the training set is empty")
    if mc.loss_start >= data.n_steps:
        raise ValueError(f"loss_start={mc.loss_start} leaves no loss window in T={data.n_steps} steps")
    _check_training_memory(mc, tc, data)


def _prepare_out_dir(out_dir, resume: bool, overwrite: bool) -> Path | None:
    if out_dir is None:
        if resume:
            raise ValueError("resume needs out_dir, the folder holding the checkpoint")
        return None
    out = Path(out_dir)
    if resume and not ckpt.has_checkpoint(out):
        raise CheckpointError(f"nothing to resume: {out} holds no checkpoint.json")
    if not resume and not overwrite and ckpt.has_checkpoint(out):
        raise ValueError(f"{out} already holds a checkpoint; resume it (--resume), start afresh (--overwrite) or "
                         "choose another output folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = ckpt.write_atomic(out / ".write-test", b"")
        probe.unlink()
    except OSError as exc:
        raise OutputError(f"cannot write to output folder {out}: {exc.strerror or exc}") from None
    return out


class _Run:
    """The state of one training run, kept together so that it can be checkpointed and resumed."""

    def __init__(self, mc, tc, data, callback, out, progress):
        self.mc, self.tc, self.data, self.callback, self.out, self.progress = mc, tc, data, callback, out, progress
        self.n_batches = math.ceil(len(data.train) / tc.batch_size)
        T = data.n_steps
        self.stepwise_updates = tc.method == "online" and tc.update_every is not None and tc.update_every < T
        self.batch_loss = math.nan  # of the last batch trained in this session

    # -- state --------------------------------------------------------------------------------------
    def _optimizer(self):
        cls = Adam if self.tc.optimizer == "adam" else SGD
        return cls(self.mc, lr_weights=self.tc.lr_weights, lr_delays=self.tc.lr_delays)

    def start(self, params):
        self.params = {k: np.array(v, dtype=self.mc.np_dtype) for k, v in
                       (init_params(self.mc) if params is None else params).items()}
        self.optimizer = self._optimizer()
        self.rng = np.random.default_rng(self.tc.seed)
        self.epoch_rng_state = copy.deepcopy(self.rng.bit_generator.state)
        self.epoch, self.batch = 0, 0
        self.epoch_loss, self.epoch_samples = 0.0, 0
        self.history: list[dict] = []
        self.best_params: dict | None = None  # after the epoch of the best validation accuracy
        self.elapsed = self.cpu = 0.0
        self.order = None

    def restore(self):
        arrays, state = ckpt.load_checkpoint(self.out)
        check_state(state, self.out)
        expect = {"model_config": self.mc.to_dict(), "data": _data_identity(self.data),
                  "train_config": _resumable(self.tc.to_dict())}
        found = {"model_config": state.get("model_config"), "data": state.get("data"),
                 "train_config": _resumable(state.get("train_config") or {})}
        diffs = [f"{part}.{key}: checkpoint {found[part].get(key)!r}, now {value!r}"
                 for part in expect for key, value in (expect[part] or {}).items()
                 if (found[part] or {}).get(key) != value]
        if diffs:
            hint = (" (the cosine learning-rate schedule depends on the number of epochs: resume with the same "
                    "epochs, or train with lr_schedule='constant')"
                    if any(d.startswith("train_config.epochs") for d in diffs) else "")
            raise CheckpointError(f"the checkpoint in {self.out} was made with another configuration ("
                                  + "; ".join(diffs[:4]) + (" …" if len(diffs) > 4 else "")
                                  + f"){hint}; resume with the same options, or start afresh with --overwrite")
        epoch, batch = state["position"]
        refuse = (f"the checkpoint in {self.out} is inconsistent" + " ({}); refusing to resume from it — start afresh "
                  "with --overwrite or restore a copy")
        if batch >= self.n_batches:
            raise CheckpointError(refuse.format(f"batch position {batch} is beyond the {self.n_batches} batches of "
                                                "an epoch"))
        if epoch > int(state["train_config"].get("epochs", epoch)):
            raise CheckpointError(refuse.format(f"epoch position {epoch} is beyond the run's "
                                                f"{state['train_config'].get('epochs')} epochs"))
        if batch > 0 and state["epoch_samples"] != batch * self.tc.batch_size:  # (reset when an epoch starts)
            raise CheckpointError(refuse.format(f"{state['epoch_samples']} samples done at batch {batch} of "
                                                f"{self.tc.batch_size}"))
        try:
            self.params = {k[len("params/"):]: v for k, v in arrays.items() if k.startswith("params/")}
            check_params(self.mc, self.params)
            self.optimizer = self._optimizer()
            self.optimizer.load_state_dict({k[len("opt/"):]: v for k, v in arrays.items() if k.startswith("opt/")})
            best = {k[len("best/"):]: v for k, v in arrays.items() if k.startswith("best/")}
            self.best_params = None
            if best:
                check_params(self.mc, best)
                self.best_params = best
        except (KeyError, TypeError, ValueError) as exc:
            raise CheckpointError(refuse.format(f"arrays: {exc}")) from None
        self.rng = np.random.default_rng()
        self.rng.bit_generator.state = state["rng_epoch_start"]
        self.epoch_rng_state = copy.deepcopy(state["rng_epoch_start"])
        self.epoch, self.batch = epoch, batch
        self.epoch_loss, self.epoch_samples = float(state["epoch_loss"]), int(state["epoch_samples"])
        self.history = [dict(row) for row in state["history"]]
        self.elapsed, self.cpu = float(state["elapsed_s"]), float(state.get("cpu_s", 0.0))
        self.order = None
        if self.batch > 0:  # mid-epoch: draw the same permutation again
            self.order = self.rng.permutation(len(self.data.train))

    def _state_arrays(self):
        arrays = {f"params/{k}": v for k, v in self.params.items()}
        arrays.update({f"opt/{k}": v for k, v in self.optimizer.state_dict().items()})
        if self.best_params is not None:
            arrays.update({f"best/{k}": v for k, v in self.best_params.items()})
        return arrays

    def save(self, status: str):
        if self.out is None:
            return
        state = {
            "status": status,
            "position": [self.epoch, self.batch],
            "rng_epoch_start": self.epoch_rng_state,
            "epoch_loss": self.epoch_loss,
            "epoch_samples": self.epoch_samples,
            "history": self.history,
            "elapsed_s": self.elapsed,
            "cpu_s": self.cpu,
            "model_config": self.mc.to_dict(),
            "train_config": self.tc.to_dict(),
            "data": _data_identity(self.data),
            "data_info": _json_safe(self.data.info),
            "class_names": list(self.data.class_names),
        }
        try:
            ckpt.save_checkpoint(self.out, self._state_arrays(), state)
        except OSError as exc:
            raise OutputError(f"could not write the checkpoint in {self.out}: {exc.strerror or exc}; the previous "
                              "checkpoint is kept") from None

    # -- the loop -------------------------------------------------------------------------------------
    def execute(self) -> TrainResult:
        from tqdm import tqdm

        status = "finished"
        self._clock = (time.perf_counter(), self.elapsed, time.process_time(), self.cpu)
        bar = tqdm(total=self.tc.epochs * self.n_batches, initial=self.epoch * self.n_batches + self.batch,
                   disable=None if self.progress is None else not self.progress, unit="batch", leave=False,
                   desc="training")
        try:
            while self.epoch < self.tc.epochs:
                if _interrupt_requested():
                    status = "interrupted"
                    break
                outcome = self._run_epoch(bar)
                if outcome is not None:
                    status = outcome
                    break
            if status == "finished" and _interrupt_requested():
                status = "interrupted"  # arrived during the last epoch's validation or checkpoint
        except KeyboardInterrupt:
            status = "interrupted"
        finally:
            bar.close()
            self._tick()
        if status != "finished":
            self.save(status)
            if status == "interrupted":
                return TrainResult(self.params, self.history, {}, status, self.out, (self.epoch, self.batch),
                                   self.best_params)
        # a signal arriving from here on is noted but ignored: the test evaluation finishes the run
        metrics = self._final_metrics(status)
        self._emit("end")
        return TrainResult(self.params, self.history, metrics, status, self.out, (self.epoch, self.batch),
                           self.best_params)

    def _tick(self) -> None:
        """Bring ``elapsed`` and ``cpu`` (wall-clock and CPU seconds spent in the training loop, over all
        sessions, validation included) up to date."""
        start, base, cpu_start, cpu_base = self._clock
        self.elapsed = base + (time.perf_counter() - start)
        self.cpu = cpu_base + (time.process_time() - cpu_start)

    def _run_epoch(self, bar):
        tc = self.tc
        n = len(self.data.train)
        if self.batch == 0:
            self.epoch_rng_state = copy.deepcopy(self.rng.bit_generator.state)
            self.order = self.rng.permutation(n)
            self.epoch_loss, self.epoch_samples = 0.0, 0
        scale = 1.0 if tc.lr_schedule == "constant" else 0.5 * (1.0 + math.cos(math.pi * self.epoch / tc.epochs))
        self.optimizer.lr_weights, self.optimizer.lr_delays = tc.lr_weights * scale, tc.lr_delays * scale
        started = time.perf_counter()
        while self.batch < self.n_batches:
            idx = self.order[self.batch * tc.batch_size:(self.batch + 1) * tc.batch_size]
            snapshot = self._snapshot()
            try:
                loss = self._train_batch(idx)
            except BaseException:
                self._restore_snapshot(snapshot)  # the interrupted batch is redone on resume
                raise
            self.batch += 1
            self.batch_loss = loss
            self.epoch_loss += loss * len(idx)
            self.epoch_samples += len(idx)
            bar.update(1)
            bar.set_postfix(epoch=self.epoch + 1, loss=f"{self.epoch_loss / self.epoch_samples:.4f}",
                            refresh=False)
            if self.batch % tc.callback_every == 0 and self.batch < self.n_batches:
                if self._emit("batch") is False:
                    return "stopped"
            if _interrupt_requested() and self.batch < self.n_batches:
                return "interrupted"
        # end of the epoch: validation, log, checkpoint
        row = {"epoch": self.epoch + 1, "train_loss": self.epoch_loss / max(self.epoch_samples, 1),
               "val_loss": None, "val_accuracy": None}
        if self.data.valid is not None and len(self.data.valid):
            row["val_loss"], row["val_accuracy"] = evaluate(self.mc, self.params, self.data.valid.x,
                                                            self.data.valid.labels, tc.eval_batch_size, engine="fast")
        self._tick()
        row["epoch_s"] = time.perf_counter() - started
        row["elapsed_s"] = self.elapsed
        if row["val_accuracy"] is not None and all(row["val_accuracy"] > r["val_accuracy"] for r in self.history
                                                   if r["val_accuracy"] is not None):
            self.best_params = {k: v.copy() for k, v in self.params.items()}
        self.history.append(row)
        if row["val_accuracy"] is not None:
            bar.set_postfix(epoch=self.epoch + 1, loss=f"{row['train_loss']:.4f}",
                            val_acc=f"{row['val_accuracy']:.3f}", refresh=True)
        self.epoch += 1
        self.batch = 0
        self.epoch_rng_state = copy.deepcopy(self.rng.bit_generator.state)
        self.order = None
        self._write_log()
        self.save("running")
        return "stopped" if self._emit("epoch") is False else None

    def _train_batch(self, idx) -> float:
        mc, tc = self.mc, self.tc
        xb = self.data.train.x[idx].astype(mc.np_dtype)
        yb = self.data.train.labels[idx]
        if self.stepwise_updates:
            learner = OnlineLearner(mc, self.params, tc.update_every,
                                    on_update=lambda grads: self.optimizer.step(self.params, grads))
            learner.begin(yb, xb.shape[1])
            for t in range(xb.shape[1]):
                learner.step(xb[:, t])
            loss, grads = learner.finish()
            self._check_finite(loss, grads)
            return loss
        loss, grads = gradients(mc, self.params, xb, yb, rule=tc.method, engine=tc.engine)
        self._check_finite(loss, grads)
        self.optimizer.step(self.params, grads)
        return loss

    def _check_finite(self, loss, grads):
        if not math.isfinite(loss):
            self._diverged(loss, "loss")
        bad = [k for k, g in grads.items() if not np.all(np.isfinite(g))]
        if bad:
            self._diverged(loss, f"gradient of {', '.join(bad)}")

    def _diverged(self, loss, what):
        kept = (f"the last good checkpoint (epoch {self.epoch}) is kept in {self.out}" if self.out is not None
                and self.epoch > 0 else "no checkpoint was written")
        raise TrainingDiverged(f"training diverged at epoch {self.epoch + 1}, batch {self.batch + 1}: the {what} "
                               f"is not finite (loss {loss}); {kept}; lower --lr-weights/--lr-delays")

    def _snapshot(self):
        return ({k: v.copy() for k, v in self.params.items()},
                {k: np.array(v, copy=True) for k, v in self.optimizer.state_dict().items()})

    def _restore_snapshot(self, snapshot):
        params, opt_state = snapshot
        self.params.clear()
        self.params.update(params)
        self.optimizer.load_state_dict(opt_state)

    def _emit(self, kind: str):
        if self.callback is None:
            return None
        event = TrainEvent(kind=kind, epoch=self.epoch if kind != "batch" else self.epoch + 1, batch=self.batch,
                           n_batches=self.n_batches,
                           loss=self.epoch_loss / self.epoch_samples if self.epoch_samples else math.nan,
                           params=self.params, history=self.history, model_config=self.mc, train_config=self.tc,
                           batch_loss=self.batch_loss)
        try:
            answer = self.callback(event)
        except StopTraining:
            return False
        return False if answer is False else None

    # -- outputs --------------------------------------------------------------------------------------
    def _write_log(self):
        if self.out is None:
            return
        columns = ["epoch", "train_loss", "val_loss", "val_accuracy", "epoch_s", "elapsed_s"]
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in self.history:
            writer.writerow({k: ("" if row[k] is None else f"{row[k]:.6g}" if isinstance(row[k], float) else row[k])
                             for k in columns})
        self._write("log.csv", text.getvalue().encode())

    def _write(self, name: str, data: bytes):
        try:
            ckpt.write_atomic(self.out / name, data)
        except OSError as exc:
            raise OutputError(f"could not write {self.out / name}: {exc.strerror or exc}") from None

    def _final_metrics(self, status: str) -> dict:
        mc, tc = self.mc, self.tc
        started = time.perf_counter()
        test_loss, test_acc = evaluate(mc, self.params, self.data.test.x, self.data.test.labels, tc.eval_batch_size,
                                       engine="fast")
        eval_s = time.perf_counter() - started
        report = size_metrics.model_report(mc, self.params)
        inference = size_metrics.inference_time(
            mc, self.params, self.data.test.x[:tc.eval_batch_size].astype(mc.np_dtype))
        last = self.history[-1] if self.history else {}
        val = [(r["val_accuracy"], r["epoch"]) for r in self.history if r["val_accuracy"] is not None]
        best = max(val, key=lambda v: (v[0], -v[1])) if val else None  # the earliest of equal accuracies
        if best is not None and best[1] == len(self.history):
            test_at_best = (test_loss, test_acc)  # the last epoch was the best: the same parameters
        elif best is not None and self.best_params is not None:
            test_at_best = evaluate(mc, self.best_params, self.data.test.x, self.data.test.labels,
                                    tc.eval_batch_size, engine="fast")
        else:
            test_at_best = (None, None)
        metrics = {
            "status": status,
            "test_accuracy": test_acc,
            "test_loss": test_loss,
            "test_accuracy_at_best_val": test_at_best[1],
            "test_loss_at_best_val": test_at_best[0],
            "val_accuracy": last.get("val_accuracy"),
            "val_loss": last.get("val_loss"),
            "best_val_accuracy": best[0] if val else None,
            "best_epoch": best[1] if val else None,
            "train_loss": last.get("train_loss", math.nan),
            "epochs_completed": len(self.history),
            "parameters": report["parameters"],
            "memory": report["memory"],
            "latency": report["latency"],
            "inference_s_per_sample": inference,
            "timing": {"train_s": self.elapsed, "train_cpu_s": self.cpu,
                       "per_epoch_s": self.elapsed / len(self.history) if self.history else math.nan,
                       "test_eval_s": eval_s},
            "data": {"n_train": len(self.data.train), "n_valid": len(self.data.valid) if self.data.valid else 0,
                     "n_test": len(self.data.test), "n_steps": self.data.n_steps, "n_in": self.data.n_in,
                     "n_classes": self.data.n_classes},
            "config": {"model": mc.to_dict(), "train": tc.to_dict(), "data": _json_safe(self.data.info)},
            "engine_used": "stepwise (updates every %d steps)" % tc.update_every if self.stepwise_updates
            else ("bptt" if tc.method == "bptt" else tc.engine),
            "versions": {"python": platform.python_version(), "numpy": np.__version__},
        }
        metrics = _json_safe(metrics)
        if self.out is not None:
            self._write("metrics.json", (json.dumps(metrics, indent=1) + "\n").encode())
        return metrics


def _resumable(train_config: dict) -> dict:
    """The fields of a TrainConfig that must not change on resume (reporting may change, and so may the number
    of epochs unless the learning-rate schedule depends on it)."""
    free = ("callback_every", "eval_batch_size") + (("epochs",) if train_config.get("lr_schedule") == "constant"
                                                    else ())
    return {k: v for k, v in train_config.items() if k not in free}


def _data_identity(data: Dataset) -> dict:
    """What must be the same data to resume: shapes, and a hash of the training labels."""
    import hashlib

    return {"train_shape": list(data.train.x.shape), "test_shape": list(data.test.x.shape),
            "valid_shape": list(data.valid.x.shape) if data.valid is not None else None,
            "train_labels_sha256": hashlib.sha256(np.ascontiguousarray(data.train.labels).tobytes()).hexdigest()}


def _json_safe(value):
    """Replace NaN/inf by None and NumPy scalars by Python numbers, so the JSON is standard."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return _json_safe(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


HISTORY_KEYS = ("epoch", "train_loss", "val_loss", "val_accuracy", "epoch_s", "elapsed_s")


def check_state(state, where) -> None:
    """Refuse a training checkpoint's state (the JSON part) that was not written by :func:`train`.

    Checks types and ranges of every field that resuming or evaluating reads: the configurations, the position
    (epoch, batch) ≥ 0, the RNG state (it must be accepted by NumPy's PCG64), the running loss, the history (one
    row per finished epoch, numbered 1, 2, …) and the timings. Raises :class:`CheckpointError` naming the field.
    """
    def refuse(problem: str):
        raise CheckpointError(f"the checkpoint in {where} is damaged or hand-edited: {problem}; refusing to load "
                              "it — start afresh with --overwrite or restore a copy")

    def number(value, minimum=None) -> bool:
        return (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
                and (minimum is None or value >= minimum))

    def integer(value, minimum=0) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= minimum

    if not isinstance(state, dict):
        refuse(f"the state is a {type(state).__name__}, not a JSON object")
    for key in ("model_config", "train_config"):
        if not isinstance(state.get(key), dict):
            refuse(f"{key!r} is missing or not an object")
    try:
        SNNConfig(**state["model_config"])
        TrainConfig(**state["train_config"])
    except (TypeError, ValueError) as exc:
        refuse(f"its configuration is invalid ({exc})")
    info = state.get("data_info", {})
    if not isinstance(info, dict) or not isinstance(info.get("data_config", {}), dict):
        refuse("data_info must be an object whose data_config is an object")
    position = state.get("position")
    if not (isinstance(position, list) and len(position) == 2 and all(integer(v) for v in position)):
        refuse(f"position must be [epoch, batch], two integers >= 0, found {position!r}")
    rng_state = state.get("rng_epoch_start")
    try:
        if not isinstance(rng_state, dict):
            raise TypeError("not an object")
        np.random.default_rng().bit_generator.state = rng_state
    except (TypeError, ValueError, KeyError, OverflowError, AttributeError) as exc:
        refuse(f"rng_epoch_start is not a valid NumPy random-generator state ({exc})")
    if not number(state.get("epoch_loss"), 0):
        refuse(f"epoch_loss must be a finite number >= 0, found {state.get('epoch_loss')!r}")
    if not integer(state.get("epoch_samples")):
        refuse(f"epoch_samples must be an integer >= 0, found {state.get('epoch_samples')!r}")
    for key in ("elapsed_s", "cpu_s"):
        if key in state and not number(state[key], 0):
            refuse(f"{key} must be a number of seconds >= 0, found {state[key]!r}")
    if "elapsed_s" not in state:
        refuse("'elapsed_s' is missing")
    history = state.get("history")
    if not isinstance(history, list):
        refuse(f"history must be a list of epochs, found {type(history).__name__}")
    if len(history) != position[0]:
        refuse(f"history holds {len(history)} epochs but the position says {position[0]} are finished")
    for i, row in enumerate(history):
        if not isinstance(row, dict) or set(HISTORY_KEYS) - set(row):
            refuse(f"history entry {i + 1} must be an object with {', '.join(HISTORY_KEYS)}, found {row!r}")
        if row["epoch"] != i + 1 or isinstance(row["epoch"], bool):
            refuse(f"history entry {i + 1} is numbered {row['epoch']!r}")
        for key in HISTORY_KEYS[1:]:
            value = row[key]
            if not (value is None and key.startswith("val_")) and not number(value):
                refuse(f"history entry {i + 1} has {key} = {value!r}, not a finite number")


def load_trained(path) -> tuple[SNNConfig, dict, dict]:
    """``(model_config, params, state)`` from a checkpoint folder (or its ``checkpoint.json``), verified."""
    arrays, state = ckpt.load_checkpoint(path)
    check_state(state, path)
    mc = SNNConfig(**state["model_config"])
    params = {k[len("params/"):]: v for k, v in arrays.items() if k.startswith("params/")}
    try:
        check_params(mc, params)
    except ValueError as exc:
        raise CheckpointError(f"the checkpoint in {path} holds unusable parameters ({exc}); train again or "
                              "restore a copy") from None
    return mc, params, state
