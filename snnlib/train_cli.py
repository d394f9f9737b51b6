"""Commands ``train``, ``evaluate`` and ``experiments`` of ``python -m snnlib``.

Options come from three places, later ones winning: the built-in defaults (per dataset, see
:data:`DATASET_DEFAULTS`), a ``--config`` file (TOML, YAML or JSON; keys are the long option names, with ``_`` or
``-``, plus an optional ``generator`` table of offline-dataset arguments), and the command line. With ``--resume``
the run's own stored options replace the defaults, so ``--resume --out DIR --epochs 20`` is enough.

The options are the fields of the three configurations that declare themselves options (:data:`OPTIONS`, read
from the field metadata by :mod:`snnlib.train_config`): the flags, their help, choices and types, the config-file
keys and the options a resumed run reads back are all generated from them, and :func:`build_configs` sends each
option to the fields it names. ``train --help`` lists them in one group per configuration.

Every combination is checked before any data is read or written; a bad one is refused with one line that names
the option.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path

from snnlib.config import SNNConfig
from snnlib.data.partitions import DataConfig
from snnlib.train_config import DATASET_DEFAULTS, GENERIC_DEFAULTS, OPTIONS, TrainConfig

#: Config-file keys that are not options of a configuration: the output folder (``--out``).
FILE_ONLY = {"out": "output folder"}
#: Options whose value may be left empty (``null`` in JSON/YAML) to mean "the default".
NULLABLE = tuple(name for name, o in OPTIONS.items() if o.nullable)
#: The titles of the groups of ``train --help``: one per configuration, the order of :data:`OPTIONS`.
GROUPS = {DataConfig: "data (DataConfig)", SNNConfig: "network (SNNConfig)", TrainConfig: "training (TrainConfig)"}


# ----------------------------------------------------------------------------- parsers
def register(subparsers) -> None:
    """Add the ``train``, ``evaluate`` and ``experiments`` commands."""
    shown = ("delays", "hidden", "epochs", "batch_size", "lr_weights", "lr_delays", "lr_schedule", "d_max", "sigma",
             "pool", "engine", "method")
    epilog = ("defaults: " + ", ".join(f"{k}={GENERIC_DEFAULTS[k]}" for k in shown) + "\nper dataset:\n"
              + "\n".join(f"  {name}: " + ", ".join(f"{k}={v}" for k, v in d.items())
                          for name, d in DATASET_DEFAULTS.items())
              + "\nsee docs/training.md")
    p = subparsers.add_parser("train", help="train a network (offline datasets are generated on first use)",
                              description="Train a spiking network with learnable delays by the three-factor rule.",
                              epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", metavar="FILE", help="options from a TOML, YAML or JSON file (flags override it)")
    groups = {cls: p.add_argument_group(title) for cls, title in GROUPS.items()}
    for name, o in OPTIONS.items():
        group = groups[o.home]
        if o.kind is bool:
            group.add_argument(o.flag, action=argparse.BooleanOptionalAction, default=None, help=o.help)
        elif o.kind is dict:  # a table in a config file, repeated KEY=VALUE flags on the command line
            group.add_argument(o.flag, action="append", metavar="KEY=VALUE", help=o.help)
        elif o.choices is not None:
            group.add_argument(o.flag, choices=o.choices, default=None, help=o.help)
        else:
            group.add_argument(o.flag, type=o.kind, default=None, help=o.help, metavar=name.upper())
    p.add_argument("--out", metavar="DIR", help="output folder: checkpoint, log.csv, metrics.json")
    p.add_argument("--resume", action="store_true", help="continue the run in --out from its checkpoint")
    p.add_argument("--overwrite", action="store_true", help="start afresh even if --out holds a checkpoint")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bars (default: only on a terminal)")
    p.set_defaults(func=run_train)

    e = subparsers.add_parser("evaluate", help="size, memory, latency, inference time and accuracy of a checkpoint",
                              description="Evaluate a trained checkpoint (MODEL.md §9).")
    e.add_argument("checkpoint", help="a run's output folder or its checkpoint.json")
    e.add_argument("--dataset", help="evaluate on another dataset's test set (default: the one trained on)")
    e.add_argument("--data-dir", help="folder of the data files")
    e.add_argument("--weight-bits", type=int, nargs="+", default=[8, 32], help="weight precisions to report")
    e.add_argument("--json", action="store_true", help="print the report as JSON")
    e.set_defaults(func=run_evaluate)

    x = subparsers.add_parser("experiments", help="the paper's comparisons on one dataset: table and figures",
                              description="Weights-only vs fixed vs learned synaptic/axonal delays, feedforward vs "
                                          "recurrent, online vs BPTT, dense vs sparse, equal-parameter pairs.")
    x.add_argument("--dataset", default="delay-task", help="dataset (as for train)")
    x.add_argument("--data-dir", help="folder of the data files")
    x.add_argument("--out", required=True, metavar="DIR", help="folder for results.md, results.csv and figures")
    x.add_argument("--quick", action="store_true", help="a small, fast version of the grid")
    x.add_argument("--hidden", type=int, help="hidden width of the reference networks")
    x.add_argument("--epochs", type=int, help="epochs per cell")
    x.add_argument("--seed", type=int, default=0, help="first seed; every cell is trained with the same seeds "
                                                        "(paired comparisons)")
    x.add_argument("--seeds", type=int, default=None, metavar="N",
                   help="train every cell with N seeds (seed, seed + 1, ...) and report mean ± sd (default 5; "
                        "1 with --quick)")
    x.add_argument("--only", nargs="+", metavar="GROUP", help="run only these comparison groups")
    x.add_argument("--workers", type=int, default=1, help="cells run in parallel on this many local processes")
    x.add_argument("--scheduler", metavar="ADDRESS", help="run the cells on a Dask cluster (dask.distributed)")
    x.set_defaults(func=run_experiments)


# ----------------------------------------------------------------------------- option handling
def read_config_file(path) -> dict:
    """Options from a TOML (``.toml``), YAML (``.yaml``/``.yml``) or JSON file, keys normalised to ``a_b``."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    if suffix == ".toml":
        try:
            import tomllib
        except ModuleNotFoundError:  # Python 3.10
            try:
                import tomli as tomllib
            except ModuleNotFoundError:
                raise ValueError("reading TOML on Python 3.10 needs the package tomli (pip install tomli); "
                                 "or use a JSON config") from None
        parse = tomllib.loads
    elif suffix in (".yaml", ".yml"):
        try:
            import yaml
        except ModuleNotFoundError:
            raise ValueError("reading YAML needs PyYAML (pip install pyyaml); or use a TOML or JSON config") from None
        parse = yaml.safe_load
    elif suffix == ".json":
        parse = json.loads
    else:
        raise ValueError(f"config file {path}: unknown format {suffix!r}; use .toml, .yaml/.yml or .json")
    try:
        data = parse(raw.decode())
    except Exception as exc:  # the parsers' own error types
        raise ValueError(f"config file {path} could not be parsed: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValueError(f"config file {path} must hold a table of options, got {type(data).__name__}")
    options = {}
    allowed = set(OPTIONS) | set(FILE_ONLY)
    for key, value in data.items():
        name = str(key).replace("-", "_")
        if name not in allowed:
            raise ValueError(f"config file {path}: unknown option {key!r}; allowed are "
                             f"{', '.join(sorted(allowed))}")
        options[name] = _checked_value(path, key, name, value)
    return options


def _checked_value(path, key, name: str, value):
    """``value`` if its type fits the option ``name`` (strictly: ``"no"`` is not a bool, ``1`` is not a path),
    else a ValueError naming the file and the key."""
    kind, choices = (OPTIONS[name].kind, OPTIONS[name].choices) if name in OPTIONS else (str, None)  # "out"
    where = f"config file {path}: {key}"
    if value is None and name in NULLABLE:
        return value
    if kind is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{where} must be true or false, got {value!r}")
    elif choices is not None:
        if not isinstance(value, str) or value not in choices:
            raise ValueError(f"{where} must be one of {', '.join(choices)}, got {value!r}")
    elif kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{where} must be an integer, got {value!r}"
                             + (" (write it without a decimal point or exponent)" if isinstance(value, float)
                                else ""))
    elif kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{where} must be a number, got {value!r}")
    elif kind is str:
        if not isinstance(value, str) or not value:
            raise ValueError(f"{where} must be a non-empty string (a name or a path), got {value!r}")
    elif kind is dict:
        if not isinstance(value, dict):
            raise ValueError(f"{where} must be a table of KEY = VALUE arguments, got {value!r}")
    return value


