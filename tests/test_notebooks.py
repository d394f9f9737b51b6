"""The course notebooks: structure, the student edition, and end-to-end execution in fast mode.

Every notebook (``notebooks/NN_topic.py``, jupytext py:percent) is converted in memory and executed
by a real Jupyter kernel (nbclient) with ``SNNLIB_FAST=1`` and ``SNNLIB_STATIC=1``, from the
``notebooks/`` folder. A run passes when

- every cell tagged ``raises-exception`` (an exercise stub) raises ``NotImplementedError`` and no
  other cell raises (so every ``assert`` cell holds);
- nothing is written to stderr (no warnings) and no output shows a memory address (``0x7f…``).

The student edition (solutions removed) is executed too: there, the only errors allowed are
``NotImplementedError`` in stubs and exercise checks, every stub must raise, and every other cell
must still run — so the edition a student gets is known to work up to its exercises.

Run: ``SNNLIB_FAST=1 python -m pytest tests/test_notebooks.py`` (the execution tests are marked
``notebooks``; ``-m "not notebooks"`` keeps only the quick structural checks).
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from snnlib import course

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("jupytext")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOURCES = course.notebook_sources(NOTEBOOKS)
ADDRESS = re.compile(r"\bat 0x[0-9a-fA-F]{6,}|<[^<>\n]* 0x[0-9a-fA-F]{6,}>")


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _code(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def execute(nb, monkeypatch, timeout: int = 900):
    """Run ``nb`` in a fresh kernel (fast mode, static widgets) with every error kept in the outputs."""
    monkeypatch.setenv("SNNLIB_FAST", "1")
    monkeypatch.setenv("SNNLIB_STATIC", "1")
    monkeypatch.setenv("PYTHONWARNINGS", "default")
    client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def problems(nb, allowed_error_tags=(course.RAISES_TAG,)) -> list[str]:
    """Everything wrong with an executed notebook, as readable lines (empty: all good)."""
    found = []
    for n, cell in enumerate(_code(nb)):
        tags = _tags(cell)
        first_line = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
        where = f"code cell {n} ({first_line[:60]!r})"
        errors = [o for o in cell.outputs if o.output_type == "error"]
        expects_error = any(t in tags for t in allowed_error_tags)
        if expects_error:
            if not errors:
                found.append(f"{where}: tagged raises-exception but raised nothing")
            elif errors[0].ename != "NotImplementedError":
                found.append(f"{where}: expected NotImplementedError, got {errors[0].ename}: {errors[0].evalue}")
        elif errors:
            found.append(f"{where}: {errors[0].ename}: {errors[0].evalue}")
        for output in cell.outputs:
            if output.output_type == "stream" and output.name == "stderr" and not expects_error:
                found.append(f"{where}: wrote to stderr: {output.text.strip()[:300]}")
            texts = [output.get("text", "")]
            texts += [str(v) for k, v in output.get("data", {}).items() if k.startswith("text/")]
            for text in texts:
                match = ADDRESS.search(text)
                if match:
                    found.append(f"{where}: output shows a memory address: {match.group(0)!r}")
    return found


# ----------------------------------------------------------------------------- structure (quick)
@pytest.mark.parametrize("path", SOURCES, ids=[p.stem for p in SOURCES])
def test_notebook_structure(path):
    nb = course.read_notebook(path)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    opening, closing = markdown[0], markdown[-1]
    for phrase in ("You will learn", "Prerequisites", "Estimated time"):
        assert phrase in opening, f"{path.name}: the opening cell lacks {phrase!r}"
    assert "Summary" in closing and "Next" in closing, f"{path.name}: the last cell needs a summary and what is next"
    code = "\n".join(c.source for c in _code(nb))
    assert "assert " in code, f"{path.name} checks nothing"
    assert "%matplotlib inline" in code
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in _code(nb):
        tags = _tags(cell)
        if course.RAISES_TAG in tags:
            assert "NotImplementedError" in cell.source, f"{path.name}: a stub must raise NotImplementedError"
        lines = [line for line in cell.source.strip().splitlines() if line and not line.startswith("#")]
        if lines and re.match(r"^widgets\.\w+\(", lines[-1]):  # a bare call would echo the returned object
            assert lines[-1].rstrip().endswith(";"), f"{path.name}: end widget lines with ';': {lines[-1]}"


@pytest.mark.parametrize("path", SOURCES, ids=[p.stem for p in SOURCES])
def test_exercises_are_stub_then_solution(path):
    """Every stub is followed by its solution before the next stub, and checks follow a solution."""
    state = "none"
    for cell in _code(course.read_notebook(path)):
        tags = _tags(cell)
        if course.RAISES_TAG in tags and course.CHECK_TAG not in tags:
            assert state in ("none", "solved"), f"{path.name}: a stub follows a stub without a solution"
            state = "stub"
        elif course.SOLUTION_TAG in tags:
            assert state == "stub", f"{path.name}: a solution cell without a stub before it"
            state = "solved"
        elif course.CHECK_TAG in tags:
            assert state == "solved", f"{path.name}: an exercise check before the solution"


def test_student_edition_drops_solutions_and_tags_checks(tmp_path):
    paths = course.build_student(tmp_path / "student", NOTEBOOKS)
    assert [p.stem for p in paths] == [p.stem for p in SOURCES]
    n_solutions = 0
    for source, built in zip(SOURCES, paths):
        full = course.read_notebook(source)
        student = nbformat.read(str(built), as_version=4)
        n_solutions += sum(course.SOLUTION_TAG in _tags(c) for c in full.cells)
        assert not any(course.SOLUTION_TAG in _tags(c) for c in student.cells)
        kept = [c.source for c in full.cells if course.SOLUTION_TAG not in _tags(c)]
        assert [c.source for c in student.cells] == kept
        for cell in student.cells:
            if course.CHECK_TAG in _tags(cell):
                assert course.RAISES_TAG in _tags(cell)
        assert student.metadata["kernelspec"]["name"] == "python3"
    assert n_solutions >= 5, "the course should hold at least one exercise per notebook 01-05"


def test_builder_refuses_a_check_without_stub():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("assert f() == 1", metadata={"tags": [course.CHECK_TAG]})]
    with pytest.raises(ValueError, match="before any exercise stub"):
        course.student_notebook(nb)


def test_cli_writes_both_editions(tmp_path, capsys):
    from snnlib import cli

    parser = cli.argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    course.register(sub)
    for action, folder in (("student", "s"), ("notebooks", "n")):
        args = parser.parse_args(["course", action, "--out", str(tmp_path / folder), "--src", str(NOTEBOOKS)])
        assert args.func(args) == 0
        assert sorted(p.name for p in (tmp_path / folder).glob("*.ipynb")) == [f"{p.stem}.ipynb" for p in SOURCES]


# ----------------------------------------------------------------------------- execution (slow)
#: Notebooks that read the Free Spoken Digit recordings (../shared/data/fsdd or $SNNLIB_FSDD).
NEEDS_FSDD = {"10_from_sound_to_spikes"}


def skip_without_recordings(path):
    if path.stem in NEEDS_FSDD:
        from snnlib import audio
        try:
            audio.fsdd_source()
        except ValueError as exc:
            pytest.skip(f"{path.stem} needs the FSDD recordings: {exc}")


@pytest.mark.notebooks
@pytest.mark.parametrize("path", SOURCES, ids=[p.stem for p in SOURCES])
def test_notebook_runs(path, monkeypatch):
    skip_without_recordings(path)
    nb = course.read_notebook(path)
    seconds = execute(nb, monkeypatch)
    print(f"{path.name}: {seconds:.1f} s")
    found = problems(nb)
    assert not found, f"{path.name}:\n" + "\n".join(found)


@pytest.mark.notebooks
@pytest.mark.parametrize("path", SOURCES, ids=[p.stem for p in SOURCES])
def test_student_edition_runs_up_to_its_stubs(path, monkeypatch):
    skip_without_recordings(path)
    full = course.read_notebook(path)
    if not any(course.SOLUTION_TAG in _tags(c) for c in full.cells):
        pytest.skip("no exercise: the student edition is the full notebook, executed by test_notebook_runs")
    nb = course.student_notebook(full)
    seconds = execute(nb, monkeypatch)
    print(f"{path.name} (student edition): {seconds:.1f} s")
    found = problems(nb)
    assert not found, f"{path.name} (student edition):\n" + "\n".join(found)
