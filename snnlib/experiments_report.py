"""The outputs of :mod:`snnlib.experiments`: the table (Markdown, CSV), the summary over seeds and the figures.

``summarize_seeds`` turns the runs of a grid into one row per cell (mean and sd over the seeds); ``results_markdown``,
``results_csv`` and ``write_outputs`` write them; ``accuracy_figure``, ``curves_figure`` and ``parameters_figure``
draw them as plain Matplotlib Figures (no pyplot state, no backend switch). :mod:`snnlib.experiments` re-exports
every name.
"""
from __future__ import annotations

import csv
import io
import json

import numpy as np


def summarize_seeds(rows: list[dict]) -> list[dict]:
    """One row per cell (in first-seen order): the first run's fields (counts, labels, settings), with
    ``test_accuracy``, ``test_accuracy_at_best_val`` and ``best_val_accuracy`` (and ``val_accuracy``, ``train_s``,
    ``train_cpu_s``) replaced by their mean over the seeds, ``<name>_sd`` their sample standard deviation (ddof = 1;
    0 for one seed), ``n_seeds`` and ``seeds``; ``history`` holds the mean validation accuracy per epoch."""
    by_key: dict[str, list[dict]] = {}
    for r in rows:
        by_key.setdefault(r["key"], []).append(r)
    out = []
    for runs in by_key.values():
        merged = dict(runs[0])
        merged["n_seeds"] = len(runs)
        merged["seeds"] = [r.get("seed") for r in runs]
        for name in ("test_accuracy", "test_accuracy_at_best_val", "best_val_accuracy", "val_accuracy", "train_s",
                     "train_cpu_s"):
            values = [r.get(name) for r in runs]
            if any(v is None for v in values):
                merged[name], merged[f"{name}_sd"] = (None, None) if values[0] is None else (values[0], None)
                continue
            values = np.asarray(values, dtype=float)
            merged[name] = float(values.mean())
            merged[f"{name}_sd"] = float(values.std(ddof=1)) if len(values) > 1 else 0.0
        epochs = min(len(r.get("history") or []) for r in runs)
        merged["history"] = [
            {"epoch": runs[0]["history"][i]["epoch"],
             "train_loss": float(np.mean([r["history"][i]["train_loss"] for r in runs])),
             "val_accuracy": None if any(r["history"][i]["val_accuracy"] is None for r in runs)
             else float(np.mean([r["history"][i]["val_accuracy"] for r in runs]))}
            for i in range(epochs)]
        out.append(merged)
    return out


# ----------------------------------------------------------------------------- outputs
TABLE_COLUMNS = ("group", "label", "seed", "test_accuracy", "test_accuracy_at_best_val", "best_val_accuracy",
                 "weights", "delays_count", "parameters", "bytes_8bit", "added_latency_ms", "train_s", "train_cpu_s")


def _cells(summary: dict) -> list[dict]:
    """One row per cell: the summary's ``cells`` (mean over seeds), or its ``rows`` made into them."""
    return summary["cells"] if "cells" in summary else summarize_seeds(summary["rows"])


def table_rows(summary: dict, per_seed: bool = False) -> list[dict]:
    """One dict per (group, cell) in table order (mean over the seeds), or per (group, cell, seed) with ``per_seed``."""
    rows = summary["rows"] if per_seed else _cells(summary)
    return [{"group": g, **r} for g, keys in summary["groups"].items() for k in keys for r in rows if r["key"] == k]


def _mean_sd(row: dict, name: str) -> str:
    value, sd = row.get(name), row.get(f"{name}_sd")
    if value is None:
        return "–"
    if row.get("n_seeds", 1) > 1 and sd is not None:
        return f"{100 * value:.1f} ± {100 * sd:.1f} %"
    return f"{100 * value:.1f} %"


