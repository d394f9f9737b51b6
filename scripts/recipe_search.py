"""Choose a dataset's learning rates on validation data only, over several seeds.

Trains one network of the grid of ``python -m snnlib experiments`` (``--cell``, default the one with learned
synaptic delays; the dataset's default width, epochs, schedule and batch size) for every pair of learning rates
(weights, delays) in the grid and every seed, and ranks the pairs by the **best validation accuracy** over the
epochs, averaged over the seeds. The test set plays no part: the trainer evaluates it once at the end of each run,
as it always does, but this script neither prints nor stores it. The test accuracy of the chosen recipe is then
measured by ``python -m snnlib experiments --dataset NAME --seeds 5`` (docs/training.md).

Writes ``search.md`` (the search space, every pair's validation mean ± sd, the choice) and ``search.csv`` (every
run's validation accuracies) into ``--out``.

Example (the search behind docs/training.md)::

    python scripts/recipe_search.py --dataset delay-task --out results/search-delay-task --workers 2
"""
from __future__ import annotations

import argparse
import csv
import io
import itertools
import sys
import time
from pathlib import Path

from snnlib import _io, experiments

#: The default grid: a factor of about two between neighbours, around the defaults of snnlib.train.
LR_WEIGHTS = (0.005, 0.01, 0.02, 0.05)
LR_DELAYS = (0.1, 0.25, 0.5, 1.0)


def search_specs(dataset: str, lr_weights, lr_delays, seeds, *, hidden=None, epochs=None, generator=None,
                 cell: str = "synaptic"):
    """One spec per (lr_weights, lr_delays, seed): ``cell`` of the experiment grid's ``delays`` group (``none``,
    ``fixed``, ``synaptic`` or ``axonal``) with those rates."""
    if cell not in ("none", "fixed", "synaptic", "axonal"):
        raise ValueError(f"cell must be none, fixed, synaptic or axonal, got {cell!r}")
    specs = []
    for lr_w, lr_d in itertools.product(lr_weights, lr_delays):
        grid, _, _, settings = experiments.make_specs(
            dataset, hidden=hidden, epochs=epochs, seeds=seeds, only=["delays"], generator=generator,
            train_overrides={"lr_weights": float(lr_w), "lr_delays": float(lr_d)})
        specs += [{**s, "key": f"lr_w={lr_w:g} lr_d={lr_d:g}"} for s in grid if s["key"] == cell]
    return specs, {**settings, "cell": cell}


def search_rows(specs: list[dict], results: list[dict]) -> list[dict]:
    """The validation side of each run (its rates, seed and validation accuracies); the test accuracy is dropped."""
    return [{"key": r["key"], "seed": r["seed"], "best_val_accuracy": r["best_val_accuracy"],
             "val_accuracy": r["val_accuracy"], "history": r["history"],
             "train_lr": (s["train"]["lr_weights"], s["train"]["lr_delays"])} for s, r in zip(specs, results)]


def rank(rows: list[dict]) -> list[dict]:
    """Pairs of rates by mean best validation accuracy over the seeds, best first (ties: the smaller rates)."""
    cells = experiments.summarize_seeds(rows)
    for c in cells:
        c["lr_weights"], c["lr_delays"] = c["train_lr"]
    return sorted(cells, key=lambda c: (-c["best_val_accuracy"], c["lr_weights"], c["lr_delays"]))


