"""Real speech: weights only vs learned delays on the Free Spoken Digit Dataset (FSDD), as a results table.

Reads the two spike files written by ``python -m snnlib data make fsdd --out DIR --channels C`` (or
``snnlib.audio.make_fsdd``) — ``DIR/fsdd_train.h5`` (takes 5–49) and ``DIR/fsdd_test.h5`` (takes 0–4), together all
3000 recordings — bins them once, and trains every requested model with the library's trainer
(:func:`snnlib.train.train`, the online three-factor rule on the fast engine) under two protocols:

``official``
    FSDD's own split: train on the training file minus a class-stratified validation fraction (held out exactly as
    ``python -m snnlib train --dataset DIR/fsdd_train.h5 --valid-fraction F --data-seed S`` holds it out), test on
    the test file. Not speaker-disjoint: the test takes come from the speakers seen in training.
``loso``
    leave one speaker out: for each speaker, train on the other five (2500 recordings, minus the validation
    fraction) and test on all 500 recordings of the held-out speaker. The splits are index subsets of the union of
    the two files: every recording is encoded once and has the same spikes in both protocols.

``--valid-by speaker`` holds out whole speakers of the training part for validation instead (one of the five in
LOSO): the validation accuracy then measures a voice the network does not train on, and can choose between
settings meant for new voices. ``--augment-shift`` / ``--augment-stretch`` augment the training batches
(:func:`snnlib.data.augment_batch`; docs/training.md, "Augmentation").

Model selection never looks at the test set: the column "test @ best val" is the trainer's test accuracy of the
parameters of the epoch with the best validation accuracy (``metrics.json``: ``test_accuracy_at_best_val``; ties: the
earlier epoch); "test (last)" is its test accuracy after the last epoch.

Writes into ``--out``: ``runs/<protocol>/<model>/`` (one trainer output folder per run: checkpoint, ``log.csv``,
``metrics.json``, plus ``selection.json``), ``results.md`` (the table and the command), ``results.csv`` (one row per
run) and ``results.json``. A run whose ``selection.json`` exists with the same settings is not trained again, so an
interrupted invocation continues where it stopped.

Example (the commands behind docs/fsdd.md)::

    python -m snnlib data make fsdd --out data/fsdd140 --channels 140 --workers 2
    python scripts/fsdd_experiments.py --data data/fsdd140 --out results/fsdd140 --protocol official \\
        --models none synaptic axonal rec-none rec-synaptic
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import math
import platform
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

#: The models that can be compared: key → (label, SNNConfig fields).
MODELS = {
    "none": ("weights only", dict(delays="none")),
    "fixed": ("fixed random delays", dict(delays="fixed")),
    "synaptic": ("learned synaptic delays", dict(delays="synaptic")),
    "axonal": ("learned axonal delays", dict(delays="axonal")),
    "rec-none": ("recurrent, weights only", dict(delays="none", recurrent=True)),
    "rec-synaptic": ("recurrent, learned synaptic delays", dict(delays="synaptic", recurrent=True)),
    "rec-axonal": ("recurrent, learned axonal delays", dict(delays="axonal", recurrent=True)),
    "rec-synaptic-recax": ("recurrent, learned synaptic + axonal recurrent delays",
                           dict(delays="synaptic", recurrent=True, rec_delays="axonal")),
}
PROTOCOLS = ("official", "loso")


@dataclass(frozen=True)
class Settings:
    """Everything shared by the runs of one invocation (network, training, binning, validation)."""

    hidden: int = 64
    epochs: int = 20
    batch_size: int = 32
    lr_weights: float = 1e-2
    lr_delays: float = 0.5
    lr_schedule: str = "cosine"
    dt: float = 0.01
    max_time: float = 0.8
    pool: int = 1
    d_max: int = 25
    sigma: float = 1.0
    tau_mem: float = 0.02
    tau_out: float = 0.2
    valid_fraction: float = 0.1
    data_seed: int = 0
    seed: int = 0
    augment_shift: int = 0
    augment_stretch: float = 0.0
    valid_by: str = "random"


#: Settings added after runs were first stored, with the value those runs had: left out of a run's identity when
#: they have it, so that the stored runs are still read back.
LATER_SETTINGS = {"augment_shift": 0, "augment_stretch": 0.0, "valid_by": "random"}
VALID_BY = ("random", "speaker")


# ----------------------------------------------------------------------------- data
@dataclass
class Corpus:
    """All recordings of the two files, binned: x (n, T, M) uint8/uint16 counts, and per recording its label,
    speaker id and whether it belongs to the official test file."""

    x: np.ndarray
    labels: np.ndarray
    speakers: np.ndarray
    official_test: np.ndarray
    speaker_names: list
    class_names: list
    n_channels: int
    dropped: int
    attrs: dict


def load_corpus(data_dir, settings: Settings) -> Corpus:
    """Bin ``fsdd_train.h5`` and ``fsdd_test.h5`` of ``data_dir`` at ``settings.dt``/``max_time``/``pool``."""
    from snnlib import data

    data_dir = Path(data_dir)
    parts = []
    for name in ("fsdd_train.h5", "fsdd_test.h5"):
        path = data_dir / name
        if not path.exists():
            raise ValueError(f"{path} not found; encode FSDD first: python -m snnlib data make fsdd --out {data_dir} "
                             "--channels 140")
        parts.append(data.open_dataset(path))
    try:
        train_ds, test_ds = parts
        names = [_speaker_names(ds) for ds in parts]
        if names[0] != names[1]:
            raise ValueError(f"{data_dir}: the train and test files name their speakers differently "
                             f"({names[0]} vs {names[1]}); encode both with one make_fsdd call")
        if train_ds.n_channels != test_ds.n_channels or list(train_ds.class_names) != list(test_ds.class_names):
            raise ValueError(f"{data_dir}: the train and test files disagree on channels or classes; encode both "
                             "with one make_fsdd call")
        xs, dropped = [], 0
        for ds in parts:
            batches = data.iterate_batches(ds, 256, dt=settings.dt, max_time=settings.max_time, pool=settings.pool)
            xs.append(np.concatenate([x for x, _ in batches]))
            dropped += int(batches.dropped)
        x = np.concatenate(xs)
        small = np.uint8 if x.max(initial=0) <= 255 else np.uint16
        attrs = {k: (v.item() if isinstance(v, np.generic) else v.decode() if isinstance(v, bytes) else v)
                 for k, v in train_ds.attrs.items() if not isinstance(v, np.ndarray)}
        return Corpus(
            x=x.astype(small),
            labels=np.concatenate([train_ds.labels, test_ds.labels]).astype(np.int64),
            speakers=np.concatenate([train_ds.speakers, test_ds.speakers]).astype(np.int64),
            official_test=np.concatenate([np.zeros(len(train_ds), bool), np.ones(len(test_ds), bool)]),
            speaker_names=names[0],
            class_names=list(train_ds.class_names), n_channels=int(train_ds.n_channels), dropped=dropped,
            attrs=attrs)
    finally:
        for ds in parts:
            ds.close()


def _speaker_names(ds) -> list[str]:
    """Speaker names indexed by speaker id (the reader's, which FSDD's files give), else the ids as text."""
    if ds.speaker_names is None:
        return [str(i) for i in range(int(ds.speakers.max(initial=-1)) + 1)]
    return list(ds.speaker_names)


def split(corpus: Corpus, protocol: str, settings: Settings, speaker: int | None = None):
    """(train, valid, test) index arrays into the corpus for one protocol (``speaker``: LOSO's held-out speaker)."""
    from snnlib.data import leave_speaker_out, split_by_fraction, split_by_speaker
    from snnlib.data.splits import speaker_share

    if protocol == "official":
        pool, test = np.flatnonzero(~corpus.official_test), np.flatnonzero(corpus.official_test)
    elif protocol == "loso":
        if speaker is None:
            raise ValueError("loso needs the held-out speaker")
        if settings.valid_by == "random":
            return leave_speaker_out(corpus.labels, corpus.speakers, speaker, valid_fraction=settings.valid_fraction,
                                     seed=settings.data_seed)
        pool, _, test = leave_speaker_out(corpus.labels, corpus.speakers, speaker, valid_fraction=0)
    else:
        raise ValueError(f"unknown protocol {protocol!r}; expected one of {', '.join(PROTOCOLS)}")
    if settings.valid_fraction > 0 and settings.valid_by == "speaker":
        # whole speakers, as many as DataConfig(valid_by="speaker") holds out
        n_valid = speaker_share(len(np.unique(corpus.speakers[pool])), settings.valid_fraction)
        keep, held = split_by_speaker(corpus.speakers[pool], n_valid=n_valid, seed=settings.data_seed)
        return pool[keep], pool[held], test
    if settings.valid_fraction > 0:
        keep, held = split_by_fraction(corpus.labels[pool], settings.valid_fraction, seed=settings.data_seed)
        return pool[keep], pool[held], test
    return pool, np.zeros(0, np.int64), test


# ----------------------------------------------------------------------------- one run
def run_one(corpus: Corpus, protocol: str, model_key: str, settings: Settings, out: Path,
            speaker: int | None = None, echo=print) -> dict:
    """Train one model on one split with the trainer; returns a row of the results (also stored in the run folder)."""
    from snnlib import SNNConfig
    from snnlib.train import Dataset, SpikeArrays, TrainConfig, train

    label, fields = MODELS[model_key]
    where = "official" if protocol == "official" else f"loso-{corpus.speaker_names[speaker]}"
    run_dir = out / "runs" / where / model_key / f"seed-{settings.seed}"
    kept = {k: v for k, v in asdict(settings).items() if not (k in LATER_SETTINGS and v == LATER_SETTINGS[k])}
    identity = {"protocol": protocol, "speaker": speaker, "model": model_key, "settings": kept,
                "data_attrs_channels": corpus.n_channels}
    done = run_dir / "selection.json"
    if done.exists():
        stored = json.loads(done.read_text())
        if stored.get("identity") == identity:
            echo(f"{where} / {model_key}: done before, test {100 * stored['row']['test_last']:.1f} %")
            return stored["row"]
    train_idx, valid_idx, test_idx = split(corpus, protocol, settings, speaker)
    parts = {name: SpikeArrays(corpus.x[idx], corpus.labels[idx]) for name, idx in
             (("train", train_idx), ("valid", valid_idx), ("test", test_idx))}
    dataset = Dataset(train=parts["train"], test=parts["test"], valid=parts["valid"] if len(valid_idx) else None,
                      class_names=corpus.class_names, dt=settings.dt,
                      info={"source": "FSDD", "protocol": protocol, "held_out_speaker": where,
                            "max_time": settings.max_time, "pool": settings.pool, "n_channels": corpus.n_channels})
    s = settings
    model = SNNConfig(n_in=corpus.x.shape[2], n_hidden=s.hidden, n_out=len(corpus.class_names), d_max=s.d_max,
                      sigma=s.sigma, tau_mem=s.tau_mem, tau_out=s.tau_out, dt=s.dt, seed=s.seed, **fields)
    config = TrainConfig(epochs=s.epochs, batch_size=s.batch_size, lr_weights=s.lr_weights, lr_delays=s.lr_delays,
                         lr_schedule=s.lr_schedule, seed=s.seed, augment_shift=s.augment_shift,
                         augment_stretch=s.augment_stretch)
    def report(event):  # progress only: the trainer keeps the best-validation epoch itself
        if event.kind == "epoch" and event.history and event.history[-1]["val_accuracy"] is not None:
            row = event.history[-1]
            echo(f"  {where} / {model_key} epoch {row['epoch']}/{s.epochs}: train loss {row['train_loss']:.3f}, "
                 f"val acc {100 * row['val_accuracy']:.1f} % ({row['epoch_s']:.0f} s)")
        return None

    started = time.perf_counter()
    result = train(model, config, dataset, callback=report, out_dir=run_dir, overwrite=True, progress=False)
    if result.status != "finished":
        raise KeyboardInterrupt(f"{where} / {model_key}: training {result.status}")
    m = result.metrics
    test_at_best = math.nan if m["test_accuracy_at_best_val"] is None else m["test_accuracy_at_best_val"]
    row = {
        "protocol": protocol, "held_out": where if protocol == "loso" else "", "model": model_key, "label": label,
        "seed": s.seed,
        "hidden": s.hidden, "weights": m["parameters"]["weights"], "delays": m["parameters"]["delays"],
        "test_last": m["test_accuracy"], "test_at_best_val": test_at_best, "best_val": m["best_val_accuracy"],
        "best_epoch": m["best_epoch"], "val_last": m["val_accuracy"], "train_loss": m["train_loss"],
        "n_train": m["data"]["n_train"], "n_valid": m["data"]["n_valid"], "n_test": m["data"]["n_test"],
        "train_s": m["timing"]["train_s"], "train_cpu_s": m["timing"]["train_cpu_s"],
        "wall_s": time.perf_counter() - started,
    }
    done.write_text(json.dumps({"identity": identity, "row": row}, indent=1) + "\n")
    echo(f"{where} / {model_key}: test {100 * row['test_last']:.1f} % (last epoch), "
         f"{100 * test_at_best:.1f} % (best val epoch {m['best_epoch']}), {row['train_s']:.0f} s")
    return row


# ----------------------------------------------------------------------------- tables
def _pct(value) -> str:
    return "—" if value is None or not np.isfinite(value) else f"{100 * value:.1f}"


def _mean_sd(values) -> tuple[float | None, float | None]:
    """Mean and sample standard deviation (ddof 1; None for fewer than two values) of the finite values."""
    values = [v for v in values if v is not None and np.isfinite(v)]
    if not values:
        return None, None
    return float(np.mean(values)), (float(np.std(values, ddof=1)) if len(values) > 1 else None)


def summarise(rows: list[dict], models: list[str], speaker_names: list[str]) -> list[dict]:
    """One line per model: official accuracies (mean ± sd over the seeds) and the LOSO mean ± sd over the held-out
    speakers (each speaker's accuracy first averaged over the seeds)."""
    lines = []
    for key in models:
        mine = [r for r in rows if r["model"] == key]
        if not mine:
            continue
        official = [r for r in mine if r["protocol"] == "official"]
        loso = [r for r in mine if r["protocol"] == "loso"]
        line = {"model": key, "label": MODELS[key][0], "hidden": mine[0]["hidden"], "weights": mine[0]["weights"],
                "delays": mine[0]["delays"], "official_seeds": len(official)}
        for name, column in (("official_test_last", "test_last"), ("official_test_at_best_val", "test_at_best_val"),
                             ("official_best_val", "best_val"), ("official_train_s", "train_s")):
            line[name], line[name + "_sd"] = _mean_sd([r[column] for r in official])
        per_speaker = {}
        for r in loso:
            per_speaker.setdefault(r["held_out"], []).append(r)
        means = {held: _mean_sd([r["test_last"] for r in runs])[0] for held, runs in per_speaker.items()}
        line["loso_speakers"] = len(per_speaker)
        line["loso_mean"], line["loso_std"] = _mean_sd(list(means.values()))
        line["loso_mean_at_best_val"] = _mean_sd([_mean_sd([r["test_at_best_val"] for r in runs])[0]
                                                  for runs in per_speaker.values()])[0]
        # the spread that matters when two settings are compared on the same speakers: each seed's mean over
        # all the held-out speakers, then mean ± sd over the seeds that ran every speaker
        by_seed = {}
        for r in loso:
            by_seed.setdefault(r["seed"], {})[r["held_out"]] = r["test_last"]
        complete = [np.mean(list(acc.values())) for acc in by_seed.values() if len(acc) == len(per_speaker)]
        line["loso_seed_mean"], line["loso_seed_sd"] = _mean_sd(complete)
        line["loso_seeds"] = len(complete)
        # validation accuracy after the last epoch, averaged like the test: what may choose between settings
        line["loso_val_mean"] = _mean_sd([_mean_sd([r.get("val_last") for r in runs])[0]
                                          for runs in per_speaker.values()])[0]
        for held, value in means.items():
            line[f"loso_{held[len('loso-'):]}"] = value
        lines.append(line)
    return lines


def results_markdown(rows: list[dict], models: list[str], corpus_info: dict, settings: Settings,
                     command: str, wall_s: float) -> str:
    speakers = corpus_info["speaker_names"]
    seeds = sorted({r.get("seed", settings.seed) for r in rows}) or [settings.seed]
    lines = summarise(rows, models, speakers)
    held = [s for s in speakers if any(r.get("held_out") == f"loso-{s}" for r in rows)]
    out = io.StringIO()
    out.write("| model | N | weights + delays | official: test (last) | official: test @ best val | "
              "official: best val | LOSO validation (last) | LOSO mean ± sd over speakers (last) | "
              "LOSO mean, ± sd over seeds | "
              + " | ".join(f"LOSO {s}" for s in held)
              + (" | " if held else "") + "train time (official) |\n")
    out.write("|---|---:|---:|---:|---:|---:|---:|---:|---:|" + "---:|" * len(held) + "---:|\n")
    for line in lines:
        loso = "—" if line["loso_mean"] is None else (
            f"{_pct(line['loso_mean'])} ± {_pct(line['loso_std'])} ({line['loso_speakers']})"
            if line["loso_std"] is not None else f"{_pct(line['loso_mean'])} (1)")
        over_seeds = "—" if line["loso_seed_sd"] is None else \
            f"{_pct(line['loso_seed_mean'])} ± {_pct(line['loso_seed_sd'])} ({line['loso_seeds']})"
        per = [_pct(line.get(f"loso_{s}")) for s in held]
        t = line["official_train_s"]
        official = [_pct(line[name]) if line[name + "_sd"] is None else
                    f"{_pct(line[name])} ± {_pct(line[name + '_sd'])}"
                    for name in ("official_test_last", "official_test_at_best_val", "official_best_val")]
        out.write(f"| {line['label']} | {line['hidden']} | {line['weights']:,} + {line['delays']:,} | "
                  + " | ".join(official) + f" | {_pct(line['loso_val_mean'])} | {loso} | {over_seeds} | "
                  + " | ".join(per) + (" | " if held else "")
                  + ("—" if t is None else f"{t / 60:.1f} min") + " |\n")
    s = settings
    out.write(f"\nAccuracies in %. FSDD, {corpus_info['n_channels']} channels, pool {s.pool}, dt {1e3 * s.dt:g} ms, "
              f"window {s.max_time:g} s ({corpus_info['dropped']} of {corpus_info['n_spikes']} spikes fall after it), "
              f"{s.epochs} epochs, batch {s.batch_size}, Adam lr {s.lr_weights:g} (weights) / {s.lr_delays:g} (delays, "
              f"steps), {s.lr_schedule} schedule, d_max {s.d_max} steps, sigma {s.sigma:g} step, tau_mem "
              f"{1e3 * s.tau_mem:g} ms, tau_out {1e3 * s.tau_out:g} ms, validation "
              + (f"{100 * s.valid_fraction:g} % of the training part (class-stratified, seed {s.data_seed})"
                 if s.valid_by == "random" else f"whole speakers of the training part (seed {s.data_seed}): "
                 "a voice the network does not train on")
              + f", seeds {', '.join(map(str, seeds))}"
              f"{' (official: mean ± sd over them, ddof 1)' if len(seeds) > 1 else ''}. LOSO: mean ± standard "
              f"deviation over the held-out speakers (their number in brackets), each speaker's accuracy averaged "
              f"over the seeds first; and each seed's mean over all the held-out speakers, mean ± sd over the seeds "
              f"(their number in brackets): the spread to compare two settings by, on the same speakers."
              + (f" Training batches augmented: channels shifted by up to ±{s.augment_shift}, time stretched by "
                 f"a factor in 1 ± {s.augment_stretch:g}." if s.augment_shift or s.augment_stretch else "")
              + "\n\n")
    out.write(f"Command: `{command}`  \nWall-clock time of this invocation: {wall_s / 60:.1f} min "
              f"(runs already done were read back, not retrained).\n")
    return out.getvalue()


def results_csv(rows: list[dict]) -> str:
    columns = ["protocol", "held_out", "model", "label", "seed", "hidden", "weights", "delays", "test_last",
               "test_at_best_val", "best_val", "best_epoch", "val_last", "train_loss", "n_train", "n_valid", "n_test",
               "train_s", "train_cpu_s", "wall_s"]
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in row.items()})
    return text.getvalue()