def results_markdown(summary: dict) -> str:
    """The table as Markdown, one section per comparison group."""
    s = summary["settings"]
    seeds = s.get("seeds", [s.get("seed", 0)])
    seed_text = f"seed {seeds[0]}" if len(seeds) == 1 else \
        f"{len(seeds)} seeds ({', '.join(map(str, seeds))}; accuracies are mean ± sd over them, sd with ddof 1)"
    lines = [f"# Comparisons on {s['dataset']}", "",
             f"{s['n_train']} training / {s['n_test']} test samples, {s['n_in']} inputs, {s['n_classes']} classes, "
             f"T = {s['n_steps']} steps; {s['epochs']} epochs, {seed_text}, Adam (lr weights "
             f"{s['train']['lr_weights']}, lr delays {s['train']['lr_delays']}), batch {s['train']['batch_size']}, "
             f"d_max {s['model']['d_max']}, sigma {s['model']['sigma']}. Wall time {summary['wall_s']:.0f} s on "
             f"{s.get('runner', 'one process')} (training CPU time of all runs: "
             f"{sum(r.get('train_cpu_s', 0.0) for r in summary['rows']):.0f} s).", ""]
    rows = table_rows(summary)
    for group in summary["groups"]:
        lines += [f"## {group}", "",
                  "| network | test acc. (last epoch) | test acc. @ best val. | best val. acc. | weights | delays "
                  "| params | bytes (8-bit w.) | added latency | train time per run (CPU) |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in rows:
            if r["group"] != group:
                continue
            lines.append(f"| {r['label']} | {_mean_sd(r, 'test_accuracy')} | "
                         f"{_mean_sd(r, 'test_accuracy_at_best_val')} | {_mean_sd(r, 'best_val_accuracy')} | "
                         f"{r['weights']:,} | "
                         f"{r['delays_count']:,} | {r['parameters']:,} | {r['bytes_8bit']:,.0f} | "
                         f"{r['added_latency_ms']:.0f} ms | {r['train_s']:.0f} s ({r['train_cpu_s']:.0f} s) |")
        lines.append("")
    return "\n".join(lines)


def results_csv(summary: dict) -> str:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(TABLE_COLUMNS) + ["key"], extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    for r in table_rows(summary, per_seed=True):
        writer.writerow(r)
    return text.getvalue()


def write_outputs(summary: dict, out) -> None:
    """results.md, results.csv, results.json and the figures (PNG) into ``out``, each written atomically with the
    usual permissions (:mod:`snnlib._io`)."""
    from snnlib import _io

    out = _io.prepare_folder(out)
    _io.write_text(out / "results.md", results_markdown(summary))
    _io.write_text(out / "results.csv", results_csv(summary))
    _io.write_text(out / "results.json", json.dumps(summary, indent=1, default=float) + "\n")
    name = summary["settings"]["dataset"]
    for stem, fig in ((f"{name}-accuracy", accuracy_figure(summary)),
                      (f"{name}-curves", curves_figure(summary)),
                      (f"{name}-parameters", parameters_figure(summary))):
        buffer = io.BytesIO()  # figures are plain matplotlib Figures (no pyplot state, no backend switch)
        fig.savefig(buffer, format="png", dpi=120, bbox_inches="tight")
        _io.write_bytes(out / f"{stem}.png", buffer.getvalue())


def _axes(ax, size):
    from matplotlib.figure import Figure

    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=size)
    return fig, fig.add_subplot()


def accuracy_figure(summary: dict, ax=None):
    """Horizontal bars: test accuracy of every row, grouped by comparison. Returns the Figure."""
    rows = table_rows(summary)
    fig, ax = _axes(ax, (7, 0.32 * len(rows) + 1.2))
    colors = {group: f"C{i % 10}" for i, group in enumerate(summary["groups"])}
    y = np.arange(len(rows))[::-1]
    spread = [100 * (r.get("test_accuracy_sd") or 0.0) for r in rows]
    several = any(r.get("n_seeds", 1) > 1 for r in rows)
    bars = ax.barh(y, [100 * r["test_accuracy"] for r in rows], color=[colors[r["group"]] for r in rows],
                   xerr=spread if several else None, error_kw={"lw": 0.8, "capsize": 2})
    ax.bar_label(bars, fmt="%.1f", fontsize=7, padding=2)
    ax.set_yticks(y, [f"{r['group']}: {r['label']}" for r in rows], fontsize=7)
    chance = 100 / summary["settings"]["n_classes"]
    ax.axvline(chance, color="grey", ls=":", lw=1)
    ax.set_xlim(0, 100)
    n_seeds = max(r.get("n_seeds", 1) for r in rows) if rows else 1
    ax.set_xlabel("test accuracy (%)  (dotted: chance)" +
                  (f"; mean ± sd over {n_seeds} seeds" if several else ""))
    ax.set_title(f"{summary['settings']['dataset']}: test accuracy by comparison")
    return fig


def curves_figure(summary: dict, ax=None):
    """Validation accuracy per epoch of the ``delays`` group (or of every row), mean over the seeds. Returns the
    Figure."""
    fig, ax = _axes(ax, (6, 3.5))
    cells = _cells(summary)
    keys = summary["groups"].get("delays") or [r["key"] for r in cells]
    by_key = {r["key"]: r for r in cells}
    for key in keys:
        r = by_key[key]
        epochs = [h["epoch"] for h in r["history"]]
        acc = [np.nan if h["val_accuracy"] is None else 100 * h["val_accuracy"] for h in r["history"]]
        ax.plot(epochs, acc, marker="o", ms=3, label=r["label"])
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy (%)")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=7)
    ax.set_title("learning curves")
    return fig


def parameters_figure(summary: dict, ax=None):
    """Test accuracy against parameter count (weights + delays), one point per network (mean over the seeds).
    Returns the Figure."""
    import matplotlib

    fig, ax = _axes(ax, (8.5, 3.8))
    markers = {"none": "o", "fixed": "s", "synaptic": "^", "axonal": "D"}
    colors = matplotlib.colormaps["tab20"]
    for i, r in enumerate(_cells(summary)):
        ax.scatter(r["parameters"], 100 * r["test_accuracy"], marker=markers.get(r["delays"], "o"),
                   color=colors(i % 20), label=r["label"], s=36, edgecolor="black", linewidth=0.4)
    ax.set_xscale("log")
    ax.set_xlabel("parameters (weights + delays)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    ax.set_title("accuracy vs size (marker: delays none ○, fixed □, synaptic △, axonal ◇)", fontsize=9)
    return fig
