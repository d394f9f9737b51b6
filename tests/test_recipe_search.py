"""scripts/recipe_search.py: the pairs of rates ranked by validation accuracy alone, over seeds."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
TINY = dict(n_train=32, n_valid=8, n_test=16)


@pytest.fixture(scope="module")
def search():
    spec = importlib.util.spec_from_file_location("recipe_search", ROOT / "scripts" / "recipe_search.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def data_home(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("SNNLIB_DATA", str(tmp_path_factory.getbasetemp() / "snnlib-data"))


def test_ranking_uses_the_mean_validation_accuracy_and_never_the_test(search, tmp_path):
    from snnlib import experiments

    specs, settings = search.search_specs("delay-task", [0.01, 0.05], [0.5], range(2), hidden=4, epochs=2,
                                          generator=TINY)
    assert [(s["train"]["lr_weights"], s["train"]["lr_delays"], s["seed"]) for s in specs] == \
        [(0.01, 0.5, 0), (0.01, 0.5, 1), (0.05, 0.5, 0), (0.05, 0.5, 1)]
    rows = search.search_rows(specs, experiments.run_grid(specs))
    ranked = search.rank(rows)
    means = {}
    for r in rows:                                        # the mean by hand
        means.setdefault(r["train_lr"], []).append(r["best_val_accuracy"])
    by_hand = sorted(means, key=lambda k: (-np.mean(means[k]), k))
    assert [(c["lr_weights"], c["lr_delays"]) for c in ranked] == by_hand
    assert ranked[0]["best_val_accuracy"] == pytest.approx(np.mean(means[by_hand[0]]))
    text = search.search_markdown(ranked, settings, "cmd", 1.0) + search.search_csv(rows)
    assert "test" not in search.search_csv(rows) and "Chosen" in text
    assert "The test set was not looked at" in text