# ----------------------------------------------------------------------------- command line
def parse_args(argv=None):
    defaults = Settings()
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--data", required=True, metavar="DIR", help="folder holding fsdd_train.h5 and fsdd_test.h5")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for runs/, results.md, results.csv")
    p.add_argument("--protocol", nargs="+", choices=PROTOCOLS, default=["official"], help="evaluation protocols")
    p.add_argument("--models", nargs="+", choices=list(MODELS), default=["none", "synaptic", "axonal"],
                   help="models to train (same width for all)")
    p.add_argument("--loso-models", nargs="+", choices=list(MODELS), default=None,
                   help="models for the LOSO protocol (default: --models)")
    p.add_argument("--speakers", nargs="+", default=None, metavar="NAME",
                   help="held-out speakers for LOSO (default: all six)")
    p.add_argument("--seeds", type=int, default=5, metavar="N",
                   help="train every run with N seeds (--seed, --seed + 1, ...): initial parameters and sample order")
    for name, value in asdict(defaults).items():
        p.add_argument("--" + name.replace("_", "-"), type=type(value), default=value)
    return p.parse_args(argv)


def main(argv=None) -> int:
    from snnlib.data.augment import check_augmentation

    args = parse_args(argv)
    settings = Settings(**{name: getattr(args, name) for name in asdict(Settings())})
    if settings.valid_by not in VALID_BY:  # checked before the corpus is binned
        raise SystemExit(f"error: --valid-by must be one of {', '.join(VALID_BY)}, got {settings.valid_by!r}")
    try:
        check_augmentation(settings.augment_shift, settings.augment_stretch)
    except ValueError as exc:
        raise SystemExit(f"error: {exc}") from None
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    command = "python scripts/fsdd_experiments.py " + " ".join(sys.argv[1:] if argv is None else argv)
    started = time.perf_counter()
    corpus = load_corpus(args.data, settings)
    n_spikes = int(corpus.x.sum(dtype=np.int64)) + corpus.dropped
    print(f"FSDD from {args.data}: {len(corpus.labels)} recordings, {corpus.n_channels} channels → "
          f"x {corpus.x.shape} (pool {settings.pool}, dt {settings.dt} s, window {settings.max_time} s); "
          f"{corpus.dropped} of {n_spikes} spikes after the window", flush=True)
    speakers = list(range(len(corpus.speaker_names)))
    if args.speakers:
        unknown = [s for s in args.speakers if s not in corpus.speaker_names]
        if unknown:
            raise SystemExit(f"error: unknown speaker(s) {unknown}; FSDD has {corpus.speaker_names}")
        speakers = [corpus.speaker_names.index(s) for s in args.speakers]
    if args.seeds < 1:
        raise SystemExit(f"error: --seeds must be at least 1, got {args.seeds}")
    rows = []
    echo = lambda text: print(text, flush=True)  # noqa: E731
    for seed in range(settings.seed, settings.seed + args.seeds):
        run_settings = replace(settings, seed=seed)
        if "official" in args.protocol:
            for key in args.models:
                rows.append(run_one(corpus, "official", key, run_settings, out, echo=echo))
        if "loso" in args.protocol:
            for speaker in speakers:
                for key in args.loso_models or args.models:
                    rows.append(run_one(corpus, "loso", key, run_settings, out, speaker=speaker, echo=echo))
    wall = time.perf_counter() - started
    models = list(dict.fromkeys(args.models + (args.loso_models or [])))
    info = {"n_channels": corpus.n_channels, "speaker_names": corpus.speaker_names, "dropped": corpus.dropped,
            "n_spikes": n_spikes}
    (out / "results.md").write_text(results_markdown(rows, models, info, settings, command, wall))
    (out / "results.csv").write_text(results_csv(rows))
    (out / "results.json").write_text(json.dumps(
        {"command": command, "settings": asdict(settings), "corpus": info, "rows": rows,
         "summary": summarise(rows, models, corpus.speaker_names), "wall_s": wall,
         "python": platform.python_version(), "numpy": np.__version__}, indent=1) + "\n")
    print((out / "results.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