def resolve_options(args, stored: dict | None = None) -> dict:
    """Merge defaults < dataset defaults (or a resumed run's stored options) < config file < command line."""
    from_file = read_config_file(args.config) if getattr(args, "config", None) else {}
    given = {name: getattr(args, name) for name in list(OPTIONS) + list(FILE_ONLY) if getattr(args, name, None)
             is not None}
    tables = {name: value for name, value in given.items() if name in OPTIONS and OPTIONS[name].kind is dict}
    from_cli = {name: value for name, value in given.items() if name not in tables}

    dataset = from_cli.get("dataset", from_file.get("dataset", (stored or {}).get("dataset",
                                                                                   GENERIC_DEFAULTS["dataset"])))
    options = dict(GENERIC_DEFAULTS)
    options.update(DATASET_DEFAULTS.get(dataset, {}))
    options.update(stored or {})
    options.update(from_file)
    options.update(from_cli)
    for name, pairs in tables.items():  # repeated KEY=VALUE flags add to (or replace keys of) the table
        options[name] = {**(options.get(name) or {}), **parse_pairs(pairs, OPTIONS[name].flag)}
    return options


def parse_pairs(pairs, flag: str) -> dict:
    """``["a=1", "b=x"]`` -> ``{"a": 1, "b": "x"}`` (values read as JSON when they parse, else as text)."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"{flag} expects KEY=VALUE, got {pair!r}")
        try:
            out[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[key.strip()] = value
    return out


def build_configs(options: dict, n_in: int = 1, n_out: int = 2):
    """(SNNConfig, TrainConfig, DataConfig) from merged options; every value and combination is checked here.

    Each option goes to the fields it is declared on (:data:`OPTIONS`: ``hidden`` to ``SNNConfig.n_hidden``,
    ``seed`` to ``SNNConfig.seed`` and ``TrainConfig.seed``, ``dt`` to ``SNNConfig.dt`` and ``DataConfig.dt``).
    """
    o = options
    if o.get("rec_delays", "none") != "none" and not o.get("recurrent"):
        raise ValueError(f"--rec-delays {o['rec_delays']} needs --recurrent (a feedforward network has no "
                         "recurrent connections to delay)")
    if o.get("update_every") is not None and o.get("method") == "bptt":
        raise ValueError("--update-every applies to the online rule only (BPTT updates after the whole sample); "
                         "drop it or use --method online")
    fields = {SNNConfig: {"n_in": n_in, "n_out": n_out}, TrainConfig: {}, DataConfig: {}}
    for name, spec in OPTIONS.items():
        value = o[name] if spec.kind is not dict else o.get(name)
        if spec.kind is int and not (spec.nullable and value is None) \
                and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"{spec.flag} must be an integer, got {value!r}")
        if spec.kind is dict and value is None:
            value = spec.default.copy()
        for cls, field in spec.fields:
            fields[cls][field] = value
    return tuple(cls(**fields[cls]) for cls in (SNNConfig, TrainConfig, DataConfig))


def stored_options(state: dict) -> dict:
    """The options of a run, read back from its checkpoint state (for ``--resume``): from the network's and the
    training's configurations, which a checkpoint always holds whole, else from the data's."""
    stored = {SNNConfig: state["model_config"], TrainConfig: state["train_config"],
              DataConfig: (state.get("data_info") or {}).get("data_config") or {}}
    options = {}
    for name, spec in OPTIONS.items():
        for cls, field in sorted(spec.fields, key=lambda f: list(stored).index(f[0])):
            if field in stored[cls]:
                options[name] = stored[cls][field]
                break
    return options


def _check_writable(out: Path) -> None:
    """Refuse an output folder that cannot be created or written, before any work."""
    probe = out
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise OSError(f"{probe} is a file, not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise OSError(f"permission denied for {probe}")


# ----------------------------------------------------------------------------- train
def run_train(args) -> int:
    from snnlib.checkpoint import has_checkpoint, load_checkpoint
    from snnlib.train import OutputError, check_state, deferred_interrupts, load_data, train

    stored = None
    out_arg = args.out
    if out_arg is None and args.config:
        out_arg = read_config_file(args.config).get("out")
    if out_arg is None:
        raise ValueError("--out DIR is required: the folder for the checkpoint, log.csv and metrics.json")
    out = Path(out_arg)
    if args.resume:
        if not has_checkpoint(out):
            raise ValueError(f"--resume: {out} holds no checkpoint.json; train without --resume first")
        state = load_checkpoint(out)[1]
        check_state(state, out)
        stored = stored_options(state)
    elif has_checkpoint(out) and not args.overwrite:
        raise ValueError(f"{out} already holds a checkpoint; continue it with --resume, start afresh with "
                         "--overwrite, or choose another --out")
    options = resolve_options(args, stored)
    build_configs(options)  # every option and combination checked before any work
    try:
        _check_writable(out)
    except OSError as exc:
        print(f"error: cannot write to output folder {out}: {exc}", file=sys.stderr)
        return 1

    data = load_data(build_configs(options)[2])
    model, train_config, _ = build_configs(options, n_in=data.n_in, n_out=max(data.n_classes, 2))

    from tqdm import tqdm

    def report(event):  # one line per epoch, printed around the progress bar
        if event.kind == "epoch":
            row = event.history[-1]
            val = "" if row["val_accuracy"] is None else \
                f", val loss {row['val_loss']:.4f}, val acc {100 * row['val_accuracy']:.1f} %"
            tqdm.write(f"epoch {row['epoch']}/{event.train_config.epochs}: train loss {row['train_loss']:.4f}{val} "
                       f"({row['epoch_s']:.1f} s)")

    # from here on Ctrl-C and SIGTERM end the current batch, save and stop (see snnlib.train.deferred_interrupts)
    with deferred_interrupts() as guard:
        print(f"{data.info['data_config']['dataset']}: {len(data.train)} train / "
              f"{len(data.valid) if data.valid is not None else 0} valid / {len(data.test)} test samples, "
              f"T={data.n_steps} steps of {1e3 * data.dt:g} ms, {data.n_in} inputs, {data.n_classes} classes",
              flush=True)
        try:
            result = train(model, train_config, data, callback=report, out_dir=out, resume=args.resume,
                           overwrite=args.overwrite, progress=args.progress)
        except OutputError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        signum = guard.signum
    epoch, batch = result.position
    if result.status == "interrupted":
        where = (f"epoch {epoch + 1}, after batch {batch}" if batch else
                 "the end of training, before the test evaluation" if epoch >= train_config.epochs else
                 f"the start of epoch {epoch + 1}")
        by = " by SIGTERM" if signum == getattr(signal, "SIGTERM", None) else ""
        print(f"interrupted{by}: checkpoint saved in {out} at {where}; continue with --resume --out {out}",
              file=sys.stderr)
        return 143 if by else 130
    m = result.metrics
    val = "" if m["val_accuracy"] is None else f"val accuracy {100 * m['val_accuracy']:.1f} %, "
    print(f"{result.status}: test accuracy {100 * m['test_accuracy']:.2f} %, {val}"
          f"{m['parameters']['weights']:,} weights + {m['parameters']['delays']:,} delays, "
          f"{m['timing']['train_s']:.1f} s training; results in {out}/metrics.json")
    return 0


# ----------------------------------------------------------------------------- evaluate
def run_evaluate(args) -> int:
    from snnlib import metrics as size_metrics
    from snnlib.train import load_data, load_trained

    model, params, state = load_trained(args.checkpoint)
    stored = (state.get("data_info") or {}).get("data_config") or {}
    fields = {k: v for k, v in stored.items() if k in DataConfig.__dataclass_fields__}
    if args.dataset:
        fields["dataset"] = args.dataset
        fields["generator"] = {} if args.dataset != stored.get("dataset") else fields.get("generator", {})
    if args.data_dir:
        fields["data_dir"] = args.data_dir
    fields["dt"] = model.dt
    data = load_data(DataConfig(**fields))
    if data.n_in != model.n_in:
        raise ValueError(f"{fields['dataset']} has {data.n_in} input channels but the network was trained with "
                         f"{model.n_in}; evaluate on data of the same shape (check --pool)")
    report = size_metrics.model_report(model, params, data.test.x, data.test.labels,
                                       weight_bits=tuple(args.weight_bits))
    if args.json:
        print(json.dumps(report, indent=1, default=float))
    else:
        print(f"{args.checkpoint}: {model.delays} delays, {model.n_in}-{model.n_hidden}-{model.n_out}"
              f"{' recurrent' if model.recurrent else ''}, d_max {model.d_max} steps of {1e3 * model.dt:g} ms; "
              f"test set of {fields['dataset']}")
        print(size_metrics.format_report(report))
    return 0


# ----------------------------------------------------------------------------- experiments
def run_experiments(args) -> int:
    from snnlib import experiments

    if args.workers < 1:
        raise ValueError(f"--workers must be at least 1, got {args.workers}")
    out = Path(args.out)
    try:
        _check_writable(out)
    except OSError as exc:
        print(f"error: cannot write to output folder {out}: {exc}", file=sys.stderr)
        return 1
    n_seeds = args.seeds if args.seeds is not None else (1 if args.quick else 5)
    if n_seeds < 1:
        raise ValueError(f"--seeds must be at least 1, got {n_seeds}")
    if args.seed < 0:
        raise ValueError(f"--seed must be >= 0, got {args.seed}")
    summary = experiments.run_experiments(
        args.dataset, out, quick=args.quick, hidden=args.hidden, epochs=args.epochs,
        seeds=range(args.seed, args.seed + n_seeds), data_dir=args.data_dir, only=args.only, workers=args.workers,
        scheduler=args.scheduler, echo=print)
    print(f"{len(summary['rows'])} runs ({n_seeds} seed(s)) in {summary['wall_s']:.0f} s; "
          f"table in {out / 'results.md'}, every run in {out / 'results.csv'}")
    return 0


def main(argv=None) -> int:
    """Run one of this module's commands without the rest of the command line (same error handling)."""
    parser = argparse.ArgumentParser(prog="python -m snnlib")
    register(parser.add_subparsers(dest="command", required=True))
    from snnlib._commands import run

    return run(parser, argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
