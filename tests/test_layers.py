"""Imports of the figures and the course's views point down: the plots import only the model layer, the views
never import the trainer (but through the one module that starts their runs), and nothing they reach imports back.

Read from the source (every ``import`` statement, module level or inside a function), so a lazy import counts."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import snnlib

ROOT = Path(snnlib.__file__).parent
#: The model layer and the config-only accounting the figures may read.
MODEL = {"snnlib", "snnlib.config", "snnlib.neurons", "snnlib.delays", "snnlib.surrogate", "snnlib.network",
         "snnlib.metrics", "snnlib._checks"}
PLOTS = ("snnlib.plots", "snnlib.plots.live", "snnlib.plots.audio", "snnlib.plots.gallery", "snnlib.gallery")
VIEWS = ("snnlib.liveview", "snnlib.liveview_panel", "snnlib.liveview_threads", "snnlib.interactive",
         "snnlib.widgets", "snnlib.explorers", "snnlib.playground")
TRAINING = {"snnlib.train", "snnlib.train_cli", "snnlib.experiments", "snnlib.cli", "snnlib.demo"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        if "_course" in path.relative_to(ROOT).parts:
            continue
        parts = ("snnlib", *path.relative_to(ROOT).with_suffix("").parts)
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str:
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def imports(module: str) -> dict[str, bool]:
    """The snnlib modules ``module`` imports → whether every import of it is inside a function (lazy)."""
    tree = ast.parse(MODULES[module].read_text(), str(MODULES[module]))
    lazy_nodes = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                  for n in ast.walk(f)}
    found: dict[str, bool] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in MODULES else node.module
                     for a in node.names]
        else:
            continue
        for name in (_resolve(n) for n in names if n.split(".")[0] == "snnlib"):
            if name != module:
                found[name] = found.get(name, True) and id(node) in lazy_nodes
    return found


def test_the_source_reader_sees_lazy_and_eager_imports():
    assert imports("snnlib.liveview")["snnlib.liveview_training"] is True        # inside LiveTrainingView.train
    assert imports("snnlib.liveview")["snnlib.liveview_threads"] is False
    assert imports("snnlib.liveview_training")["snnlib.train"] is False
    assert imports("snnlib.widgets")["snnlib.liveview"] is True                   # the lazy LiveTrainingView
    assert set(PLOTS + VIEWS) <= set(MODULES)


@pytest.mark.parametrize("module", PLOTS)
def test_figures_import_only_the_model_layer(module):
    outside = {name for name in imports(module) if not name.startswith("snnlib.plots") and name not in MODEL}
    assert outside == set()


@pytest.mark.parametrize("module", VIEWS)
def test_views_never_import_the_trainer(module):
    assert set(imports(module)) & TRAINING == set()


def test_the_live_view_reaches_the_trainer_only_through_its_job_lazily():
    """liveview_training is the one view-side module that imports snnlib.train; the view imports it only when asked
    to train, and it imports nothing of the view back."""
    importers = {m for m in MODULES if "snnlib.liveview_training" in imports(m)}
    assert importers == {"snnlib.liveview"} and imports("snnlib.liveview")["snnlib.liveview_training"]
    assert not {m for m in imports("snnlib.liveview_training") if m.startswith("snnlib.liveview")}


def _cycles(starts, skip=()) -> list[str]:
    """Every import cycle reachable from ``starts`` (depth-first, lazy imports included), as "a -> b -> a"."""
    state: dict[str, int] = {}
    cycles = []

    def visit(module, path):
        state[module] = 1
        for name in sorted(imports(module)):
            if name in skip:
                continue
            if state.get(name) == 1:
                cycles.append(" -> ".join(path[path.index(name):] + [name]))
            elif name not in state:
                visit(name, path + [name])
        state[module] = 2

    for module in sorted(starts):
        if module not in state:
            visit(module, [module])
    return cycles


def test_nothing_the_views_reach_imports_back_in_a_cycle():
    reached, todo = set(), list(PLOTS + VIEWS + ("snnlib.liveview_training",))
    while todo:
        module = todo.pop()
        if module not in reached:
            reached.add(module)
            todo.extend(imports(module))
    assert "snnlib.train" in reached and "snnlib.cli" not in reached
    assert _cycles(reached) == []


def test_no_import_cycle_anywhere_in_the_library():
    """Every module of snnlib, eager and lazy imports alike (the package's own ``__init__``, which gathers the public
    names, aside): following imports never leads back to where it started."""
    assert _cycles(MODULES, skip={"snnlib"}) == []
