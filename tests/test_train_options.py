"""The options of a run have one source, the configurations' fields: flags, defaults, config-file keys, resume.

The expectations are read from the dataclasses themselves (their fields and defaults, by name), not from the
option table under test.
"""
import argparse
import ast
import dataclasses
import json
from pathlib import Path

import pytest

from snnlib import train_cli
from snnlib._options import collect, option
from snnlib.config import SNNConfig
from snnlib.data.partitions import DataConfig
from snnlib.train import DATASET_DEFAULTS, GENERIC_DEFAULTS, TrainConfig
from snnlib.train_cli import build_configs, resolve_options, stored_options

CLASSES = (SNNConfig, TrainConfig, DataConfig)
#: The one option whose name is not its field's.
RENAMED = {"hidden": "n_hidden"}
#: Fields that are deliberately not options of the command line (sizes come from the data; the rest are
#: library-only settings).
NOT_OPTIONS = {"n_in", "n_out", "kernel", "threshold", "decay", "gamma", "surrogate", "loss_start", "weight_scale",
               "eval_batch_size", "callback_every", "binary"}
#: Flags of `train` that are not options of a configuration.
RUN_FLAGS = {"help", "config", "out", "resume", "overwrite", "progress"}


def train_parser():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    train_cli.register(sub)
    return parser, sub.choices["train"]


def flags():
    """dest -> action of every option flag of `train` (read from the parser)."""
    return {a.dest: a for a in train_parser()[1]._actions if a.dest not in RUN_FLAGS}


def fields_named(name):
    """(class, field) of every configuration field the option `name` must set, found by name."""
    field_name = RENAMED.get(name, name)
    return [(cls, f) for cls in CLASSES for f in dataclasses.fields(cls) if f.name == field_name]


def field_default(field):
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return dataclasses.MISSING


def parse(argv):
    return train_parser()[0].parse_args(["train"] + argv)


# ----------------------------------------------------------------------------- flags and defaults
def test_every_flag_is_a_field_and_every_field_a_flag_or_deliberately_not():
    found = flags()
    assert set(found) == set(GENERIC_DEFAULTS)
    for name in found:
        assert fields_named(name), f"--{name} sets no field of SNNConfig, TrainConfig or DataConfig"
    every_field = {f.name for cls in CLASSES for f in dataclasses.fields(cls)}
    covered = {RENAMED.get(name, name) for name in found}
    assert every_field - covered == NOT_OPTIONS


def test_every_default_is_the_dataclass_default():
    for name, value in GENERIC_DEFAULTS.items():
        for cls, field in fields_named(name):
            expected = field_default(field)
            if expected is dataclasses.MISSING:  # SNNConfig.n_hidden: required in the library, 64 on the command line
                assert (name, value) == ("hidden", 64)
                continue
            assert value == expected and type(value) is type(expected), (name, cls.__name__, value, expected)
    # the generic defaults build exactly the default configurations
    model, train, data = build_configs(GENERIC_DEFAULTS, n_in=7, n_out=3)
    assert train == TrainConfig() and data == DataConfig()
    assert model == SNNConfig(n_in=7, n_hidden=64, n_out=3)


def test_the_learning_rates_have_one_default_each():
    from snnlib.optim import LR_DELAYS, LR_WEIGHTS, Adam

    assert (GENERIC_DEFAULTS["lr_weights"], GENERIC_DEFAULTS["lr_delays"]) == (LR_WEIGHTS, LR_DELAYS)
    opt = Adam(SNNConfig(n_in=2, n_hidden=2, n_out=2))
    assert (TrainConfig().lr_weights, TrainConfig().lr_delays) == (opt.lr_weights, opt.lr_delays)


def test_the_choices_offered_are_what_the_configurations_accept():
    for name, action in flags().items():
        if not action.choices:
            continue
        base = {**GENERIC_DEFAULTS, "recurrent": True}  # so that every rec_delays is allowed
        for choice in action.choices:
            build_configs({**base, name: choice})
        with pytest.raises(ValueError, match=name):
            build_configs({**base, name: "no-such-" + name})


def test_dataset_defaults_name_options_and_build_valid_configurations():
    for dataset, overrides in DATASET_DEFAULTS.items():
        assert set(overrides) <= set(GENERIC_DEFAULTS), dataset
        model, train, data = build_configs({**GENERIC_DEFAULTS, **overrides, "dataset": dataset})
        assert data.dataset == dataset and model.n_hidden == overrides.get("hidden", 64)


def test_help_lists_each_option_in_the_group_of_its_configuration():
    text = train_parser()[1].format_help()
    sections = {title.split()[0]: body for title, body in
                (part.split(":\n", 1) for part in text.split("\n\n") if ":\n" in part)}
    for name in GENERIC_DEFAULTS:
        cls = fields_named(name)[0][0] if name not in ("dt", "seed") else None
        if cls is None:  # set on two configurations: listed once
            assert sum(f"--{name.replace('_', '-')} " in body for body in sections.values()) == 1
            continue
        group = {SNNConfig: "network", TrainConfig: "training", DataConfig: "data"}[cls]
        assert f"--{name.replace('_', '-')}" in sections[group], (name, group)


# ----------------------------------------------------------------------------- three ways to give an option
def changed_value(name, default):
    """A value of option `name` other than its default, valid on its own (with --recurrent for rec_delays)."""
    action = flags()[name]
    if action.choices:
        return next(c for c in action.choices if c != default)
    return {"dataset": "randman", "data_dir": "elsewhere", "recurrent": True, "generator": {"n_train": 30},
            "update_every": 5, "max_time": 0.5, "sparsity": 0.5, "valid_fraction": 0.25, "augment_stretch": 0.1}.get(
        name, default + 1 if isinstance(default, int) else default / 2 if isinstance(default, float) else None)


