"""Helpers for the notebook course itself: the fast-mode switch, widget detection, small demo models,
the rules of the exercise contract and the builders of the learner and instructor editions.

Two environment variables steer the course (both read at call time, so a notebook can be re-run
after changing them):

``SNNLIB_FAST=1``
    fast mode: every notebook shrinks its data sizes and epochs (never its meaning) so that the whole
    course runs in a few minutes; CI sets it. Unset or ``0``: the full setting learners run.
``SNNLIB_STATIC=1``
    draw every widget as one static figure from its default values instead of live controls. Set it
    for headless execution (nbval, nbclient, ``jupyter nbconvert --execute``): a kernel cannot tell
    whether a front end will ever render its widgets. ``SNNLIB_STATIC=0`` forces live widgets.
    Unset: live widgets whenever the code runs inside a Jupyter kernel and ipywidgets is installed.

Command line::

    python -m snnlib course build --out DIR                # DIR/learner/ and DIR/instructor/ (.ipynb)
    python -m snnlib course build --out DIR --edition instructor   # one edition only
    python -m snnlib course check                          # the exercises follow the contract (authors)

``course build`` writes the two editions a course is taught from, each notebook a plain ``.ipynb`` that
opens without the repository's Jupyter configuration (JupyterLab, Notebook 7, VS Code, Colab): the
**learner** edition (every cell except those tagged ``solution``) and the **instructor** edition (every
cell). Both start with a cell that installs snnlib where it is missing (:func:`install_cell`). A notebook
changed since it was built (a learner's work) is never overwritten unless ``--force`` is given. The
course's sources travel inside the package, so this works from an installed snnlib as well as from a
clone (:func:`course_files`). ``course student --out D`` and ``course notebooks --out D`` are the learner
and instructor editions written into ``D`` itself.

Cell tags of the exercise contract (see docs/course.md, "Exercises", and :mod:`snnlib.exercises`):
``exercise`` (a stub the learner fills in; it runs as is and never raises), ``solution`` (a model answer,
code or Markdown; only in the instructor edition), ``exercise-check`` (``exercises.check("NN.k", test)``,
which prints ``Exercise NN.k: correct`` only when the learner's answer passed). Plot-only cells are tagged
``nbval-ignore-output``. No cell is tagged ``raises-exception``: every cell of either edition runs without
error, so *Run All* reaches the end in every front end. :func:`exercise_problems` checks these rules.
"""
from __future__ import annotations

import importlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FAST_ENV = "SNNLIB_FAST"
STATIC_ENV = "SNNLIB_STATIC"

#: Tag of a cell that holds an exercise's solution (left out of the student edition).
SOLUTION_TAG = "solution"
#: Tag of a cell that is expected to raise (an exercise stub).
RAISES_TAG = "raises-exception"
#: Tag of a cell that checks an exercise's result (it raises until the exercise is solved).
CHECK_TAG = "exercise-check"

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


def _flag(name: str) -> bool | None:
    """An on/off environment variable: True, False, or None when unset."""
    value = os.environ.get(name)
    if value is None:
        return None
    value = value.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"environment variable {name}={os.environ[name]!r} is not understood; "
                     f"set it to 1 (on) or 0 (off)")


def fast_mode() -> bool:
    """True when ``SNNLIB_FAST`` is set to 1: notebooks shrink sizes and epochs (CI, slow machines)."""
    return bool(_flag(FAST_ENV))


def sized(full, fast):
    """``fast`` in fast mode, else ``full``: ``n_epochs = sized(full=30, fast=3)``."""
    return fast if fast_mode() else full


def widget_frontend() -> bool:
    """Whether widgets should be live (True) or drawn as one static figure (False).

    ``SNNLIB_STATIC=1`` → False and ``SNNLIB_STATIC=0`` → True, whatever else holds. Unset: True
    when this code runs inside a Jupyter kernel (JupyterLab, Notebook, VS Code) and ipywidgets can be
    imported; False in a plain Python process or terminal IPython.
    """
    static = _flag(STATIC_ENV)
    if static is not None:
        return not static
    try:
        importlib.import_module("ipywidgets")
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


# ----------------------------------------------------------------------------- environment report
_PACKAGES = ("snnlib", "numpy", "matplotlib", "h5py", "tqdm", "ipywidgets", "ipykernel", "jupyterlab",
             "jupytext", "nbclient", "nbval")


