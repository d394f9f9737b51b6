"""The exercise contract of the course's notebooks: the cell tags and the rules an exercise follows
(:func:`exercise_problems`, run by ``python -m snnlib course check`` and the tests); docs/course.md,
"Exercises", explains them for authors.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


def cell_tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


# ----------------------------------------------------------------------------- the exercise contract
#: Tag of an exercise's stub: defines what the learner writes; runs as is and never raises.
EXERCISE_TAG = "exercise"
#: Tag of a cell that holds a model answer (code, or the Markdown answer to a Think! question); only the
#: instructor edition has these cells.
SOLUTION_TAG = "solution"
#: Tag of the cell that checks an exercise: only ``exercises.check("NN.k", test, hint=...)``.
CHECK_TAG = "exercise-check"
#: The first edition's stub tag (a stub that raised). No exercise cell may carry it any more: front ends
#: treat it differently (VS Code and Colab stop Run All there), see docs/course.md.
RAISES_TAG = "raises-exception"

_CHECK_CALL = re.compile(r"""\bexercises\.check\(\s*(?P<q>["'])(?P<number>[^"']*)(?P=q)""")
_THINK = re.compile(r"\*\*Think!\*\*\s*(?P<number>\d\d\.\d+)?")


def _defined_names(code: str) -> set[str]:
    """The names a cell binds in its module scope: functions, classes and assignments, also inside its
    loops, ``if`` and ``with`` blocks (not inside its functions or classes)."""
    import ast

    try:
        tree = ast.parse(code)
    except SyntaxError:  # IPython magics: leave the cell out of this analysis
        return set()
    names: set[str] = set()
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor, ast.With,
                             ast.AsyncWith, ast.NamedExpr)):
            targets = (node.targets if isinstance(node, ast.Assign) else
                       [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor,
                                                          ast.NamedExpr)) else
                       [item.optional_vars for item in node.items if item.optional_vars is not None])
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        todo.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt))
    return names


def _top_level_calls(code: str) -> set[str]:
    """The names called by a cell's top-level statements (not inside its functions or classes)."""
    import ast

    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    called: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        called.update(n.func.id for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name))
    return called


def stub_names(code: str) -> set[str]:
    """What an exercise stub leaves for the learner to write — its answers: the functions and classes it
    defines and the variables it sets to ``None``. (Other variables of a stub are given inputs, such as the
    grid of an experiment, which the learner uses as they are.)"""
    import ast

    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            values = [node.value]
            if isinstance(node.value, ast.Tuple):  # a, b = None, None
                values = node.value.elts
            if all(isinstance(v, ast.Constant) and v.value is None for v in values):
                for target in targets:
                    names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


@dataclass(frozen=True)
class Exercise:
    """One exercise of a notebook: its number ("NN.k"), kind (``"code"``: a stub, a solution and a check;
    ``"think"``: a Think! question and its Markdown answer) and the indices of its cells in the notebook."""

    number: str
    kind: str
    cells: tuple[int, ...]


def exercises_of(nb) -> list[Exercise]:
    """The exercises of ``nb`` in order: every ``exercise-check`` cell with the stub and solution before it,
    every **Think!** question with its answer (cells that break the contract are left out here and named
    by :func:`exercise_problems`)."""
    found = []
    stub = solution = None
    for i, cell in enumerate(nb.cells):
        tags = cell_tags(cell)
        if cell.cell_type == "code" and EXERCISE_TAG in tags:
            stub, solution = i, None
        elif cell.cell_type == "code" and SOLUTION_TAG in tags:
            solution = i
        elif cell.cell_type == "code" and CHECK_TAG in tags:
            match = _CHECK_CALL.search(cell.source)
            if match and stub is not None and solution is not None:
                found.append(Exercise(match["number"], "code", (stub, solution, i)))
            stub = solution = None
        elif cell.cell_type == "markdown" and SOLUTION_TAG not in tags:
            match = _THINK.search(cell.source)
            nxt = nb.cells[i + 1] if i + 1 < len(nb.cells) else None
            if match and nxt is not None and nxt.cell_type == "markdown" and SOLUTION_TAG in cell_tags(nxt):
                found.append(Exercise(match["number"] or "", "think", (i, i + 1)))
    return found