@pytest.mark.parametrize("name", sorted(GENERIC_DEFAULTS))
def test_a_config_file_key_and_a_flag_give_the_same_configurations(tmp_path, name):
    value = changed_value(name, GENERIC_DEFAULTS[name])
    extra = {"recurrent": True} if name == "rec_delays" else {}
    path = tmp_path / "run.json"
    path.write_text(json.dumps({name.replace("_", "-"): value, **extra}))
    flag = "--" + name.replace("_", "-")
    argv = ([flag] if value is True else [flag, "n_train=30"] if name == "generator" else [flag, str(value)])
    argv += ["--recurrent"] if extra else []
    from_file = build_configs(resolve_options(parse(["--config", str(path)])))
    from_flag = build_configs(resolve_options(parse(argv)))
    assert from_file == from_flag
    # and the value reached every field of that name (dt and seed: two configurations each)
    dataset = value if name == "dataset" else "delay-task"
    defaults = build_configs({**GENERIC_DEFAULTS, **DATASET_DEFAULTS[dataset], **extra})
    for cls, field in fields_named(name):
        config = next(c for c in from_flag if isinstance(c, cls))
        assert getattr(config, field.name) == value, (name, cls.__name__)
        assert getattr(config, field.name) != getattr(next(c for c in defaults if isinstance(c, cls)), field.name)


def non_default_options():
    options = {**GENERIC_DEFAULTS, "recurrent": True}
    for name, default in GENERIC_DEFAULTS.items():
        if name not in ("recurrent", "dataset", "method"):  # method bptt refuses update_every
            options[name] = changed_value(name, default)
    return options


def test_resume_reads_back_every_option_from_the_checkpoint_state():
    options = non_default_options()
    model, train, data = build_configs(options, n_in=5, n_out=3)
    state = {"model_config": model.to_dict(), "train_config": train.to_dict(),
             "data_info": {"data_config": data.to_dict()}}
    assert stored_options(state) == options
    # a resumed run's own options replace the defaults; flags still win
    resumed = resolve_options(parse(["--out", "x", "--epochs", "30"]), stored_options(state))
    assert resumed == {**options, "epochs": 30, "out": "x"}
    # without the data's configuration (data built from arrays) the network and training options remain
    state["data_info"] = {}
    assert stored_options(state) == {k: v for k, v in options.items() if k not in
                                     {"dataset", "data_dir", "max_time", "pool", "valid_fraction", "valid_by",
                                      "data_seed", "generator"}}


def test_resume_of_a_real_run_restores_its_options(tmp_path, tmp_path_factory, monkeypatch):
    from snnlib.checkpoint import load_checkpoint

    monkeypatch.setenv("SNNLIB_DATA", str(tmp_path_factory.getbasetemp() / "snnlib-data"))  # shared with other tests
    out = tmp_path / "run"
    argv = ["--out", str(out), "--epochs", "1", "--hidden", "5", "--delays", "axonal", "--seed", "4", "--d-max", "12",
            "--sigma", "1.5", "--lr-schedule", "constant", "--batch-size", "16", "--data-seed", "2",
            "--generator", "n_train=48", "--generator", "n_valid=16", "--generator", "n_test=16"]
    assert train_cli.main(["train"] + argv) == 0
    given = resolve_options(parse(argv))
    state = load_checkpoint(out)[1]
    assert {**stored_options(state), "out": str(out)} == given
    assert train_cli.main(["train", "--resume", "--out", str(out), "--epochs", "2"]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["epochs_completed"] == 2
    assert metrics["config"]["model"] == build_configs(given, n_in=20, n_out=3)[0].to_dict()


# ----------------------------------------------------------------------------- the declarations themselves
def test_declarations_that_disagree_are_refused():
    @dataclasses.dataclass
    class A:
        x: int = option(1, help="x")
        y: float = option(0.5, help="y")

    @dataclasses.dataclass
    class B:
        x: int = option(2)

    @dataclasses.dataclass
    class C:
        x: int = option(1, help="x again")

    @dataclasses.dataclass
    class D:
        z: int = option(3)

    @dataclasses.dataclass
    class E:
        n: int = option(help="no default")

    @dataclasses.dataclass
    class F:
        y: int = option(1)

    assert list(collect(A)) == ["x", "y"]
    with pytest.raises(TypeError, match="another default"):
        collect(A, B)
    with pytest.raises(TypeError, match="help given twice"):
        collect(A, C)
    with pytest.raises(TypeError, match="without a help text: z"):
        collect(D)
    with pytest.raises(TypeError, match="without a default"):
        collect(E)
    with pytest.raises(TypeError, match="another kind"):
        collect(A, F)


# ----------------------------------------------------------------------------- layers
TRAIN_LAYERS = ["_options", "train_config", "train_report", "train_loop", "train", "train_cli"]


def snnlib_imports(module):
    tree = ast.parse((Path(__file__).parent.parent / "snnlib" / f"{module}.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("snnlib"):
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.startswith("snnlib"))
    return names


def test_the_training_modules_import_only_downwards():
    for i, module in enumerate(TRAIN_LAYERS):
        higher = {f"snnlib.{m}" for m in TRAIN_LAYERS[i + 1:]}
        assert not snnlib_imports(module) & higher, module
    assert snnlib_imports("_options") == set()  # the lowest layers (config, data) declare their options with it
