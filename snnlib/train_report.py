"""Reporting and persistence of a training run: what goes into its checkpoint, ``log.csv`` and ``metrics.json``,
and what is read back (:func:`check_state`, :func:`load_trained`).

Every file goes through :func:`snnlib.checkpoint.write_atomic`. The checkpoint's JSON part (the *state*) holds the
position, the RNG state, the history and the three configurations; :func:`check_state` refuses one that
:func:`snnlib.train.train` did not write, :func:`check_resumable` one that belongs to another run.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import math
import platform
import time
from pathlib import Path

import numpy as np

from snnlib import checkpoint as ckpt
from snnlib import metrics as size_metrics
from snnlib._io import OutputError
from snnlib.checkpoint import CheckpointError
from snnlib.config import SNNConfig
from snnlib.data.partitions import Dataset
from snnlib.gradients import evaluate
from snnlib.train_config import TrainConfig
from snnlib.validation import check_params

__all__ = ["HISTORY_KEYS", "check_state", "load_trained", "check_resumable", "checkpoint_state", "history_csv",
           "final_metrics", "prepare_out_dir", "write_output", "json_safe"]

#: The columns of ``log.csv`` and the keys of every history row (one per finished epoch).
HISTORY_KEYS = ("epoch", "train_loss", "val_loss", "val_accuracy", "epoch_s", "elapsed_s")


def resumable(train_config: dict) -> dict:
    """The fields of a TrainConfig that must not change on resume (reporting may change, and so may the number
    of epochs unless the learning-rate schedule depends on it)."""
    free = ("callback_every", "eval_batch_size") + (("epochs",) if train_config.get("lr_schedule") == "constant"
                                                    else ())
    # checkpoints written before augmentation existed trained without it
    return {**NO_AUGMENTATION, **{k: v for k, v in train_config.items() if k not in free}}


#: The augmentation fields of a TrainConfig at their defaults (off).
NO_AUGMENTATION = {f.name: f.default for f in dataclasses.fields(TrainConfig) if f.name.startswith("augment_")}


def data_identity(data: Dataset) -> dict:
    """What must be the same data to resume: shapes, and a hash of the training labels."""
    import hashlib

    return {"train_shape": list(data.train.x.shape), "test_shape": list(data.test.x.shape),
            "valid_shape": list(data.valid.x.shape) if data.valid is not None else None,
            "train_labels_sha256": hashlib.sha256(np.ascontiguousarray(data.train.labels).tobytes()).hexdigest()}


def json_safe(value):
    """Replace NaN/inf by None and NumPy scalars by Python numbers, so the JSON is standard."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


def prepare_out_dir(out_dir, resume: bool, overwrite: bool) -> Path | None:
    """The output folder of a run, created and checked writable (``None`` keeps the run in memory); refuses to
    overwrite a checkpoint unless asked to, and to resume without one."""
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


def write_output(out: Path, name: str, data: bytes) -> None:
    """Write one file of a run's output folder atomically; a failure is an :class:`OutputError` naming the file."""
    try:
        ckpt.write_atomic(out / name, data)
    except OSError as exc:
        raise OutputError(f"could not write {out / name}: {exc.strerror or exc}") from None