def exercise_problems(nb, notebook: str, minimum: tuple[int, int] | None = (3, 2)) -> list[str]:
    """Everything in ``nb`` that breaks the exercise contract (docs/course.md, "Exercises"), as readable
    lines; empty when it holds. ``notebook`` is the notebook's name (``"03_gaussian_surrogate"``): its
    first two characters are the number every exercise's "NN.k" must start with.

    The rules: no cell is tagged ``raises-exception``; each exercise is a stub (tag ``exercise``, holding
    ``raise NotImplementedError`` or ``= None``, calling none of the functions it defines), then a
    solution (tag ``solution``) defining the stub's answers (:func:`stub_names`), then a check (tag ``exercise-check``) calling ``exercises.check("NN.k", ...)`` exactly once;
    every **Think!** question (``**Think!** NN.k``) is followed by a Markdown ``solution`` cell; a Markdown
    ``solution`` cell answers a Think! question or follows an exercise's cells; numbers are unique; the Markdown before a stub names
    the exercise ("Exercise NN.k"). ``minimum = (total, code)``: notebooks other than 00 need at least
    ``total`` exercises (Think! questions included), ``code`` of them checked code exercises (kinds (a)
    implement and (b) experiment); None leaves the count out.
    """
    prefix = notebook[:2]
    number_form = re.compile(rf"^{re.escape(prefix)}\.[1-9]\d*$")
    found: list[str] = []
    state, stub_at, stub_defs = "none", None, set()
    numbers: list[str] = []
    n_code = 0

    def where(i, cell):
        first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
        return f"{notebook} cell {i} ({first[:50]!r})"

    for i, cell in enumerate(nb.cells):
        tags = cell_tags(cell)
        here = where(i, cell)
        if RAISES_TAG in tags:
            found.append(f"{here}: tagged raises-exception (the old stub form): a stub is tagged 'exercise' and "
                         f"never raises, the check calls exercises.check")
        if cell.cell_type == "markdown":
            think = _THINK.search(cell.source)
            if SOLUTION_TAG in tags:
                before = nb.cells[i - 1] if i else None
                think_before = before is not None and before.cell_type == "markdown" and _THINK.search(before.source)
                exercise_before = before is not None and before.cell_type == "code" and \
                    {EXERCISE_TAG, SOLUTION_TAG, CHECK_TAG} & set(cell_tags(before))
                if not (think_before or exercise_before):
                    found.append(f"{here}: a Markdown solution must follow a **Think!** question or the cells of "
                                 f"an exercise (its model interpretation)")
            elif think:
                nxt = nb.cells[i + 1] if i + 1 < len(nb.cells) else None
                if nxt is None or nxt.cell_type != "markdown" or SOLUTION_TAG not in cell_tags(nxt):
                    found.append(f"{here}: a **Think!** question needs its model answer in the next cell, a "
                                 f"Markdown cell tagged solution")
                if not think["number"] or not number_form.match(think["number"]):
                    found.append(f"{here}: write a Think! question as '**Think!** {prefix}.k' (k = 1, 2, ...)")
                else:
                    numbers.append(think["number"])
            continue
        if cell.cell_type != "code":
            continue
        if EXERCISE_TAG in tags:
            if state in ("stub", "solved"):
                found.append(f"{here}: a stub follows the stub of cell {stub_at} before that one's "
                             f"{'check' if state == 'solved' else 'solution'}")
            if "NotImplementedError" not in cell.source and not re.search(r"=\s*None\b", cell.source):
                found.append(f"{here}: an exercise stub holds `raise NotImplementedError(...)` in a function, or a "
                             f"variable `= None` for the learner to fill in")
            state, stub_at, stub_defs = "stub", i, stub_names(cell.source)
            if not stub_defs:
                found.append(f"{here}: the stub leaves nothing to write: define a function (raising "
                             f"NotImplementedError) or set the answer's variable to None")
            called = sorted(stub_defs & _top_level_calls(cell.source))
            if called:
                found.append(f"{here}: the stub calls {', '.join(called)}; a stub only defines what the learner "
                             f"writes (a call would raise NotImplementedError and stop Run All)")
        elif SOLUTION_TAG in tags:
            if state != "stub":
                found.append(f"{here}: a solution cell without an exercise stub (tag 'exercise') just before it")
            else:
                missing = stub_defs - _defined_names(cell.source)
                if missing:
                    found.append(f"{here}: the solution does not define {', '.join(sorted(missing))}, the answer "
                                 f"its stub leaves to the learner")
            state = "solved"
        elif CHECK_TAG in tags:
            calls = _CHECK_CALL.findall(cell.source)
            if state != "solved":
                found.append(f"{here}: an exercise check must follow its stub and solution")
            if len(calls) != 1:
                found.append(f"{here}: an exercise check calls exercises.check(\"{prefix}.k\", test, hint=...) "
                             f"exactly once (found {len(calls)})")
            for _, number in calls:
                if not number_form.match(number):
                    found.append(f"{here}: exercise number {number!r} is not of the form \"{prefix}.k\"")
                elif stub_at is not None and not any(
                        c.cell_type == "markdown" and re.search(rf"Exercise {re.escape(number)}\b", c.source)
                        for c in nb.cells[:stub_at]):
                    found.append(f"{here}: no Markdown cell before the stub introduces 'Exercise {number}'")
                numbers.append(number)
                n_code += 1
            state = "none"
    if state != "none":
        found.append(f"{notebook}: the exercise whose stub is cell {stub_at} has no "
                     f"{'check' if state == 'solved' else 'solution and check'}")
    repeated = sorted({n for n in numbers if numbers.count(n) > 1})
    if repeated:
        found.append(f"{notebook}: exercise numbers used twice: {', '.join(repeated)}")
    if minimum is not None and prefix != "00":
        total, code = minimum
        if len(numbers) < total or n_code < code:
            found.append(f"{notebook}: {len(numbers)} exercises of which {n_code} checked code exercises; "
                         f"a notebook needs at least {total}, of which {code} of kind (a) or (b)")
    return found
