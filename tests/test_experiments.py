"""The experiment grid: equal-parameter widths, groups, outputs, and identical results however it is run."""
import pytest

from snnlib import experiments, experiments_report
from snnlib.experiments import build_grid, equal_parameter_width, make_specs, run_experiments, run_grid

TINY = dict(n_train=32, n_valid=8, n_test=16)


@pytest.fixture(autouse=True)
def data_home(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("SNNLIB_DATA", str(tmp_path_factory.getbasetemp() / "snnlib-data"))


def test_equal_parameter_widths_by_hand():
    # M = 20 inputs, K = 3 classes, N = 16:
    # synaptic 16 * (2*20 + 3) + 3 = 691; weights only N * 23 + 3: N = 30 -> 693 (N = 29 -> 670)
    assert equal_parameter_width(20, 3, 16, "synaptic", to="none") == 30
    # axonal 16 * 23 + 20 + 3 = 391; weights only N = 17 -> 394 (N = 16 -> 371)
    assert equal_parameter_width(20, 3, 16, "axonal", to="none") == 17
    # weights only N = 16 -> 371; synaptic N * 43 + 3: N = 9 -> 390 (N = 8 -> 347)
    assert equal_parameter_width(20, 3, 16, "none", to="synaptic") == 9


def test_grid_groups_and_labels_show_the_matched_counts():
    cells, groups = build_grid(20, 3, 16)
    assert list(groups) == list(experiments.DEFAULT_GROUPS) and "width" not in groups  # width only on request
    assert groups["delays"] == ["none", "fixed", "synaptic", "axonal"]
    assert cells["none-wide"].model == {"delays": "none", "n_hidden": 30}
    assert "N=30" in cells["none-wide"].label and "synaptic N=16" in cells["none-wide"].label
    assert cells["bptt"].train == {"method": "bptt"} and cells["sparse"].model["sparsity"] == 0.8
    cells, groups = build_grid(20, 3, 16, only=["sparsity"])
    assert list(groups) == ["sparsity"] and sorted(cells) == ["none", "sparse", "sparse-none", "synaptic"]
    assert cells["sparse-none"].model == {"delays": "none", "sparsity": 0.8}
    cells, groups = build_grid(20, 3, 32, only=["width"])
    assert groups["width"] == ["none-n16", "synaptic-n16", "none", "synaptic", "none-n64", "synaptic-n64",
                               "none-n128", "synaptic-n128", "none-n256", "synaptic-n256"]
    assert cells["synaptic-n256"].model == {"delays": "synaptic", "n_hidden": 256} and "n_hidden" not in cells["none"].model
    with pytest.raises(ValueError, match="unknown comparison group"):
        build_grid(20, 3, 16, only=["colour"])


def _tiny_specs(groups=("delays",)):
    specs, _, _, _ = make_specs("delay-task", hidden=4, epochs=1, generator=TINY, only=list(groups),
                                train_overrides={"batch_size": 16})
    return specs


def _without_time(rows):
    return [{k: v for k, v in r.items() if k not in ("train_s", "train_cpu_s")} for r in rows]


@pytest.mark.slow
def test_parallel_processes_give_the_sequential_results():
    specs = _tiny_specs(["sparsity"])
    sequential = run_grid(specs)
    assert [r["key"] for r in sequential] == ["none", "synaptic", "sparse", "sparse-none"]
    parallel = run_grid(list(reversed(specs)), workers=2)
    assert _without_time(parallel[::-1]) == _without_time(sequential)


@pytest.mark.slow
def test_a_dask_cluster_gives_the_sequential_results():
    distributed = pytest.importorskip("dask.distributed", reason="dask[distributed] is not installed (optional "
                                                                 "extra 'dask'); the Dask path is not tested")
    specs = _tiny_specs()
    sequential = run_grid(specs)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:  # an existing client
            on_dask = run_grid(specs, client=client)
        by_address = run_grid(specs[::-1], scheduler=cluster.scheduler_address)[::-1]  # what --scheduler does
    assert _without_time(on_dask) == _without_time(sequential)
    assert _without_time(by_address) == _without_time(sequential)


def test_run_experiments_writes_table_csv_and_figures(tmp_path):
    summary = run_experiments("delay-task", tmp_path, hidden=4, epochs=1, generator=TINY,
                              only=["delays", "equal-params"], train_overrides={"batch_size": 16})
    markdown = (tmp_path / "results.md").read_text()
    assert "## delays" in markdown and "## equal-params" in markdown and "weights only, N=4" in markdown
    rows = (tmp_path / "results.csv").read_text().splitlines()
    assert len(rows) == 1 + 4 + 6  # header, the delays group, the equal-params group
    for name in ("accuracy", "curves", "parameters"):
        assert (tmp_path / f"delay-task-{name}.png").stat().st_size > 1000
    # parameter counts in the table are those of the networks trained (hand count for N = 4, M = 20, K = 3)
    by_key = {r["key"]: r for r in summary["rows"]}
    assert by_key["none"]["parameters"] == 4 * 23 + 3
    assert by_key["synaptic"]["parameters"] == 4 * 43 + 3
    assert by_key["axonal"]["parameters"] == 4 * 23 + 3 + 20


def test_figure_functions_return_figures_and_accept_axes():
    from matplotlib.figure import Figure

    summary = {"rows": [{"key": "a", "label": "A", "group": "delays", "test_accuracy": 0.5, "delays": "none",
                         "parameters": 10, "history": [{"epoch": 1, "val_accuracy": 0.4, "train_loss": 1.0}]}],
               "groups": {"delays": ["a"]}, "settings": {"dataset": "x", "n_classes": 2}}
    for make in (experiments.accuracy_figure, experiments.curves_figure, experiments.parameters_figure):
        assert isinstance(make(summary), Figure)
        fig = Figure()
        ax = fig.add_subplot()
        assert make(summary, ax=ax) is fig


def test_summarize_seeds_by_hand():
    rows = [{"key": "a", "seed": s, "label": "A", "test_accuracy": acc, "best_val_accuracy": val, "val_accuracy": val,
             "train_s": 1.0, "train_cpu_s": 2.0, "parameters": 10,
             "history": [{"epoch": 1, "train_loss": loss, "val_accuracy": val}]}
            for s, acc, val, loss in ((0, 0.5, 0.4, 1.0), (1, 0.7, 0.6, 3.0), (2, 0.9, 0.5, 2.0))]
    rows.append({**rows[0], "key": "b", "test_accuracy": 0.3})
    a, b = experiments.summarize_seeds(rows)
    assert a["key"] == "a" and a["n_seeds"] == 3 and a["seeds"] == [0, 1, 2]
    assert a["test_accuracy"] == pytest.approx(0.7) and a["test_accuracy_sd"] == pytest.approx(0.2)  # sd of .5 .7 .9
    assert a["best_val_accuracy"] == pytest.approx(0.5) and a["best_val_accuracy_sd"] == pytest.approx(0.1)
    assert a["history"] == [{"epoch": 1, "train_loss": pytest.approx(2.0), "val_accuracy": pytest.approx(0.5)}]
    assert b["n_seeds"] == 1 and b["test_accuracy"] == 0.3 and b["test_accuracy_sd"] == 0.0
    assert "± " in experiments_report._mean_sd(a, "test_accuracy") and "±" not in experiments_report._mean_sd(b, "test_accuracy")


def test_seeds_are_checked():
    for bad, match in (([], "at least one"), ([0, 0], "differ"), ([-1], "non-negative"), ([1.5], "whole")):
        with pytest.raises(ValueError, match=match):
            experiments.check_seeds(bad)
    assert experiments.check_seeds(range(3)) == [0, 1, 2]


def test_several_seeds_give_mean_and_spread_and_keep_every_run(tmp_path):
    options = dict(hidden=4, epochs=1, generator=TINY, only=["sparsity"], train_overrides={"batch_size": 16})
    summary = run_experiments("delay-task", tmp_path / "two", seeds=[0, 1], **options)
    single = run_experiments("delay-task", tmp_path / "one", seed=1, **options)
    keys = ["none", "synaptic", "sparse", "sparse-none"]
    assert [(r["key"], r["seed"]) for r in summary["rows"]] == [(k, s) for s in (0, 1) for k in keys]
    # a run does not depend on which other seeds are trained: seed 1 of the pair is the single run with seed 1
    assert _without_time(summary["rows"][4:]) == _without_time(single["rows"])
    by_key = {c["key"]: c for c in summary["cells"]}
    accs = [r["test_accuracy"] for r in summary["rows"] if r["key"] == "synaptic"]
    assert by_key["synaptic"]["test_accuracy"] == pytest.approx(sum(accs) / 2)
    assert by_key["synaptic"]["test_accuracy_sd"] == pytest.approx(abs(accs[0] - accs[1]) / 2 ** 0.5)
    markdown = (tmp_path / "two" / "results.md").read_text()
    assert "2 seeds (0, 1; accuracies are mean ± sd" in markdown and " ± " in markdown
    csv_rows = (tmp_path / "two" / "results.csv").read_text().splitlines()
    assert csv_rows[0].startswith("group,label,seed,") and len(csv_rows) == 1 + 2 * 4   # every run, per seed


def test_cli_seeds_default_to_five_and_one_when_quick(tmp_path, monkeypatch):
    from snnlib import train_cli

    calls = []
    monkeypatch.setattr(experiments, "run_experiments",
                        lambda *a, **k: calls.append(k) or {"rows": [], "wall_s": 0.0})
    assert train_cli.main(["experiments", "--out", str(tmp_path)]) == 0
    assert list(calls[-1]["seeds"]) == [0, 1, 2, 3, 4]
    assert train_cli.main(["experiments", "--out", str(tmp_path), "--quick", "--seed", "3"]) == 0
    assert list(calls[-1]["seeds"]) == [3]
    assert train_cli.main(["experiments", "--out", str(tmp_path), "--seeds", "2", "--seed", "7"]) == 0
    assert list(calls[-1]["seeds"]) == [7, 8]
    assert train_cli.main(["experiments", "--out", str(tmp_path), "--seeds", "0"]) == 2


def test_a_stored_grid_keeps_each_run_and_reads_it_back(tmp_path, monkeypatch):
    specs = _tiny_specs(["delays"])[:2]
    plain = run_grid(specs)
    stored = run_grid(specs, store=tmp_path / "runs")
    assert _without_time(stored) == _without_time(plain)
    files = sorted((tmp_path / "runs").glob("*.json"))
    assert len(files) == 2 and files[0].name.startswith("fixed-seed0-") or files[0].name.startswith("none-seed0-")
    # an interrupted grid: one run's file is gone; only that run is trained again
    trained = []
    real = experiments.run_cell
    monkeypatch.setattr(experiments, "run_cell", lambda spec: trained.append(spec["key"]) or real(spec))
    (tmp_path / "runs" / f"{specs[1]['key']}-seed0-{experiments._spec_hash(specs[1])}.json").unlink()
    again = run_grid(specs, store=tmp_path / "runs")
    assert trained == [specs[1]["key"]]
    assert _without_time(again) == _without_time(plain)
    # a changed spec (another epoch count) is a different run: trained, not read back
    changed = [{**specs[0], "train": {**specs[0]["train"], "epochs": 2}}]
    trained.clear()
    run_grid(changed, store=tmp_path / "runs")
    assert trained == [specs[0]["key"]]


def test_every_group_at_once_gets_its_table_and_figures(tmp_path):
    """All six groups in one study (the width sweep included): a table section and a bar colour for each."""
    summary = run_experiments("delay-task", tmp_path, hidden=4, epochs=1, generator=TINY, only=list(experiments.GROUPS),
                              train_overrides={"batch_size": 16})
    markdown = (tmp_path / "results.md").read_text()
    assert [line[3:] for line in markdown.splitlines() if line.startswith("## ")] == list(experiments.GROUPS)
    assert all((tmp_path / f"delay-task-{kind}.png").stat().st_size > 0 for kind in ("accuracy", "curves", "parameters"))
    widths = sorted({r["hidden"] for r in summary["rows"] if r["key"] in summary["groups"]["width"]})
    assert widths == list(experiments.WIDTHS)          # the reference width (4) is not one of them


def test_the_grid_bins_the_data_as_the_dataset_defaults_say(monkeypatch):
    """A dataset's defaults for the step and the window reach every run of the grid, as they reach `train`."""
    from snnlib import train_config

    monkeypatch.setitem(train_config.DATASET_DEFAULTS, "delay-task",
                        {**train_config.DATASET_DEFAULTS["delay-task"], "dt": 0.02, "max_time": 0.3})
    specs, _, _, settings = make_specs("delay-task", hidden=4, epochs=1, generator=TINY, only=["sparsity"])
    assert {(s["data"]["dt"], s["data"]["max_time"]) for s in specs} == {(0.02, 0.3)}
    assert settings["n_steps"] == 15                                  # 0.3 s in steps of 20 ms