def history_csv(history: list[dict]) -> bytes:
    """The history as ``log.csv``: one row per epoch, :data:`HISTORY_KEYS` as columns, floats to 6 digits."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=HISTORY_KEYS, lineterminator="\n")
    writer.writeheader()
    for row in history:
        writer.writerow({k: ("" if row[k] is None else f"{row[k]:.6g}" if isinstance(row[k], float) else row[k])
                         for k in HISTORY_KEYS})
    return text.getvalue().encode()


def checkpoint_state(*, status: str, position, rng_epoch_start, epoch_loss, epoch_samples, history, elapsed, cpu,
                     mc: SNNConfig, tc: TrainConfig, data: Dataset) -> dict:
    """The JSON part of a checkpoint (what :func:`check_state` verifies and a resumed run reads back)."""
    return {
        "status": status,
        "position": list(position),
        "rng_epoch_start": rng_epoch_start,
        "epoch_loss": epoch_loss,
        "epoch_samples": epoch_samples,
        "history": history,
        "elapsed_s": elapsed,
        "cpu_s": cpu,
        "model_config": mc.to_dict(),
        "train_config": tc.to_dict(),
        "data": data_identity(data),
        "data_info": json_safe(data.info),
        "class_names": list(data.class_names),
    }


def check_resumable(state: dict, where, mc: SNNConfig, tc: TrainConfig, data: Dataset, n_batches: int) -> None:
    """Refuse to resume from a (verified) checkpoint state made with another configuration or other data, or whose
    position does not fit this run; :class:`CheckpointError` names the differences."""
    expect = {"model_config": mc.to_dict(), "data": data_identity(data), "train_config": resumable(tc.to_dict())}
    found = {"model_config": state.get("model_config"), "data": state.get("data"),
             "train_config": resumable(state.get("train_config") or {})}
    diffs = [f"{part}.{key}: checkpoint {found[part].get(key)!r}, now {value!r}"
             for part in expect for key, value in (expect[part] or {}).items()
             if (found[part] or {}).get(key) != value]
    if diffs:
        hint = (" (the cosine learning-rate schedule depends on the number of epochs: resume with the same "
                "epochs, or train with lr_schedule='constant')"
                if any(d.startswith("train_config.epochs") for d in diffs) else "")
        raise CheckpointError(f"the checkpoint in {where} was made with another configuration ("
                              + "; ".join(diffs[:4]) + (" …" if len(diffs) > 4 else "")
                              + f"){hint}; resume with the same options, or start afresh with --overwrite")
    epoch, batch = state["position"]
    if batch >= n_batches:
        raise inconsistent(where, f"batch position {batch} is beyond the {n_batches} batches of an epoch")
    if epoch > int(state["train_config"].get("epochs", epoch)):
        raise inconsistent(where, f"epoch position {epoch} is beyond the run's "
                                  f"{state['train_config'].get('epochs')} epochs")
    if batch > 0 and state["epoch_samples"] != batch * tc.batch_size:  # (reset when an epoch starts)
        raise inconsistent(where, f"{state['epoch_samples']} samples done at batch {batch} of {tc.batch_size}")


def inconsistent(where, problem: str) -> CheckpointError:
    """The :class:`CheckpointError` of a checkpoint whose parts do not fit together."""
    return CheckpointError(f"the checkpoint in {where} is inconsistent ({problem}); refusing to resume from it — "
                           "start afresh with --overwrite or restore a copy")


def final_metrics(mc: SNNConfig, tc: TrainConfig, data: Dataset, params: dict, best_params: dict | None,
                  history: list[dict], *, status: str, elapsed: float, cpu: float, engine_used: str) -> dict:
    """The content of ``metrics.json``: test loss and accuracy (after the last epoch, and with the parameters of the
    best validation epoch), size, memory, latency, inference time, timings, data sizes and configurations."""
    started = time.perf_counter()
    test_loss, test_acc = evaluate(mc, params, data.test.x, data.test.labels, tc.eval_batch_size, engine="fast")
    eval_s = time.perf_counter() - started
    report = size_metrics.model_report(mc, params)
    inference = size_metrics.inference_time(mc, params, data.test.x[:tc.eval_batch_size].astype(mc.np_dtype))
    last = history[-1] if history else {}
    val = [(r["val_accuracy"], r["epoch"]) for r in history if r["val_accuracy"] is not None]
    best = max(val, key=lambda v: (v[0], -v[1])) if val else None  # the earliest of equal accuracies
    if best is not None and best[1] == len(history):
        test_at_best = (test_loss, test_acc)  # the last epoch was the best: the same parameters
    elif best is not None and best_params is not None:
        test_at_best = evaluate(mc, best_params, data.test.x, data.test.labels, tc.eval_batch_size, engine="fast")
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
        "epochs_completed": len(history),
        "parameters": report["parameters"],
        "memory": report["memory"],
        "latency": report["latency"],
        "inference_s_per_sample": inference,
        "timing": {"train_s": elapsed, "train_cpu_s": cpu,
                   "per_epoch_s": elapsed / len(history) if history else math.nan,
                   "test_eval_s": eval_s},
        "data": {"n_train": len(data.train), "n_valid": len(data.valid) if data.valid else 0,
                 "n_test": len(data.test), "n_steps": data.n_steps, "n_in": data.n_in,
                 "n_classes": data.n_classes},
        "config": {"model": mc.to_dict(), "train": tc.to_dict(), "data": json_safe(data.info)},
        "engine_used": engine_used,
        "versions": {"python": platform.python_version(), "numpy": np.__version__},
    }
    return json_safe(metrics)


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