def versions(packages=_PACKAGES) -> dict[str, str | None]:
    """Installed version of each package (None when it is not installed), plus Python's."""
    import platform
    from importlib import metadata

    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def repository_root() -> Path | None:
    """The checkout this package runs from (the folder holding ``snnlib/``, ``notebooks/`` and snnlib's
    ``pyproject.toml``), or None when snnlib is an installed package (no repository around it)."""
    root = Path(__file__).resolve().parent.parent
    try:
        project = (root / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return None
    ours = re.search(r"""^name\s*=\s*["']snnlib["']""", project, flags=re.M) is not None
    return root if ours and (root / "notebooks").is_dir() else None


@dataclass(frozen=True)
class DatasetStatus:
    """Whether one dataset can be used right now, and where it is (or would be) found."""

    name: str
    kind: str  # "published" (download), "offline" (generated), "recordings" (audio files)
    location: str
    available: bool
    note: str


def dataset_status(data_dir=None) -> list[DatasetStatus]:
    """What the course can use on this machine: the published SHD/SSC files in the data folder
    (:func:`snnlib.data.resolve_data_dir`), the offline generators (always available: they write their
    files on demand) and the FSDD recordings (:func:`snnlib.audio.fsdd.fsdd_source`)."""
    from snnlib.data import MAKERS, resolve_data_dir

    folder = resolve_data_dir(data_dir)
    out = []
    for name in ("shd", "ssc"):
        parts = [p for p in ("train", "valid", "test") if (folder / f"{name}_{p}.h5").exists()]
        note = f"found: {', '.join(parts)}" if parts else f"not downloaded (python -m snnlib data download {name})"
        out.append(DatasetStatus(name.upper(), "published", str(folder), {"train", "test"} <= set(parts), note))
    for name in MAKERS:
        prefix = name.replace("-", "_")
        present = (folder / f"{prefix}_train.h5").exists()
        note = "files present" if present else "generated on demand (no download needed)"
        out.append(DatasetStatus(name, "offline", str(folder), True, note))
    from snnlib.audio.fsdd import ENV_VAR, fsdd_recordings, fsdd_source

    try:
        found = fsdd_recordings()
        out.append(DatasetStatus("FSDD", "recordings", str(fsdd_source()), True, f"{len(found)} recordings"))
    except ValueError:
        out.append(DatasetStatus("FSDD", "recordings", "../shared/data/fsdd", False,
                                 f"not found (set {ENV_VAR} to the folder holding recordings/)"))
    return out


# ----------------------------------------------------------------------------- small demo models
def coincidence_neuron(input_times, delays=(0, 0), weight: float = 0.6, tau_mem: float = 0.010,
                       dt: float = 0.001, n_steps: int = 80, threshold: float = 1.0, decay: str = "exact"):
    """One LIF neuron with one spike per input channel, simulated by :func:`snnlib.forward`.

    input_times: (M,) step of each input spike (a value outside ``0 … n_steps-1`` means no spike);
    delays: (M,) integer synaptic delays, steps; weight: every input weight (units of the threshold);
    tau_mem, dt: seconds. Returns ``(v, z, x)``: (T,) membrane potential, (T,) spikes, (T, M) inputs.
    """
    import snnlib

    input_times = np.atleast_1d(np.asarray(input_times, dtype=np.int64))
    delays = np.broadcast_to(np.asarray(delays, dtype=float), input_times.shape)
    M = input_times.size
    x = np.zeros((1, n_steps, M))
    for i, t in enumerate(input_times):
        if 0 <= t < n_steps:
            x[0, t, i] = 1.0
    d_max = max(int(np.max(delays, initial=0)), 1)
    config = snnlib.SNNConfig(n_in=M, n_hidden=1, n_out=2, delays="synaptic", d_max=d_max, tau_mem=tau_mem,
                              tau_out=tau_mem, dt=dt, threshold=threshold, decay=decay, dtype="float64")
    params = snnlib.init_params(config)
    params["W_in"] = np.full((1, M), float(weight))
    params["D_in"] = delays.reshape(1, M).copy()
    out = snnlib.forward(config, params, x)
    return out.v[0, :, 0], out.z[0, :, 0], x[0]


def delay_bank(input_times, max_delay: int = 20, weight: float = 0.6, tau_mem: float = 0.005,
               dt: float = 0.001, n_steps: int = 80):
    """A Jeffress-style bank: neuron j delays input A by j steps and input B by ``max_delay − j``.

    input_times: (t_A, t_B) spike steps. Neuron j's delayed spikes coincide when
    ``t_A + j = t_B + max_delay − j``, i.e. ``j = (t_B − t_A + max_delay) / 2``.
    Returns ``(delays, counts, v, z)``: (J, 2) integer delays, (J,) spike count per neuron, (T, J) potentials
    and spikes (J = max_delay + 1 neurons).
    """
    import snnlib

    J = max_delay + 1
    x = np.zeros((1, n_steps, 2))
    for i, t in enumerate(input_times):
        if 0 <= t < n_steps:
            x[0, int(t), i] = 1.0
    j = np.arange(J)
    delays = np.stack([j, max_delay - j], axis=1)
    config = snnlib.SNNConfig(n_in=2, n_hidden=J, n_out=2, delays="synaptic", d_max=max_delay, tau_mem=tau_mem,
                              tau_out=tau_mem, dt=dt, dtype="float64")
    params = snnlib.init_params(config)
    params["W_in"] = np.full((J, 2), float(weight))
    params["D_in"] = delays.astype(float)
    out = snnlib.forward(config, params, x)
    return delays, out.z[0].sum(0).astype(np.int64), out.v[0], out.z[0]


# ----------------------------------------------------------------------------- editions of the course
#: Where the wheel carries the course's files (copied there at build time by setup.py).
PACKAGED_COURSE = Path(__file__).resolve().parent / "_course"


def course_files(kind: str = "notebooks") -> Path:
    """The folder of the course's ``"notebooks"`` (``NN_topic.py`` sources) or its JupyterLab settings
    (``"jupyter"``, a ``JUPYTER_CONFIG_DIR``): the repository's ``notebooks/`` or ``.jupyter/`` in a clone,
    else the copy inside the installed package (``snnlib/_course/``)."""
    if kind not in ("notebooks", "jupyter"):
        raise ValueError(f"unknown kind of course files {kind!r}; expected 'notebooks' or 'jupyter'")
    root = repository_root()
    if root is not None:
        return root / ("notebooks" if kind == "notebooks" else ".jupyter")
    folder = PACKAGED_COURSE / kind
    if not folder.is_dir():
        raise ValueError(f"this installation of snnlib lacks the course files ({folder}); reinstall it from "
                         f"a wheel or an sdist: pip install 'snnlib[notebooks]'")
    return folder


def notebook_sources(src_dir=None) -> list[Path]:
    """The course notebooks ``NN_topic.py`` (jupytext py:percent), in order: from ``src_dir``, else
    :func:`course_files` (the repository's ``notebooks/`` in a clone, the package's copy otherwise)."""
    folder = Path(src_dir) if src_dir is not None else course_files("notebooks")
    paths = sorted(p for p in folder.glob("[0-9][0-9]_*.py"))
    if not paths:
        raise ValueError(f"no course notebooks (NN_topic.py) found in {folder}")
    return paths


def _cell_tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def read_notebook(path):
    """A course notebook as an nbformat notebook (needs jupytext)."""
    try:
        import jupytext
    except ImportError as exc:  # pragma: no cover - jupytext is in the notebooks/test extras
        raise ValueError("building the course needs jupytext: pip install 'snnlib[notebooks]'") from exc
    return jupytext.read(str(path), fmt="py:percent")


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
        tags = _cell_tags(cell)
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
            if match and nxt is not None and nxt.cell_type == "markdown" and SOLUTION_TAG in _cell_tags(nxt):
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
        tags = _cell_tags(cell)
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
                    {EXERCISE_TAG, SOLUTION_TAG, CHECK_TAG} & set(_cell_tags(before))
                if not (think_before or exercise_before):
                    found.append(f"{here}: a Markdown solution must follow a **Think!** question or the cells of "
                                 f"an exercise (its model interpretation)")
            elif think:
                nxt = nb.cells[i + 1] if i + 1 < len(nb.cells) else None
                if nxt is None or nxt.cell_type != "markdown" or SOLUTION_TAG not in _cell_tags(nxt):
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


# ----------------------------------------------------------------------------- learner and instructor editions
#: Environment variable naming where the editions' first cell installs snnlib from (a pip requirement).
INSTALL_ENV = "SNNLIB_INSTALL_SOURCE"
#: Tag of the first code cell of a built edition (installs snnlib where it is missing).
INSTALL_TAG = "install-snnlib"
#: The two editions ``course build`` writes, each into a folder of that name.
EDITIONS = ("learner", "instructor")
#: The record, in each folder of built notebooks, of what was written there (to tell a learner's changes).
MANIFEST = ".snnlib-built.json"


def learner_notebook(nb):
    """A copy of ``nb`` without its ``solution`` cells (code and Markdown): the learner edition's cells."""
    import copy

    nb = copy.deepcopy(nb)
    nb.cells = [cell for cell in nb.cells if SOLUTION_TAG not in _cell_tags(cell)]
    return nb


def project_urls() -> dict[str, str]:
    """``[project.urls]`` of snnlib: from the repository's pyproject.toml in a clone, else from the
    installed package's metadata (``Project-URL``). Empty when neither declares any."""
    root = repository_root()
    if root is not None:
        text = (root / "pyproject.toml").read_text(encoding="utf-8")
        try:
            import tomllib
        except ImportError:  # Python 3.10: read the table by hand (key = "value" lines)
            section = text.split("[project.urls]", 1)[1].split("\n[", 1)[0] if "[project.urls]" in text else ""
            return dict(re.findall(r'^\s*([\w.-]+)\s*=\s*"([^"]+)"', section, flags=re.M))
        return dict(tomllib.loads(text).get("project", {}).get("urls", {}))
    from importlib import metadata

    try:
        entries = metadata.metadata("snnlib").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return {}
    return {name.strip(): url.strip() for name, url in (e.split(",", 1) for e in entries if "," in e)}


def default_install_source() -> str:
    """What a built edition installs snnlib from: ``$SNNLIB_INSTALL_SOURCE`` if set, else the git
    repository declared in pyproject's ``[project.urls]`` (``Repository``, else ``Homepage``)."""
    if os.environ.get(INSTALL_ENV, "").strip():
        return os.environ[INSTALL_ENV].strip()
    urls = project_urls()
    url = urls.get("Repository") or urls.get("Homepage")
    if not url:
        raise ValueError(f"no install source for the editions: pyproject.toml declares no Repository URL; "
                         f"pass --install-source or set {INSTALL_ENV}")
    return f"snnlib @ git+{url}"


def install_cell(source: str | None = None):
    """The code cell that opens every built edition: it installs snnlib (``pip install SOURCE``) when
    ``import snnlib`` fails — a fresh Colab runtime, a JupyterHub without the package — and does nothing
    (prints nothing) where snnlib imports. ``$SNNLIB_INSTALL_SOURCE`` in the kernel's environment
    overrides ``source`` (default: :func:`default_install_source`)."""
    import nbformat

    source = source if source is not None else default_install_source()
    if not source.strip() or "\n" in source:
        raise ValueError(f"install source {source!r} must be one pip requirement, wheel or folder on one line")
    code = f"""\
# Installs snnlib where it is missing (Colab, a JupyterHub); does nothing where it is installed.
# To install from elsewhere, set the environment variable {INSTALL_ENV} (a pip requirement, a wheel, a folder).
import importlib, os, subprocess, sys

try:
    import snnlib  # noqa: F401
except ImportError:
    _source = os.environ.get("{INSTALL_ENV}") or {source!r}
    print("installing snnlib from", _source)
    if subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", _source]).returncode:
        raise RuntimeError(f"could not install snnlib from {{_source!r}}: see pip's message above; "
                           f"set {INSTALL_ENV} to another source and run this cell again") from None
    importlib.invalidate_caches()
    import snnlib  # noqa: F401"""
    return nbformat.v4.new_code_cell(code, metadata={"tags": [INSTALL_TAG]})


def edition_notebook(nb, edition: str, source: str | None = None, install: bool = True):
    """``nb`` as the ``"learner"`` edition (:func:`learner_notebook`: no solution cells) or the
    ``"instructor"`` edition (every cell), with :func:`install_cell` as its first code cell (after the
    opening Markdown cell) unless ``install`` is False."""
    import copy

    if edition not in EDITIONS:
        raise ValueError(f"unknown edition {edition!r}; expected one of {', '.join(EDITIONS)}")
    nb = learner_notebook(nb) if edition == "learner" else copy.deepcopy(nb)
    if install:
        at = 1 if nb.cells and nb.cells[0].cell_type == "markdown" else 0
        nb.cells.insert(at, install_cell(source))
    nb.metadata.setdefault("language_info", {"name": "python"})  # VS Code and Colab read the language here
    return nb


def _ipynb_text(nb, stem: str) -> str:
    """``nb`` serialised as it is written to disk: the same sources give the same bytes (stable cell ids)."""
    import nbformat

    nb.metadata.pop("jupytext", None)
    nb.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                          "language": "python"})
    for n, cell in enumerate(nb.cells):
        cell["id"] = f"{stem[:40]}-{n}"
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