def search_markdown(ranked: list[dict], settings: dict, command: str, wall_s: float) -> str:
    seeds = settings["seeds"]
    best = ranked[0]
    kind = {"none": "weights only", "fixed": "fixed random delays", "synaptic": "learned synaptic delays",
            "axonal": "learned axonal delays"}[settings.get("cell", "synaptic")]
    lines = [f"# Learning rates for {settings['dataset']}, chosen on validation data", "",
             f"Network: {kind}, N = {settings['hidden']}, {settings['epochs']} epochs, batch "
             f"{settings['train']['batch_size']}, {settings['train']['lr_schedule']} schedule; "
             f"{settings['n_train']} training and {settings['n_valid']} validation samples. "
             f"{len(seeds)} seeds ({', '.join(map(str, seeds))}) per pair; ranked by the best validation accuracy "
             f"over the epochs, mean ± sd over the seeds (sd with ddof 1). The test set was not looked at.", "",
             f"Chosen: **lr_weights = {best['lr_weights']:g}, lr_delays = {best['lr_delays']:g}** "
             f"({100 * best['best_val_accuracy']:.1f} ± {100 * best['best_val_accuracy_sd']:.1f} %).", "",
             "| lr weights | lr delays | best val. acc. | last-epoch val. acc. |", "|---:|---:|---:|---:|"]
    for c in ranked:
        lines.append(f"| {c['lr_weights']:g} | {c['lr_delays']:g} | {100 * c['best_val_accuracy']:.1f} ± "
                     f"{100 * c['best_val_accuracy_sd']:.1f} % | {100 * c['val_accuracy']:.1f} ± "
                     f"{100 * c['val_accuracy_sd']:.1f} % |")
    lines += ["", f"Command: `{command}`; wall time {wall_s:.0f} s.", ""]
    return "\n".join(lines)


def search_csv(rows: list[dict]) -> str:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["lr_weights", "lr_delays", "seed", "best_val_accuracy", "val_accuracy"])
    for r in rows:
        writer.writerow([*r["train_lr"], r["seed"], r["best_val_accuracy"], r["val_accuracy"]])
    return text.getvalue()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dataset", required=True, help="dataset (as for python -m snnlib train)")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder for search.md and search.csv")
    p.add_argument("--lr-weights", type=float, nargs="+", default=list(LR_WEIGHTS))
    p.add_argument("--lr-delays", type=float, nargs="+", default=list(LR_DELAYS))
    p.add_argument("--seeds", type=int, default=3, help="seeds per pair of rates (default 3)")
    p.add_argument("--cell", default="synaptic", choices=("none", "fixed", "synaptic", "axonal"),
                   help="which network of the grid's delays group to tune (default: learned synaptic delays)")
    p.add_argument("--hidden", type=int, default=None, help="width (default: the dataset's)")
    p.add_argument("--epochs", type=int, default=None, help="epochs (default: the dataset's)")
    p.add_argument("--workers", type=int, default=1, help="local processes")
    args = p.parse_args(argv)
    if args.seeds < 1 or args.workers < 1:
        print("error: --seeds and --workers must be at least 1", file=sys.stderr)
        return 2
    _io.check_output_file(args.out / "search.md")
    start = time.perf_counter()
    specs, settings = search_specs(args.dataset, args.lr_weights, args.lr_delays, range(args.seeds),
                                   hidden=args.hidden, epochs=args.epochs, cell=args.cell)
    print(f"{len(specs)} runs: {len(args.lr_weights)} × {len(args.lr_delays)} rates × {args.seeds} seeds",
          file=sys.stderr)
    rows = search_rows(specs, experiments.run_grid(specs, workers=args.workers))
    if any(r["best_val_accuracy"] is None for r in rows):
        print("error: the runs have no validation data; choose a dataset with a validation part", file=sys.stderr)
        return 2
    ranked = rank(rows)
    command = "python scripts/recipe_search.py " + " ".join(sys.argv[1:] if argv is None else argv)
    out = _io.prepare_folder(args.out)
    _io.write_text(out / "search.md", search_markdown(ranked, settings, command, time.perf_counter() - start))
    _io.write_text(out / "search.csv", search_csv(rows))
    best = ranked[0]
    print(f"chosen on validation: lr_weights {best['lr_weights']:g}, lr_delays {best['lr_delays']:g} "
          f"({100 * best['best_val_accuracy']:.1f} ± {100 * best['best_val_accuracy_sd']:.1f} % best validation "
          f"accuracy over {args.seeds} seeds); table in {out / 'search.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
