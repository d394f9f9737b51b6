"""The course notebooks: structure, the exercise contract, both editions, and execution in fast mode.

Quick checks (no kernel): each notebook's structure, and the exercise contract of docs/course.md
(:func:`snnlib.course.exercise_problems`) — tags ``exercise`` → ``solution`` → ``exercise-check``,
``exercises.check("NN.k", ...)`` numbers, Think! questions with Markdown answers, at least three exercises per
notebook 01–10, no ``raises-exception`` anywhere. The rules are tried on a small synthetic notebook that follows
the contract, and on variants of it that each break one rule.

Execution (marked ``notebooks``; a real Jupyter kernel through nbclient, ``SNNLIB_FAST=1 SNNLIB_STATIC=1``, from
``notebooks/``), three runs of every notebook:

- the **instructor** edition with ``SNNLIB_EXERCISES=strict``: no error, nothing on stderr, no memory address in
  any output, and each check prints ``Exercise NN.k: correct`` (its own number) exactly once;
- the **learner** edition (solutions removed): no error at all — *Run All* reaches the end — and every check
  says ``not answered yet``, never ``correct``;
- the **sabotaged** instructor edition: every solution's answer is replaced by a wrong one (each function the
  stub defines returns its result perturbed — numbers ×1.1 + 0.1, integers +1, booleans negated, lists one
  element shorter —, each variable the stub sets to ``None`` is set to such a perturbed value), not strict: every check must print a
  line that is not ``correct``, and the notebook still runs to the end.

Run: ``SNNLIB_FAST=1 python -m pytest tests/test_notebooks.py`` (``-m "not notebooks"``: the quick checks only).
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from snnlib import course, exercises

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
jupytext = pytest.importorskip("jupytext")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOURCES = course.notebook_sources(NOTEBOOKS)
ADDRESS = re.compile(r"\bat 0x[0-9a-fA-F]{6,}|<[^<>\n]* 0x[0-9a-fA-F]{6,}>")
CHECK_LINE = re.compile(r"^Exercise (\S+): (.*)$", re.M)
CALL = re.compile(r"""exercises\.check\(\s*["']([^"']+)["']""")


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _code(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def _stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.output_type == "stream" and o.name == "stdout")


# ----------------------------------------------------------------------------- a synthetic notebook
SYNTHETIC = '''\
# %% [markdown]
# # 42 · A synthetic notebook
# You will learn nothing. Prerequisites: none. Estimated time: 1 min.

# %%
import numpy as np
from snnlib import exercises

# %% [markdown]
# ### Exercise 42.1 — a triangle (a) implement
# Write `psi(x)`, a triangle of height 0.3 and half-width 1.

# %% tags=["exercise"]
def psi(x):
    """0.3 max(0, 1 - |x|)"""
    # your code here
    raise NotImplementedError("Exercise 42.1: write psi")

# %% tags=["solution"]
def psi(x):
    """0.3 max(0, 1 - |x|)"""
    return 0.3 * np.maximum(0.0, 1.0 - np.abs(x))

# %% tags=["exercise-check"]
def test():
    x = np.random.default_rng(1).uniform(-2, 2, 50)
    assert np.allclose(psi(x), 0.3 * np.clip(1 - np.abs(x), 0, None)), "psi differs from the triangle"
exercises.check("42.1", test, hint="np.maximum(0, 1 - |x|)")

# %% [markdown]
# ### Exercise 42.2 — a measurement (b) experiment
# Find `crossing`, the x > 0 at which psi falls to 0.15.

# %% tags=["exercise"]
crossing = None
# your code here

# %% tags=["solution"]
grid = np.linspace(0, 1, 100001)
crossing = float(grid[np.argmin(np.abs(0.3 * (1 - grid) - 0.15))])

# %% tags=["exercise-check"]
def test():
    if crossing is None:
        raise NotImplementedError
    assert abs(crossing - 0.5) < 0.01, f"psi({crossing}) is not 0.15"
exercises.check("42.2", test)

# %% [markdown]
# ### Exercise 42.3 — in place (a) implement
# Write `normalise(v)` that divides the array `v` by its sum, in place (it returns nothing).

# %% tags=["exercise"]
def normalise(v):
    # your code here
    raise NotImplementedError("Exercise 42.3")

# %% tags=["solution"]
def normalise(v):
    v /= v.sum()

# %% tags=["exercise-check"]
def test():
    v = np.random.default_rng(2).uniform(0.5, 1.5, 7)
    expected = v / v.sum()
    normalise(v)
    assert np.allclose(v, expected), "v does not sum to 1"
exercises.check("42.3", test)

# %% [markdown]
# **Think!** 42.4 Why is psi zero beyond |x| = 1?

# %% [markdown] tags=["solution"]
# Because the triangle has half-width 1.

# %%
assert abs(0.3 * max(0.0, 1 - 0.25) - 0.225) < 1e-12  # later cells use no learner answer

# %% [markdown]
# ## Summary
# Next: nothing.
'''


def synthetic(tmp_path=None, text: str = SYNTHETIC):
    """The synthetic notebook (nbformat), parsed by jupytext as the course's sources are."""
    return jupytext.reads(text, fmt="py:percent")


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
        lines = [line for line in cell.source.strip().splitlines() if line and not line.startswith("#")]
        if lines and re.match(r"^widgets\.\w+\(", lines[-1]):  # a bare call would echo the returned object
            assert lines[-1].rstrip().endswith(";"), f"{path.name}: end widget lines with ';': {lines[-1]}"


@pytest.mark.parametrize("path", SOURCES, ids=[p.stem for p in SOURCES])
def test_exercises_follow_the_contract(path):
    found = course.exercise_problems(course.read_notebook(path), path.stem)
    assert not found, "\n".join(found)


def test_the_contract_holds_for_the_synthetic_notebook():
    nb = synthetic()
    assert course.exercise_problems(nb, "42_synthetic") == []
    found = course.exercises_of(nb)
    assert [(e.number, e.kind) for e in found] == [("42.1", "code"), ("42.2", "code"), ("42.3", "code"),
                                                   ("42.4", "think")]
    assert course.stub_names(nb.cells[found[0].cells[0]].source) == {"psi"}
    assert course.stub_names(nb.cells[found[1].cells[0]].source) == {"crossing"}
    # a Markdown model answer may also follow an exercise's check (its interpretation); an answer bound in a loop
    # of the solution counts as defined
    text = SYNTHETIC.replace('exercises.check("42.2", test)', 'exercises.check("42.2", test)\n\n'
                             '# %% [markdown] tags=["solution"]\n# The crossing is at half height.')
    text = text.replace("grid = np.linspace(0, 1, 100001)\ncrossing = float(", "for _ in range(1):\n    crossing = float(")
    text = text.replace("crossing = float(grid[np.argmin(np.abs(0.3 * (1 - grid) - 0.15))])", "crossing = 0.5")
    assert course.exercise_problems(synthetic(text=text), "42_synthetic") == []
    # a stub's given inputs are not answers: only its functions, classes and variables set to None
    assert course.stub_names("grid = (1, 2)\nanswer = None\na, b = None, None\nclass C: pass\n") == {"answer", "a", "b", "C"}


def _edit(text: str, old: str, new: str, count: int = 1) -> str:
    assert text.count(old) >= count, old
    return text.replace(old, new, count)


# Each variant breaks one rule; the message expected from exercise_problems.
BROKEN = {
    "old stub tag": (lambda t: _edit(t, '# %% tags=["exercise"]\ndef psi', '# %% tags=["raises-exception"]\ndef psi'),
                     "tagged raises-exception"),
    "old tag on a check": (lambda t: _edit(t, '# %% tags=["exercise-check"]\ndef test():\n    if crossing',
                                           '# %% tags=["exercise-check", "raises-exception"]\ndef test():\n    if crossing'),
                           "tagged raises-exception"),
    "bare asserts instead of check": (lambda t: _edit(t, 'exercises.check("42.1", test, hint="np.maximum(0, 1 - |x|)")',
                                                      "test()"), "exactly once (found 0)"),
    "number of another notebook": (lambda t: _edit(t, 'exercises.check("42.2", test)', 'exercises.check("41.2", test)'),
                                   "not of the form \"42.k\""),
    "number without notebook": (lambda t: _edit(t, 'exercises.check("42.2", test)', 'exercises.check(2, test)'),
                                "exactly once (found 0)"),
    "number used twice": (lambda t: _edit(t, 'exercises.check("42.3", test)', 'exercises.check("42.2", test)'),
                          "used twice: 42.2"),
    "no heading": (lambda t: _edit(t, "### Exercise 42.3 — in place", "### In place"),
                   "introduces 'Exercise 42.3'"),
    "stub that neither raises nor is None": (lambda t: _edit(t, "crossing = None\n# your code here",
                                                             "crossing = 0.0\n# your code here"),
                                             "raise NotImplementedError"),
    "stub that calls its function": (lambda t: _edit(t, 'raise NotImplementedError("Exercise 42.1: write psi")',
                                                     'raise NotImplementedError("Exercise 42.1: write psi")\n\n\n'
                                                     'print(psi(0.5))'), "the stub calls psi"),
    "solution before its stub": (lambda t: _edit(
        t, '# %% tags=["exercise"]\ncrossing = None\n# your code here\n\n# %% tags=["solution"]\n'
           'grid = np.linspace(0, 1, 100001)\ncrossing = float(grid[np.argmin(np.abs(0.3 * (1 - grid) - 0.15))])',
        '# %% tags=["solution"]\ngrid = np.linspace(0, 1, 100001)\n'
        'crossing = float(grid[np.argmin(np.abs(0.3 * (1 - grid) - 0.15))])\n\n'
        '# %% tags=["exercise"]\ncrossing = None\n# your code here'), "solution cell without an exercise stub"),
    "check before the solution": (lambda t: _edit(
        t, '# %% tags=["solution"]\ndef normalise(v):\n    v /= v.sum()\n\n', '').replace(
        'exercises.check("42.3", test)', 'exercises.check("42.3", test)\n\n# %% tags=["solution"]\n'
                                         'def normalise(v):\n    v /= v.sum()'),
        "must follow its stub and solution"),
    "solution with other names": (lambda t: _edit(t, "def normalise(v):\n    v /= v.sum()",
                                                  "def normalize(v):\n    v /= v.sum()"),
                                  "does not define normalise"),
    "stub with nothing to write": (lambda t: _edit(t, "crossing = None\n# your code here",
                                                   "grid = (0, 1)  # crossing = None"),
                                   "leaves nothing to write"),
    "Think! without answer": (lambda t: _edit(t, '# %% [markdown] tags=["solution"]\n# Because', '# %% [markdown]\n# Because'),
                              "needs its model answer"),
    "Think! without number": (lambda t: _edit(t, "**Think!** 42.4 Why", "**Think!** Why"), "'**Think!** 42.k'"),
    "answer without question": (lambda t: _edit(t, "**Think!** 42.4 Why", "Why"),
                                "must follow a **Think!** question"),
    "too few exercises": (lambda t: _edit(t, "**Think!** 42.4 Why", "Why").replace(
        '# %% [markdown] tags=["solution"]\n# Because', '# %% [markdown]\n# Because').replace(
        '# %% tags=["exercise-check"]\ndef test():\n    v =', '# %%\ndef test():\n    v =').replace(
        'exercises.check("42.3", test)', 'test()'), "2 exercises of which 2 checked"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_the_contract_flags_each_broken_rule(name):
    change, message = BROKEN[name]
    found = course.exercise_problems(synthetic(text=change(SYNTHETIC)), "42_synthetic")
    assert any(message in line for line in found), f"{name}: expected {message!r} in {found}"


def test_the_contract_flags_the_old_form():
    """The first edition's exercise (stub tagged raises-exception that raises, solution redefining it, bare
    asserts in the check) breaks the contract in several named ways."""
    old = '''\
# %% [markdown]
# ### Exercise 1 — psi

# %% tags=["raises-exception"]
def psi(x):
    raise NotImplementedError("Exercise 1")
psi(0.5)

# %% tags=["solution"]
def psi(x):
    return 0.3 * max(0.0, 1 - abs(x))

# %% tags=["exercise-check"]
assert psi(0.5) == 0.15
print("Exercise 1: correct")
'''
    found = "\n".join(course.exercise_problems(synthetic(text=old), "01_old"))
    for message in ("tagged raises-exception", "solution cell without an exercise stub", "exactly once (found 0)",
                    "0 exercises of which 0 checked"):
        assert message in found, (message, found)


def test_learner_edition_drops_every_solution_cell_and_tags_nothing():
    for nb, name in [(synthetic(), "42_synthetic")] + [(course.read_notebook(p), p.stem) for p in SOURCES]:
        learner = course.edition_notebook(nb, "learner", "snnlib", install=False)
        instructor = course.edition_notebook(nb, "instructor", "snnlib", install=False)
        kept = [c for c in nb.cells if course.SOLUTION_TAG not in _tags(c)]
        assert [c.source for c in learner.cells] == [c.source for c in kept], name
        assert [_tags(c) for c in learner.cells] == [_tags(c) for c in kept], name  # no tag added
        assert [c.source for c in instructor.cells] == [c.source for c in nb.cells], name
    nb = synthetic()
    learner = course.learner_notebook(nb)
    assert sum(course.SOLUTION_TAG in _tags(c) for c in nb.cells) == 4
    assert [c.cell_type for c in nb.cells if course.SOLUTION_TAG in _tags(c)].count("markdown") == 1
    assert not any(course.SOLUTION_TAG in _tags(c) for c in learner.cells)
    assert "Because the triangle" not in "".join(c.source for c in learner.cells)


def test_cli_build_check_and_aliases(tmp_path, capsys):
    from snnlib import cli

    src = tmp_path / "src"
    src.mkdir()
    (src / "42_synthetic.py").write_text(SYNTHETIC)
    assert cli.main(["course", "check", "--src", str(src)]) == 0
    assert "every exercise follows the contract" in capsys.readouterr().out
    assert cli.main(["course", "build", "--out", str(tmp_path / "b"), "--src", str(src),
                     "--install-source", "snnlib", "--edition", "instructor"]) == 0
    assert [p.name for p in (tmp_path / "b").iterdir()] == ["instructor"]
    for action, edition in (("student", "learner"), ("notebooks", "instructor")):
        out = tmp_path / action
        assert cli.main(["course", action, "--out", str(out), "--src", str(src), "--install-source", "snnlib"]) == 0
        nb = nbformat.read(str(out / "42_synthetic.ipynb"), as_version=4)
        assert any(course.SOLUTION_TAG in _tags(c) for c in nb.cells) == (edition == "instructor"), action
    (src / "43_old.py").write_text(SYNTHETIC.replace('tags=["exercise"]', 'tags=["raises-exception"]'))
    capsys.readouterr()
    assert cli.main(["course", "check", "--src", str(src)]) == 1
    out = capsys.readouterr().out
    assert "43_old cell" in out and "tagged raises-exception" in out and "42_synthetic" not in out


# ----------------------------------------------------------------------------- sabotage
#: Appended to a solution cell: replaces each name its stub defines by a wrong answer of the same shape.
SABOTAGE = r'''
def _sabotage_(value):
    import dataclasses, functools, numbers
    import numpy as _np
    if value is None:
        return None
    if isinstance(value, type):
        def method(f):
            @functools.wraps(f)
            def wrong(*args, **kwargs):
                return _sabotage_(f(*args, **kwargs))
            return wrong
        return type(value.__name__, (value,), {k: method(f) for k, f in vars(value).items()
                                               if callable(f) and not k.startswith("__")})
    if callable(value):
        @functools.wraps(value)
        def wrong(*args, **kwargs):
            result = value(*args, **kwargs)
            if result is None:  # an in-place answer: spoil the arrays it was given
                for a in list(args) + list(kwargs.values()):
                    if isinstance(a, _np.ndarray) and a.dtype.kind in "fc" and a.flags.writeable:
                        a *= 1.1
                        a += 0.1
                return None
            return _sabotage_(result)
        return wrong
    if isinstance(value, (bool, _np.bool_)):
        return not value
    if isinstance(value, numbers.Integral):
        return int(round(value * 1.1)) + 1
    if isinstance(value, numbers.Number):
        return value * 1.1 + 0.1
    if isinstance(value, _np.ndarray):
        if value.dtype.kind in "fc":
            return value * 1.1 + 0.1
        if value.dtype.kind in "iu":
            return value + 1
        if value.dtype.kind == "b":
            return ~value
    if isinstance(value, list):
        return value[:-1] if value else [0]
    if isinstance(value, tuple):
        items = [_sabotage_(v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, dict):
        return {k: _sabotage_(v) for k, v in value.items()}
    if isinstance(value, str):
        return value + " (wrong)"
    if dataclasses.is_dataclass(value):
        return dataclasses.replace(value, **{f.name: _sabotage_(getattr(value, f.name))
                                             for f in dataclasses.fields(value) if f.init})
    print(f"SABOTAGE-UNSUPPORTED: {type(value).__name__}")
    return value
'''


def sabotaged(nb):
    """The instructor edition of ``nb`` with every code exercise's answer made wrong (see :data:`SABOTAGE`)."""
    nb = course.edition_notebook(nb, "instructor", "snnlib", install=False)
    for exercise in course.exercises_of(nb):
        if exercise.kind != "code":
            continue
        stub, solution, _ = exercise.cells
        names = sorted(course.stub_names(nb.cells[stub].source))
        assert names, f"the stub of exercise {exercise.number} defines nothing to sabotage"
        nb.cells[solution].source += "\n" + SABOTAGE + "".join(f"\n{n} = _sabotage_({n})" for n in names)
    return nb


# ----------------------------------------------------------------------------- execution
def execute(nb, monkeypatch, strict: bool = False, path: Path = NOTEBOOKS, timeout: int = 900) -> float:
    """Run ``nb`` in a fresh kernel (fast mode, static widgets; strict exercise checks when asked), every error
    kept in the outputs. The kernel inherits this process's environment."""
    monkeypatch.setenv("SNNLIB_FAST", "1")
    monkeypatch.setenv("SNNLIB_STATIC", "1")
    monkeypatch.setenv("PYTHONWARNINGS", "default")
    if strict:
        monkeypatch.setenv(exercises.STRICT_ENV, "strict")
    else:
        monkeypatch.delenv(exercises.STRICT_ENV, raising=False)
    client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                                     resources={"metadata": {"path": str(path)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def problems(nb) -> list[str]:
    """Every error output, stderr output or memory address in an executed notebook, as readable lines."""
    found = []
    for n, cell in enumerate(_code(nb)):
        first_line = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
        where = f"code cell {n} ({first_line[:60]!r})"
        for output in cell.outputs:
            if output.output_type == "error":
                found.append(f"{where}: {output.ename}: {output.evalue[:300]}")
            if output.output_type == "stream" and output.name == "stderr":
                found.append(f"{where}: wrote to stderr: {output.text.strip()[:300]}")
            texts = [output.get("text", "")]
            texts += [str(v) for k, v in output.get("data", {}).items() if k.startswith("text/")]
            for text in texts:
                match = ADDRESS.search(text)
                if match:
                    found.append(f"{where}: output shows a memory address: {match.group(0)!r}")
    return found


def check_results(nb) -> list[tuple[str, list[tuple[str, str]]]]:
    """Per exercise-check cell: the number its call names and the ``Exercise N: ...`` lines it printed."""
    return [(m.group(1) if (m := CALL.search(c.source)) else "?", CHECK_LINE.findall(_stdout(c)))
            for c in _code(nb) if course.CHECK_TAG in _tags(c)]


def instructor_problems(nb) -> list[str]:
    found = problems(nb)
    for number, lines in check_results(nb):
        if lines != [(number, "correct")]:
            found.append(f"check {number} printed {lines} instead of 'Exercise {number}: correct' once")
    everywhere = sum(1 for c in nb.cells for _ in re.finditer(r"^Exercise \S+: correct$", _stdout(c), re.M))
    if everywhere != len(check_results(nb)):
        found.append(f"{everywhere} success lines for {len(check_results(nb))} checks")
    return found


def learner_problems(nb) -> list[str]:
    found = problems(nb)
    for number, lines in check_results(nb):
        if len(lines) != 1 or lines[0][0] != number or not lines[0][1].startswith("not answered yet"):
            found.append(f"unanswered check {number} printed {lines}, not one 'Exercise {number}: not answered yet'")
    if any(re.search(r"^Exercise \S+: correct$", _stdout(c), re.M) for c in nb.cells):
        found.append("an unanswered exercise was reported correct")
    return found


def sabotage_problems(nb) -> list[str]:
    found = problems(nb)
    for number, lines in check_results(nb):
        if len(lines) != 1 or lines[0][0] != number or lines[0][1] == "correct":
            found.append(f"with a wrong answer, check {number} printed {lines}, not one non-correct line")
    unsupported = [line for c in nb.cells for line in _stdout(c).splitlines() if line.startswith("SABOTAGE-")]
    found += [f"the sabotage could not spoil an answer: {line}" for line in unsupported]
    return found


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
def test_the_three_runs_on_the_synthetic_notebook(monkeypatch, tmp_path):
    """The execution rules themselves: the synthetic notebook passes all three runs, and each rule fails where
    it must (a check that accepts anything; a solution that is wrong; a stub that raises)."""
    nb = synthetic()
    instructor = course.edition_notebook(nb, "instructor", "snnlib", install=False)
    execute(instructor, monkeypatch, strict=True, path=tmp_path)
    assert instructor_problems(instructor) == []
    learner = course.edition_notebook(nb, "learner", "snnlib", install=False)
    execute(learner, monkeypatch, path=tmp_path)
    assert learner_problems(learner) == []
    spoiled = sabotaged(nb)
    execute(spoiled, monkeypatch, path=tmp_path)
    assert sabotage_problems(spoiled) == []
    # a check that cannot fail is caught by the sabotage run
    lax = synthetic(text=SYNTHETIC.replace('assert abs(crossing - 0.5) < 0.01', 'assert abs(crossing - 0.5) < 1'))
    spoiled = sabotaged(lax)
    execute(spoiled, monkeypatch, path=tmp_path)
    assert [line for line in sabotage_problems(spoiled) if "check 42.2" in line], sabotage_problems(spoiled)
    # a wrong model answer fails the strict instructor run; a stub that raises fails the learner run
    wrong = synthetic(text=SYNTHETIC.replace("return 0.3 * np.maximum", "return 0.31 * np.maximum").replace(
        'raise NotImplementedError("Exercise 42.3")', 'raise NotImplementedError("Exercise 42.3")\nnormalise(1)'))
    instructor = course.edition_notebook(wrong, "instructor", "snnlib", install=False)
    execute(instructor, monkeypatch, strict=True, path=tmp_path)
    assert any("ExerciseFailed: Exercise 42.1: not right yet" in line for line in instructor_problems(instructor))
    learner = course.edition_notebook(wrong, "learner", "snnlib", install=False)
    execute(learner, monkeypatch, path=tmp_path)
    assert any("NotImplementedError: Exercise 42.3" in line for line in learner_problems(learner))


@pytest.mark.notebooks
@pytest.mark.parametrize("path", SOURCES, ids=[p.stem for p in SOURCES])
def test_instructor_edition_passes_every_check(path, monkeypatch):
    skip_without_recordings(path)
    nb = course.edition_notebook(course.read_notebook(path), "instructor", "snnlib", install=False)
    seconds = execute(nb, monkeypatch, strict=True)
    print(f"{path.name} (instructor, strict): {seconds:.1f} s")
    found = instructor_problems(nb)
    assert not found, f"{path.name} (instructor edition):\n" + "\n".join(found)


@pytest.mark.notebooks
@pytest.mark.parametrize("path", SOURCES, ids=[p.stem for p in SOURCES])
def test_learner_edition_runs_to_the_end(path, monkeypatch):
    skip_without_recordings(path)
    nb = course.edition_notebook(course.read_notebook(path), "learner", "snnlib", install=False)
    seconds = execute(nb, monkeypatch)
    print(f"{path.name} (learner): {seconds:.1f} s")
    found = learner_problems(nb)
    assert not found, f"{path.name} (learner edition):\n" + "\n".join(found)


@pytest.mark.notebooks
@pytest.mark.parametrize("path", SOURCES, ids=[p.stem for p in SOURCES])
def test_every_wrong_answer_fails_its_check(path, monkeypatch):
    skip_without_recordings(path)
    source = course.read_notebook(path)
    if not any(e.kind == "code" for e in course.exercises_of(source)):
        pytest.skip(f"{path.stem} has no code exercise")
    nb = sabotaged(source)
    seconds = execute(nb, monkeypatch)
    print(f"{path.name} (sabotaged): {seconds:.1f} s")
    found = sabotage_problems(nb)
    assert not found, f"{path.name} (every answer wrong):\n" + "\n".join(found)


@pytest.fixture(scope="module")
def small_fsdd(tmp_path_factory):
    """A data folder whose ``fsdd-700/`` holds a tiny encoding of FSDD (120 recordings, six speakers, all ten
    digits; 35 channels, to keep it quick) — what ``python -m snnlib data make fsdd`` leaves there, in small."""
    from snnlib import audio

    try:
        audio.fsdd_source()
    except ValueError as exc:
        pytest.skip(f"part II on FSDD needs the FSDD recordings: {exc}")
    folder = tmp_path_factory.mktemp("fsdd-data")
    audio.make_fsdd(folder / "fsdd-700", channels=35, split="official", workers=1, limit=60, progress=False)
    return folder


@pytest.mark.notebooks
@pytest.mark.parametrize("stem", ["07_training_shd", "08_training_ssc", "09_efficiency"])
def test_part_two_runs_on_fsdd(stem, small_fsdd, monkeypatch):
    """Notebooks 07–09 on real speech: SNNLIB_SPEECH=fsdd makes fast mode use FSDD (the full setting's data when
    SHD is absent); every cell runs, every check passes, and the notebook says which data it used."""
    monkeypatch.setenv("SNNLIB_DATA", str(small_fsdd))
    monkeypatch.setenv(course.SPEECH_ENV, "fsdd")
    path = NOTEBOOKS / f"{stem}.py"
    nb = course.edition_notebook(course.read_notebook(path), "instructor", "snnlib", install=False)
    execute(nb, monkeypatch, strict=True)
    found = instructor_problems(nb)
    assert not found, f"{path.name} on FSDD:\n" + "\n".join(found)
    said = "\n".join(_stdout(cell) for cell in nb.cells if cell.cell_type == "code")
    assert "FSDD, real spoken digits, encoded at 35 channels" in said
    if stem == "08_training_ssc":   # the new-voices section ran: two speakers held out in turn
        assert said.count("held out (") == 2 and "learned delays ahead for" in said