UPDATES = ("unmodified", "all", "missing")


def write_edition(out_dir, edition: str, src_dir=None, install_source: str | None = None,
                  update: str = "unmodified", kept: list | None = None, _read=None) -> list[Path]:
    """Write one edition, ``out_dir/NN_topic.ipynb`` for every course notebook; returns the files written.

    ``update`` says what happens to a notebook that is already there and differs from the new build:
    ``"unmodified"`` (default) rewrites it only when nobody changed it since it was built (its content is
    the one recorded in ``out_dir/.snnlib-built.json``) and keeps a learner's changed notebook — appended
    to ``kept`` when the course's version differs from the one it was built from; ``"all"`` rewrites
    every notebook; ``"missing"`` writes only missing ones.
    """
    import json

    from snnlib import _io

    if update not in UPDATES:
        raise ValueError(f"unknown update rule {update!r}; expected one of {', '.join(UPDATES)}")
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"{out_dir} is a file; the course's notebooks need a folder")
    source = install_source if install_source is not None else default_install_source()
    record_path = out_dir / MANIFEST
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        record = record if isinstance(record, dict) else {}
    except (OSError, ValueError):
        record = {}
    written = []
    for path in notebook_sources(src_dir):
        target = out_dir / f"{path.stem}.ipynb"
        if target.exists() and update == "missing":
            continue
        nb = _read(path) if _read is not None else read_notebook(path)
        text = _ipynb_text(edition_notebook(nb, edition, source), path.stem)
        new = _sha(text.encode("utf-8"))
        if target.exists():
            current = _sha(target.read_bytes())
            if current == new:
                record[target.name] = new
                continue
            if update == "unmodified" and current != record.get(target.name):
                if kept is not None and new != record.get(target.name):  # the course changed since
                    kept.append(target)
                continue
        out_dir.mkdir(parents=True, exist_ok=True)
        _io.write_text(target, text)
        record[target.name] = new
        written.append(target)
    if record_path.exists() or written or record:
        out_dir.mkdir(parents=True, exist_ok=True)
        _io.write_text(record_path, json.dumps(record, indent=1, sort_keys=True) + "\n")
    return written


