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

This module is the loop (:func:`train`, its events, Ctrl-C handling, the parameters kept at the best validation
epoch); :mod:`snnlib.train_config` holds :class:`TrainConfig` and the defaults of the options,
:mod:`snnlib.train_report` what is written (checkpoint state, ``log.csv``, ``metrics.json``) and read back
(:func:`~snnlib.train_report.load_trained`). :mod:`snnlib.train` gathers all three.
"""
from __future__ import annotations

import copy
import json
import math
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from snnlib import checkpoint as ckpt
from snnlib._io import OutputError
from snnlib.config import SNNConfig
from snnlib.data.augment import augment_batch
from snnlib.data.partitions import Dataset
from snnlib.gradients import evaluate, gradients
from snnlib.network import init_params
from snnlib.online import OnlineLearner
from snnlib.optim import SGD, Adam
from snnlib.train_config import TrainConfig, check_fit
from snnlib.train_report import (check_resumable, check_state, checkpoint_state, final_metrics, history_csv,
                                 inconsistent, prepare_out_dir, write_output)
from snnlib.validation import check_params

__all__ = ["train", "TrainEvent", "TrainResult", "StopTraining", "TrainingDiverged", "deferred_interrupts"]

#: Second word of the seed of the augmentation generator, ``[seed, AUGMENT_STREAM, epoch, batch]``: keeps its draws
#: apart from the data order's (seeded by ``seed`` alone).
AUGMENT_STREAM = 0xA06


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
    check_fit(model_config, train_config, data)
    out = prepare_out_dir(out_dir, resume, overwrite)
    run = _Run(model_config, train_config, data, callback, out, progress)
    with deferred_interrupts():
        if resume:
            run.restore()
        else:
            run.start(params)
        return run.execute()


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
        check_resumable(state, self.out, self.mc, self.tc, self.data, self.n_batches)
        epoch, batch = state["position"]
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
            raise inconsistent(self.out, f"arrays: {exc}") from None
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
        state = checkpoint_state(status=status, position=(self.epoch, self.batch),
                                 rng_epoch_start=self.epoch_rng_state, epoch_loss=self.epoch_loss,
                                 epoch_samples=self.epoch_samples, history=self.history, elapsed=self.elapsed,
                                 cpu=self.cpu, mc=self.mc, tc=self.tc, data=self.data)
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
        if tc.augment_shift or tc.augment_stretch:  # a generator of its own: resuming mid-epoch draws the same
            rng = np.random.default_rng([tc.seed, AUGMENT_STREAM, self.epoch, self.batch])
            xb = augment_batch(xb, rng, shift=tc.augment_shift, stretch=tc.augment_stretch)
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
        if self.out is not None:
            write_output(self.out, "log.csv", history_csv(self.history))

    def _final_metrics(self, status: str) -> dict:
        tc = self.tc
        engine_used = ("stepwise (updates every %d steps)" % tc.update_every if self.stepwise_updates
                       else ("bptt" if tc.method == "bptt" else tc.engine))
        metrics = final_metrics(self.mc, tc, self.data, self.params, self.best_params, self.history, status=status,
                                elapsed=self.elapsed, cpu=self.cpu, engine_used=engine_used)
        if self.out is not None:
            write_output(self.out, "metrics.json", (json.dumps(metrics, indent=1) + "\n").encode())
        return metrics
