"""The paper's comparisons on any dataset, as one grid of training runs, a table and figures.

Groups of the grid (each row of the table is one trained network; rows shared by groups are trained once):

- ``delays``: weights only vs fixed random delays vs learned synaptic vs learned axonal delays, same width N.
- ``recurrence``: feedforward vs recurrent (without, and with axonal recurrent delays), synaptic input delays.
- ``method``: the online three-factor rule vs BPTT, feedforward (where the two are the same gradient, so the two
  runs must agree) and recurrent (where the online rule is e-prop's approximation).
- ``sparsity``: dense vs 80 % sparse input connections, synaptic delays.
- ``equal-params``: a wider weights-only network vs a narrower one with delays, widths chosen so the parameter
  counts match (:func:`equal_parameter_width`), both ways round.

Every cell is seeded by the same base seed (parameters and data order), independently of the order in which cells
run, so the grid gives identical numbers sequentially, on local processes (``workers``) or on a Dask cluster
(``scheduler``). With several ``seeds`` the whole grid is trained once per seed (the data stay the same; the
initial parameters, delays and the order of the samples change), the tables give mean ± sd over the seeds, and
``results.csv`` keeps every run. Figures are plain Matplotlib Figures. The tables, the summary over seeds and the
figures live in :mod:`snnlib.experiments_report` (re-exported here).
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from snnlib.config import SNNConfig
from snnlib.experiments_report import (TABLE_COLUMNS, accuracy_figure, curves_figure,
                                       parameters_figure, results_csv, results_markdown, summarize_seeds, table_rows,
                                       write_outputs)
from snnlib.metrics import parameter_counts

__all__ = ["GROUPS", "DEFAULT_GROUPS", "WIDTHS", "QUICK_EPOCHS", "Cell", "equal_parameter_width", "build_grid",
           "run_cell", "run_grid", "make_specs", "check_seeds", "run_experiments",
           # the outputs, from snnlib.experiments_report
           "TABLE_COLUMNS", "summarize_seeds", "table_rows", "results_markdown", "results_csv", "write_outputs",
           "accuracy_figure", "curves_figure", "parameters_figure"]

GROUPS = ("delays", "recurrence", "method", "sparsity", "equal-params", "width")
#: The groups run when none are named (``width`` trains ten more networks, some wide: ask for it by name).
DEFAULT_GROUPS = GROUPS[:-1]
#: Hidden widths of the ``width`` group: weights only against learned synaptic delays at each.
WIDTHS = (16, 32, 64, 128, 256)

#: Epochs per cell with ``quick=True`` (the full grid uses each dataset's default epochs, see
#: :data:`snnlib.train.DATASET_DEFAULTS`).
QUICK_EPOCHS = {"delay-task": 5, "randman": 3, "shd-like": 1, "shd": 1, "ssc": 1, "fsdd": 1}


@dataclass(frozen=True)
class Cell:
    """One training run of the grid: a label, and overrides of the reference model and training settings."""

    key: str
    label: str
    model: dict = field(default_factory=dict)
    train: dict = field(default_factory=dict)


def equal_parameter_width(n_in: int, n_out: int, n_hidden: int, delays: str = "synaptic", *,
                          to: str = "none") -> int:
    """Width of a network with delays ``to`` whose parameter count is closest to that of ``delays`` at ``n_hidden``.

    Parameters (dense, feedforward): weights-only ``N (M + K) + K``; synaptic ``N (2M + K) + K``; axonal
    ``N (M + K) + M + K``. E.g. M = 20, K = 3, N = 16 synaptic: 16 · 43 + 3 = 691 parameters; a weights-only
    network matches with N = 30 (30 · 23 + 3 = 693).
    """
    target = _count(n_in, n_out, n_hidden, delays)
    best, best_gap = 1, math.inf
    for width in range(1, 64 * max(n_hidden, 1) + 1):
        gap = abs(_count(n_in, n_out, width, to) - target)
        if gap < best_gap:
            best, best_gap = width, gap
    return best


def _count(n_in, n_out, width, delays):
    return parameter_counts(SNNConfig(n_in=n_in, n_hidden=width, n_out=n_out, delays=delays))["total"]


def build_grid(n_in: int, n_out: int, hidden: int, only=None) -> tuple[dict[str, Cell], dict[str, list[str]]]:
    """The cells (by key) and, per group, the keys of its rows in table order."""
    wide = equal_parameter_width(n_in, n_out, hidden, "synaptic", to="none")
    wide_ax = equal_parameter_width(n_in, n_out, hidden, "axonal", to="none")
    narrow = equal_parameter_width(n_in, n_out, hidden, "none", to="synaptic")
    cells = [
        Cell("none", f"weights only, N={hidden}", dict(delays="none")),
        Cell("fixed", f"fixed random delays, N={hidden}", dict(delays="fixed")),
        Cell("synaptic", f"learned synaptic delays, N={hidden}", dict(delays="synaptic")),
        Cell("axonal", f"learned axonal delays, N={hidden}", dict(delays="axonal")),
        Cell("recurrent", f"recurrent, synaptic delays, N={hidden}", dict(delays="synaptic", recurrent=True)),
        Cell("recurrent-axonal", f"recurrent + axonal recurrent delays, N={hidden}",
             dict(delays="synaptic", recurrent=True, rec_delays="axonal")),
        Cell("bptt", f"BPTT, synaptic delays, N={hidden}", dict(delays="synaptic"), dict(method="bptt")),
        Cell("recurrent-bptt", f"BPTT, recurrent, synaptic delays, N={hidden}",
             dict(delays="synaptic", recurrent=True), dict(method="bptt")),
        Cell("sparse", f"80 % sparse, synaptic delays, N={hidden}", dict(delays="synaptic", sparsity=0.8)),
        Cell("sparse-none", f"80 % sparse, weights only, N={hidden}", dict(delays="none", sparsity=0.8)),
        Cell("none-wide", f"weights only, N={wide} (= params of synaptic N={hidden})",
             dict(delays="none", n_hidden=wide)),
        Cell("none-wide-axonal", f"weights only, N={wide_ax} (= params of axonal N={hidden})",
             dict(delays="none", n_hidden=wide_ax)),
        Cell("synaptic-narrow", f"learned synaptic delays, N={narrow} (= params of weights only N={hidden})",
             dict(delays="synaptic", n_hidden=narrow)),
    ]
    for width in WIDTHS:
        if width != hidden:
            cells += [Cell(f"none-n{width}", f"weights only, N={width}", dict(delays="none", n_hidden=width)),
                      Cell(f"synaptic-n{width}", f"learned synaptic delays, N={width}",
                           dict(delays="synaptic", n_hidden=width))]
    by_width = {w: ("none", "synaptic") if w == hidden else (f"none-n{w}", f"synaptic-n{w}") for w in WIDTHS}
    groups = {
        "delays": ["none", "fixed", "synaptic", "axonal"],
        "recurrence": ["synaptic", "recurrent", "recurrent-axonal"],
        "method": ["synaptic", "bptt", "recurrent", "recurrent-bptt"],
        "sparsity": ["none", "sparse-none", "synaptic", "sparse"],
        "equal-params": ["synaptic", "none-wide", "axonal", "none-wide-axonal", "none", "synaptic-narrow"],
        "width": [key for w in sorted(by_width) for key in by_width[w]],
    }
    if only:
        unknown = sorted(set(only) - set(GROUPS))
        if unknown:
            raise ValueError(f"unknown comparison group(s) {unknown}; choose from {', '.join(GROUPS)}")
    groups = {g: keys for g, keys in groups.items() if g in (only or DEFAULT_GROUPS)}
    used = {k for keys in groups.values() for k in keys}
    return {c.key: c for c in cells if c.key in used}, groups


# ----------------------------------------------------------------------------- running cells
_DATA_CACHE: dict = {}


def _cell_data(data_fields: dict):
    """Load (once per process) the dataset of a cell."""
    from snnlib.train import DataConfig, load_data

    key = json.dumps(data_fields, sort_keys=True)
    if key not in _DATA_CACHE:
        _DATA_CACHE.clear()
        _DATA_CACHE[key] = load_data(DataConfig(**data_fields))
    return _DATA_CACHE[key]


def run_cell(spec: dict) -> dict:
    """Train one cell. ``spec``: ``key``, ``model`` (SNNConfig fields without n_in/n_out), ``train`` (TrainConfig
    fields), ``data`` (DataConfig fields). Returns a plain dict (picklable, JSON-able) with the cell's results.

    Module-level and self-contained so that local processes and Dask workers can run it; it depends only on
    ``spec``, so the result does not depend on where or in which order cells run.
    """
    from snnlib.train import TrainConfig, train

    data = _cell_data(spec["data"])
    model = SNNConfig(n_in=data.n_in, n_out=max(data.n_classes, 2), dt=data.dt, **spec["model"])
    result = train(model, TrainConfig(**spec["train"]), data, progress=False)
    m = result.metrics
    return {
        "key": spec["key"], "seed": spec.get("seed", spec["model"].get("seed", 0)),
        "delays": model.delays, "recurrent": model.recurrent, "rec_delays": model.rec_delays,
        "hidden": model.n_hidden, "sparsity": model.sparsity, "method": spec["train"].get("method", "online"),
        "test_accuracy": m["test_accuracy"], "test_accuracy_at_best_val": m["test_accuracy_at_best_val"],
        "val_accuracy": m["val_accuracy"],
        "best_val_accuracy": m["best_val_accuracy"], "test_loss": m["test_loss"],
        "weights": m["parameters"]["weights"], "delays_count": m["parameters"]["delays"],
        "parameters": m["parameters"]["total"],
        "bytes_8bit": m["memory"]["total_bytes"]["8"] if "8" in m["memory"]["total_bytes"]
        else m["memory"]["total_bytes"][8],
        "added_latency_ms": 1e3 * m["latency"]["added_latency_s"],
        "train_s": m["timing"]["train_s"],
        "train_cpu_s": m["timing"]["train_cpu_s"],
        "history": [{k: r[k] for k in ("epoch", "train_loss", "val_accuracy")} for r in result.history],
    }


def run_grid(specs: list[dict], *, workers: int = 1, scheduler: str | None = None, client=None,
             echo=None, store=None, on_result=None) -> list[dict]:
    """Run cell specs sequentially, on ``workers`` local processes, or on a Dask cluster; results in spec order.

    ``scheduler``: address of a ``dask.distributed`` scheduler (``tcp://host:8786``); ``client``: an existing
    ``dask.distributed.Client`` (takes precedence). Local worker processes use one compute thread each.
    ``store``: a folder where each finished run is kept as ``<key>-seed<s>-<hash of its spec>.json``; runs found
    there are read back instead of trained again, so an interrupted grid continues where it stopped.
    ``on_result(i, result)``: called as each run's result arrives (``i``: its position in ``specs``).
    """
    echo = echo or (lambda *a, **k: None)
    keep = on_result or (lambda i, result: None)
    if store is not None:
        return _stored_grid(specs, Path(store), workers=workers, scheduler=scheduler, client=client, echo=echo)
    if client is not None or scheduler is not None:
        try:
            from dask.distributed import Client
        except ModuleNotFoundError:
            raise ValueError("--scheduler needs dask.distributed: pip install 'snnlib[dask]' "
                             "(or pip install 'dask[distributed]')") from None
        own = client is None
        client = client or Client(scheduler)
        try:
            futures = client.map(run_cell, specs, key=[f"snnlib-cell-{s['key']}-{_spec_hash(s)}" for s in specs])
            results = client.gather(futures)
        finally:
            if own:
                client.close()
        for i, r in enumerate(results):
            keep(i, r)
            echo(f"  {r['key']}: test accuracy {100 * r['test_accuracy']:.1f} %")
        return list(results)
    if workers <= 1:
        results = []
        for i, spec in enumerate(specs):
            results.append(run_cell(spec))
            keep(i, results[-1])
            echo(f"  {spec['key']}: test accuracy {100 * results[-1]['test_accuracy']:.1f} % "
                 f"({results[-1]['train_s']:.0f} s)")
        return results
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fresh interpreters: forking a process whose BLAS already runs OpenMP threads is unsafe
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_single_thread) as pool:
        futures = [pool.submit(run_cell, spec) for spec in specs]
        results = []
        for i, (spec, future) in enumerate(zip(specs, futures)):
            results.append(future.result())
            keep(i, results[-1])
            echo(f"  {spec['key']}: test accuracy {100 * results[-1]['test_accuracy']:.1f} %")
    return results


def _single_thread() -> None:
    """One compute thread per worker process, so that N workers use N cores rather than N × cores; and the worker
    ends when its parent does (:func:`snnlib._workers.end_with_parent`).

    Numba's thread count is set before it is first imported (``NUMBA_NUM_THREADS``) or through its API if it is
    loaded already; BLAS pools are limited through threadpoolctl when it is installed. Results do not depend on it:
    every kernel gives the same numbers with any number of threads (tested).
    """
    import os
    import sys

    from snnlib._workers import end_with_parent

    end_with_parent()

    os.environ["NUMBA_NUM_THREADS"] = "1"
    if "numba" in sys.modules:
        sys.modules["numba"].set_num_threads(1)
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ModuleNotFoundError:
        pass


def _stored_grid(specs, store: Path, *, echo, **runner) -> list[dict]:
    from snnlib import _io

    paths = [store / f"{spec['key']}-seed{spec['seed']}-{_spec_hash(spec)}.json" for spec in specs]
    done = {}
    for i, path in enumerate(paths):
        if path.exists():
            try:
                done[i] = json.loads(path.read_text())
            except (OSError, ValueError):
                pass  # unreadable (e.g. cut off): train it again
    if done:
        echo(f"  {len(done)} of {len(specs)} runs already in {store}: read back, not trained again")
    todo = [i for i in range(len(specs)) if i not in done]
    _io.prepare_folder(store)

    def keep(j, result):  # each run is kept as soon as it ends
        _io.write_text(paths[todo[j]], json.dumps(result, default=float) + "\n")
        done[todo[j]] = result

    run_grid([specs[i] for i in todo], echo=echo, on_result=keep, **runner)
    return [done[i] for i in range(len(specs))]


def _spec_hash(spec: dict) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:10]


# ----------------------------------------------------------------------------- the whole study
def make_specs(dataset: str, *, quick: bool = False, hidden: int | None = None, epochs: int | None = None,
               seed: int = 0, seeds=None, data_dir=None, only=None, generator: dict | None = None,
               train_overrides: dict | None = None, model_overrides: dict | None = None
               ) -> tuple[list[dict], dict[str, list[str]], dict[str, Cell], dict]:
    """Specs of every cell for ``dataset`` (see :func:`run_cell`), the groups, the cells and the settings used.

    ``seeds``: the seeds to train every cell with (default: ``[seed]``); the specs are ordered seed by seed, and
    each spec's ``seed`` says which run it is.
    """
    from snnlib.train import DATASET_DEFAULTS, GENERIC_DEFAULTS, DataConfig, load_data

    options = {**GENERIC_DEFAULTS, **DATASET_DEFAULTS.get(dataset, {})}
    seeds = check_seeds([seed] if seeds is None else seeds)
    hidden = int(hidden or options["hidden"])
    epochs = int(epochs or (QUICK_EPOCHS.get(dataset, 2) if quick else options["epochs"]))
    data_fields = DataConfig(dataset=dataset, data_dir=None if data_dir is None else str(data_dir),
                             dt=options["dt"], max_time=options["max_time"], pool=options["pool"],
                             valid_fraction=options["valid_fraction"], valid_by=options["valid_by"], data_seed=0,
                             generator=dict(generator or {})).to_dict()
    data = load_data(DataConfig(**data_fields))  # generate once here, before any worker needs it
    cells, groups = build_grid(data.n_in, max(data.n_classes, 2), hidden, only)
    train_base = {**dict(epochs=epochs, batch_size=options["batch_size"], lr_weights=options["lr_weights"],
                         lr_delays=options["lr_delays"], lr_schedule=options["lr_schedule"]),
                  **(train_overrides or {})}
    model_base = {**dict(n_hidden=hidden, d_max=options["d_max"], sigma=options["sigma"],
                         tau_mem=options["tau_mem"], tau_out=options["tau_out"]),
                  **(model_overrides or {})}
    specs = [{"key": c.key, "seed": s, "model": {**model_base, "seed": s, **c.model},
              "train": {**train_base, "seed": s, **c.train}, "data": data_fields}
             for s in seeds for c in cells.values()]
    settings = {"dataset": dataset, "hidden": hidden, "epochs": epochs, "seed": seeds[0], "seeds": seeds,
                "quick": quick,
                "n_in": data.n_in, "n_classes": data.n_classes, "n_steps": data.n_steps,
                "n_train": len(data.train), "n_valid": len(data.valid) if data.valid is not None else 0,
                "n_test": len(data.test), "train": train_base, "model": model_base,
                "data": data_fields}
    return specs, groups, cells, settings


def check_seeds(seeds) -> list[int]:
    """The seeds as a list of distinct non-negative integers (at least one), or a ValueError naming the problem."""
    values = list(seeds)
    if not values:
        raise ValueError("seeds: give at least one seed")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"seeds must be non-negative whole numbers, got {value!r}")
    if len(set(values)) != len(values):
        raise ValueError(f"seeds must differ from each other, got {values}")
    return [int(v) for v in values]


def run_experiments(dataset: str, out, *, quick: bool = False, hidden: int | None = None, epochs: int | None = None,
                    seed: int = 0, seeds=None, data_dir=None, only=None, workers: int = 1,
                    scheduler: str | None = None, client=None, generator: dict | None = None,
                    train_overrides: dict | None = None, model_overrides: dict | None = None, echo=None) -> dict:
    """Run the grid on ``dataset`` (once per seed of ``seeds``, default ``[seed]``) and write ``results.md`` (mean ±
    sd over the seeds), ``results.csv`` (every run), ``results.json`` and figures to ``out``.

    Returns ``{"rows": [every run], "cells": [one per cell, see summarize_seeds], "groups": ..., "settings": ...,
    "wall_s": seconds}``.
    """
    from snnlib import _io

    _io.check_output_file(Path(out) / "results.md")  # before hours of training: a folder that cannot be written
    echo = echo or (lambda *a, **k: None)
    start = time.perf_counter()
    specs, groups, cells, settings = make_specs(dataset, quick=quick, hidden=hidden, epochs=epochs, seed=seed,
                                                seeds=seeds, data_dir=data_dir, only=only, generator=generator,
                                                train_overrides=train_overrides, model_overrides=model_overrides)
    n_seeds = len(settings["seeds"])
    echo(f"{dataset}: {len(specs)} runs ({len(cells)} networks × {n_seeds} seed(s)) of {settings['epochs']} epochs, "
         f"N={settings['hidden']}, {settings['n_train']} training samples")
    settings["runner"] = ("dask " + (scheduler or "client")) if (scheduler or client) else \
        f"{workers} local process(es)"
    results = run_grid(specs, workers=workers, scheduler=scheduler, client=client, echo=echo,
                       store=Path(out) / "runs")
    rows = [{**r, "label": cells[r["key"]].label} for r in results]
    wall = time.perf_counter() - start
    summary = {"rows": rows, "cells": summarize_seeds(rows), "groups": groups, "settings": settings,
               "wall_s": wall}
    write_outputs(summary, out)
    return summary