def build_editions(out_dir, src_dir=None, install_source: str | None = None, update: str = "unmodified",
                   kept: list | None = None, editions=EDITIONS) -> dict[str, list[Path]]:
    """Write ``out_dir/learner/NN_topic.ipynb`` and ``out_dir/instructor/NN_topic.ipynb`` for every course
    notebook (see :func:`edition_notebook`; ``update`` and ``kept`` as in :func:`write_edition`). Returns
    the files written, per edition."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"{out_dir} is a file; the course's editions need a folder")
    import functools

    read = functools.lru_cache(maxsize=None)(read_notebook)  # each source read once for both editions
    return {edition: write_edition(out_dir / edition, edition, src_dir, install_source, update, kept, read)
            for edition in editions}


def _report_kept(kept) -> None:
    if kept:
        print(f"kept {len(kept)} notebook(s) changed since they were built, although the course has a newer "
              f"version: {', '.join(str(p) for p in kept)} (rename or delete one to get the new version, "
              f"or rebuild with --force)")


def _cmd_build(args) -> int:
    kept: list[Path] = []
    editions = EDITIONS if args.edition == "both" else (args.edition,)
    written = build_editions(args.out, args.src, args.install_source, "all" if args.force else "unmodified",
                             kept, editions)
    for edition, paths in written.items():
        print(f"{edition}: {len(paths)} notebooks in {Path(args.out) / edition}")
    _report_kept(kept)
    return 0


def _cmd_alias(edition):
    def run(args) -> int:
        kept: list[Path] = []
        for path in write_edition(args.out, edition, args.src, args.install_source,
                                  "all" if args.force else "unmodified", kept):
            print(path)
        _report_kept(kept)
        return 0
    return run


def _cmd_check(args) -> int:
    found = []
    for path in notebook_sources(args.src):
        found += exercise_problems(read_notebook(path), path.stem)
    for line in found:
        print(line)
    print(f"{len(found)} problem(s) with the exercise contract" if found else "every exercise follows the contract")
    return 1 if found else 0


def _common(parser, out_default: str) -> None:
    parser.add_argument("--out", default=out_default, help=f"output folder (default: {out_default})")
    parser.add_argument("--src", default=None, help="folder of the NN_topic.py sources (default: the course's)")
    parser.add_argument("--install-source", default=None, metavar="SPEC",
                        help=f"what the first cell installs snnlib from (a pip requirement, e.g. "
                             f"'snnlib @ git+https://...'); default: ${INSTALL_ENV}, else the repository "
                             f"URL in pyproject.toml")
    parser.add_argument("--force", action="store_true",
                        help="rewrite every notebook, also those changed since they were built (default: "
                             "a changed notebook is kept, and named)")


def register(subparsers) -> None:
    """``python -m snnlib course {build,check,student,notebooks}``."""
    course = subparsers.add_parser("course", help="build the notebook course (learner and instructor editions)",
                                   description="Build editions of the notebook course from its NN_topic.py "
                                               "sources (the repository's notebooks/ in a clone, the copy "
                                               "inside the package otherwise).")
    sub = course.add_subparsers(dest="course_command", metavar="ACTION")
    sub.required = True
    build = sub.add_parser(
        "build", help="the learner and instructor editions, as .ipynb",
        description="Write OUT/learner/NN_topic.ipynb (every cell but the solutions) and "
                    "OUT/instructor/NN_topic.ipynb (every cell) for every notebook: plain .ipynb files for "
                    "JupyterLab, Notebook 7, VS Code or Colab. Their first code cell installs snnlib where it "
                    "is missing. A notebook changed since it was built (a learner's work) is kept unless "
                    "--force is given.")
    _common(build, "build/course")
    build.add_argument("--edition", choices=EDITIONS + ("both",), default="both",
                       help="write only this edition (default: both)")
    build.set_defaults(func=_cmd_build)
    check = sub.add_parser("check", help="check the notebooks' exercises against the contract (for authors)",
                           description="Report every exercise cell that breaks the contract of docs/course.md "
                                       "(tags, order stub -> solution -> check, numbers NN.k, Think! answers); "
                                       "exit status 1 when there is one.")
    check.add_argument("--src", default=None, help="folder of the NN_topic.py sources (default: the course's)")
    check.set_defaults(func=_cmd_check)
    for name, edition, default in (("student", "learner", "build/student"), ("notebooks", "instructor", "build/nb")):
        alias = sub.add_parser(name, help=f"the {edition} edition alone, into OUT itself (= build --edition "
                                          f"{edition}, one folder less)",
                               description=f"Write the {edition} edition of 'course build' as OUT/NN_topic.ipynb.")
        _common(alias, default)
        alias.set_defaults(func=_cmd_alias(edition))


# ----------------------------------------------------------------------------- the delay toy (notebook 03)
@dataclass(frozen=True)
class DelayToy:
    """Two inputs, one hidden neuron, two classes: input A (delay D) must meet input B to make a spike.

    Times in steps of ``dt`` = 1 ms. The hidden neuron's spike votes for class 0 (the label), so the
    loss drops when the delayed spike of A arrives within the coincidence window around B.
    """

    t_a: int = 10
    t_b: int = 30
    n_steps: int = 60
    weight: float = 0.6
    tau_mem: float = 0.010
    tau_out: float = 0.030
    d_max: int = 40
    loss_start: int = 30

    def network(self, sigma: float = 1.0, kernel: str = "centered"):
        """``(config, params, x, labels)`` for delay D = 0 on input A (set ``params["D_in"][0, 0]``)."""
        import snnlib

        config = snnlib.SNNConfig(n_in=2, n_hidden=1, n_out=2, delays="synaptic", d_max=self.d_max, sigma=sigma,
                                  kernel=kernel, tau_mem=self.tau_mem, tau_out=self.tau_out, dt=0.001,
                                  loss_start=self.loss_start,
                                  dtype="float64")
        params = snnlib.init_params(config)
        params["W_in"] = np.array([[self.weight, self.weight]])
        params["D_in"] = np.zeros((1, 2))
        params["W_out"] = np.array([[1.0], [-1.0]])
        params["b_out"] = np.zeros(2)
        x = np.zeros((1, self.n_steps, 2))
        x[0, self.t_a, 0] = 1.0
        x[0, self.t_b, 1] = 1.0
        return config, params, x, np.array([0])

    def landscape(self, D_grid, sigma: float = 1.0, kernel: str = "centered", method: str = "fast"):
        """Loss and surrogate gradient ∂E/∂D at each delay of ``D_grid`` (G,).

        ``method``: ``"fast"`` (the online rule's batched engine, :func:`snnlib.online_gradients`,
        the quickest), ``"stepwise"`` (the same rule tick by tick) or ``"bptt"``
        (:func:`snnlib.bptt_gradients`); for this feedforward network all three give the same
        numbers up to rounding (MODEL.md §7).
        Returns ``(loss, gradient, integral)``, each (G,): the true loss of the forward pass (it only
        changes where the integer delay does), the surrogate gradient, and the surrogate's picture of
        the loss — ``loss[0]`` plus the running integral of the gradient (trapezoids).
        """
        import snnlib

        if method not in ("bptt", "stepwise", "fast"):
            raise ValueError(f"unknown method {method!r}; expected 'bptt', 'stepwise' or 'fast'")
        config, params, x, labels = self.network(sigma, kernel)
        D_grid = np.asarray(D_grid, dtype=float)
        loss = np.empty(D_grid.shape)
        grad = np.empty(D_grid.shape)
        for n, D in enumerate(D_grid):
            params["D_in"] = np.array([[D, 0.0]])
            if method == "bptt":
                loss[n], g = snnlib.bptt_gradients(config, params, x, labels)
            else:
                loss[n], g = snnlib.online_gradients(config, params, x, labels, engine=method)
            grad[n] = g["D_in"][0, 0]
        steps = np.diff(D_grid) * 0.5 * (grad[1:] + grad[:-1])
        integral = loss[0] + np.concatenate([[0.0], np.cumsum(steps)])
        return loss, grad, integral

    def firing_delays(self) -> np.ndarray:
        """The integer delays of input A (0 … d_max) for which the hidden neuron fires, by simulation."""
        import snnlib

        config, params, x, _ = self.network()
        fires = []
        for d in range(self.d_max + 1):
            params["D_in"] = np.array([[float(d), 0.0]])
            fires.append(snnlib.forward(config, params, x).z.any())
        return np.nonzero(fires)[0]

    def current_credit(self, D: float, sigma: float = 1.0) -> np.ndarray:
        """(T,) ``u[t] = ∂E/∂I[t]``: the surrogate BPTT's credit for input current at each step, at delay D.

        Read from the weight gradients of zero-weight probe channels, one per step (channel ``2 + t``
        spikes only at step t, so ``∂E/∂W_probe = Σ_t' u[t'] x_probe[t'] = u[t]``); the probes do not
        change the forward pass. The delay gradient is then ``∂E/∂D = W_A Σ_t u[t] h(t − t_a − D)``.
        """
        import snnlib

        config, params, x, labels = self.network(sigma)
        T = self.n_steps
        config = config.replace(n_in=2 + T)
        probes = np.zeros((1, T, T))
        probes[0, np.arange(T), np.arange(T)] = 1.0
        x = np.concatenate([x, probes], axis=2)
        params["W_in"] = np.concatenate([params["W_in"], np.zeros((1, T))], axis=1)
        params["D_in"] = np.concatenate([np.array([[float(D), 0.0]]), np.zeros((1, T))], axis=1)
        _, grads = snnlib.bptt_gradients(config, params, x, labels)
        return grads["W_in"][0, 2:]

    def train_delay(self, schedule, D0: float, n_updates: int = 60, lr: float = 0.5):
        """Learn only input A's delay from ``D0`` with Adam (learning rate ``lr`` steps), weights fixed,
        with the online rule's gradients (:func:`snnlib.online_gradients`, the batched engine).

        ``schedule(update) -> sigma`` gives σ at each update (a constant, or an annealing schedule).
        Returns ``(path, final_loss)``: (n_updates + 1,) delays and the true loss at the end.
        """
        import snnlib

        config, params, x, labels = self.network()
        params["D_in"] = np.array([[float(D0), 0.0]])
        optimizer = snnlib.Adam(config, lr_weights=0.0, lr_delays=lr)
        path = [float(D0)]
        for update in range(n_updates):
            _, grads = snnlib.online_gradients(config.replace(sigma=float(schedule(update))), params, x, labels,
                                               engine="fast")
            optimizer.step(params, {key: g if key == "D_in" else np.zeros_like(g) for key, g in grads.items()})
            path.append(float(params["D_in"][0, 0]))
        return np.array(path), float(snnlib.evaluate(config, params, x, labels)[0])


# ----------------------------------------------------------------------------- tracing one synapse (notebook 04)
def record_synapse(learner, x, labels, j: int = 0, i: int = 0) -> dict[str, np.ndarray]:
    """Drive ``learner`` (an :class:`snnlib.OnlineLearner`) through one sample, tick by tick, and record
    the three factors of synapse ``i → j``.

    x: (1, T, M) spike counts; labels: (1,). Returns {name: (T,) array} with ``x_tilde``, ``v``, ``psi``,
    ``eps``, ``ebar``, ``L`` (at their own step), ``eps_D``, ``ebar_D`` (the delay traces run
    ``learner.lag`` steps behind: the value recorded at step t was computed when the forward pass was
    at t + lag; the last ``lag`` steps are computed by ``finish()`` and recorded as NaN), ``grad_W``,
    ``grad_D`` (the gradient accumulated up to each tick), plus ``lag`` and the final ``grads``.
    Reads the learner's trace arrays (``learner.traces["in"]``); the learner must have no optimiser.
    """
    from snnlib.network import feedback_matrix
    from snnlib.neurons import pseudo_derivative

    if learner.optimizer is not None:
        raise ValueError("record_synapse needs a learner without optimiser (it reports the plain gradient)")
    config, params = learner.config, learner.params
    x = np.asarray(x, dtype=config.np_dtype)
    if x.ndim != 3 or x.shape[0] != 1:
        raise ValueError(f"x must hold one sample, shape (1, T, M); got {x.shape}")
    T = x.shape[1]
    nan = np.full(T, np.nan)
    rec = {key: nan.copy() for key in ("x_tilde", "v", "psi", "eps", "ebar", "L", "eps_D", "ebar_D",
                                       "grad_W", "grad_D")}
    learner.begin(labels, T)
    lag = learner.lag
    traces = learner.traces["in"]
    B_fb = feedback_matrix(config, params)
    for t in range(T):
        out = learner.step(x[:, t])
        x_in = out.x_in[0, j, i] if out.x_in.ndim == 3 else out.x_in[0, i]
        rec["x_tilde"][t] = x_in
        rec["v"][t] = out.v[0, j]
        rec["psi"][t] = pseudo_derivative(out.v, config.threshold, config.gamma, config.surrogate)[0, j]
        err = out.probs[0].copy()
        err[int(labels[0])] -= 1.0
        in_window = t >= config.loss_start
        rec["L"][t] = (err @ B_fb)[j] / (T - config.loss_start) if in_window else 0.0
        rec["eps"][t] = traces.eps[0, min(j, traces.eps.shape[1] - 1), i]
        rec["ebar"][t] = traces.ebar[0, j, i]
        rec["grad_W"][t] = learner.grads["W_in"][j, i]
        if traces.learns_delay and t - lag >= 0:
            rec["eps_D"][t - lag] = traces.eps_D[0, j, i]
            rec["ebar_D"][t - lag] = traces.ebar_D[0, j, i]
            D_grad = learner.grads["D_in"]
            rec["grad_D"][t - lag] = D_grad[j, i] if D_grad.ndim == 2 else D_grad[i]
    loss, grads = learner.finish()
    if not traces.learns_delay:
        for key in ("eps_D", "ebar_D", "grad_D"):
            rec.pop(key)
    rec["lag"] = lag
    rec["loss"] = loss
    rec["grads"] = grads
    return rec
