"""Helpers for the notebook course itself: the fast-mode switch, widget detection, small demo models,
and the builders of the executable and student editions.

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

    python -m snnlib course build --out DIR               # DIR/learner/ and DIR/instructor/ (.ipynb)
    python -m snnlib course student  --out build/student   # notebooks without solution cells (make student)
    python -m snnlib course notebooks --out build/nb       # every notebook as .ipynb, for nbval

``course build`` writes the two editions a course is taught from, each notebook a plain ``.ipynb`` that
opens without the repository's Jupyter configuration (JupyterLab, Notebook 7, VS Code, Colab): the
**learner** edition (no solution cells, as ``course student``) and the **instructor** edition (every
cell, as ``course notebooks``). Both start with a cell that installs snnlib where it is missing
(:func:`install_cell`). The course's sources travel inside the package, so this works from an installed
snnlib as well as from a clone (:func:`course_files`).

Cell tags used by the course (see docs/course.md): ``solution`` (removed from the student edition),
``raises-exception`` (an exercise stub that raises ``NotImplementedError``), ``exercise-check``
(checks a solution; raises in the student edition until the exercise is solved, so it gets the
``raises-exception`` tag there), ``nbval-ignore-output`` (plot-only cells).
"""
from __future__ import annotations

import importlib
import os
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
    import re

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


def student_notebook(nb):
    """A copy of ``nb`` without its solution cells; exercise checks are tagged ``raises-exception``.

    Every stub must be followed (not necessarily immediately) by a solution; a notebook whose
    exercise checks have no stub before them is refused, so the student edition cannot end up with
    a check that can never pass.
    """
    import copy

    nb = copy.deepcopy(nb)
    cells = []
    stubs = 0
    for cell in nb.cells:
        tags = _cell_tags(cell)
        if SOLUTION_TAG in tags:
            continue
        if RAISES_TAG in tags:
            stubs += 1
        if CHECK_TAG in tags:
            if not stubs:
                raise ValueError("an exercise-check cell comes before any exercise stub (raises-exception)")
            cell.metadata["tags"] = tags + ([RAISES_TAG] if RAISES_TAG not in tags else [])
        cells.append(cell)
    nb.cells = cells
    return nb


def _write_ipynb(nb, path: Path) -> Path:
    import nbformat

    path.parent.mkdir(parents=True, exist_ok=True)
    nb.metadata.pop("jupytext", None)
    nb.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                          "language": "python"})
    nbformat.validate(nb)
    nbformat.write(nb, str(path))
    return path


def build_notebooks(out_dir, src_dir=None) -> list[Path]:
    """Write every course notebook, solutions included, as ``.ipynb`` into ``out_dir`` (for nbval)."""
    out_dir = Path(out_dir)
    return [_write_ipynb(read_notebook(p), out_dir / f"{p.stem}.ipynb") for p in notebook_sources(src_dir)]


def build_student(out_dir, src_dir=None) -> list[Path]:
    """Write the student edition (no solution cells) as ``.ipynb`` into ``out_dir``."""
    out_dir = Path(out_dir)
    return [_write_ipynb(student_notebook(read_notebook(p)), out_dir / f"{p.stem}.ipynb")
            for p in notebook_sources(src_dir)]


# ----------------------------------------------------------------------------- learner and instructor editions
#: Environment variable naming where the editions' first cell installs snnlib from (a pip requirement).
INSTALL_ENV = "SNNLIB_INSTALL_SOURCE"
#: Tag of the first code cell of a built edition (installs snnlib where it is missing).
INSTALL_TAG = "install-snnlib"
#: The two editions ``course build`` writes, each into a folder of that name.
EDITIONS = ("learner", "instructor")


def project_urls() -> dict[str, str]:
    """``[project.urls]`` of snnlib: from the repository's pyproject.toml in a clone, else from the
    installed package's metadata (``Project-URL``). Empty when neither declares any."""
    root = repository_root()
    if root is not None:
        text = (root / "pyproject.toml").read_text(encoding="utf-8")
        try:
            import tomllib
        except ImportError:  # Python 3.10: read the table by hand (key = "value" lines)
            import re

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


def edition_notebook(nb, edition: str, source: str | None = None):
    """``nb`` as the ``"learner"`` edition (:func:`student_notebook`) or the ``"instructor"`` edition
    (every cell), with :func:`install_cell` as its first code cell (after the opening Markdown cell)."""
    import copy

    if edition not in EDITIONS:
        raise ValueError(f"unknown edition {edition!r}; expected one of {', '.join(EDITIONS)}")
    nb = student_notebook(nb) if edition == "learner" else copy.deepcopy(nb)
    at = 1 if nb.cells and nb.cells[0].cell_type == "markdown" else 0
    nb.cells.insert(at, install_cell(source))
    nb.metadata.setdefault("language_info", {"name": "python"})  # VS Code and Colab read the language here
    return nb


def build_editions(out_dir, src_dir=None, install_source: str | None = None,
                   overwrite: bool = True) -> dict[str, list[Path]]:
    """Write ``out_dir/learner/NN_topic.ipynb`` and ``out_dir/instructor/NN_topic.ipynb`` for every course
    notebook (see :func:`edition_notebook`). With ``overwrite=False`` existing files are kept (a learner's
    work) and only missing ones are written. Returns the files written, per edition."""
    out_dir = Path(out_dir)
    source = install_source if install_source is not None else default_install_source()
    written: dict[str, list[Path]] = {edition: [] for edition in EDITIONS}
    for path in notebook_sources(src_dir):
        nb = None
        for edition in EDITIONS:
            target = out_dir / edition / f"{path.stem}.ipynb"
            if target.exists() and not overwrite:
                continue
            nb = nb if nb is not None else read_notebook(path)
            written[edition].append(_write_ipynb(edition_notebook(nb, edition, source), target))
    return written


def _cmd_build(args) -> int:
    written = build_editions(args.out, args.src, args.install_source)
    for edition, paths in written.items():
        print(f"{edition}: {len(paths)} notebooks in {Path(args.out) / edition}")
    return 0


def _cmd_student(args) -> int:
    for path in build_student(args.out, args.src):
        print(path)
    return 0


def _cmd_notebooks(args) -> int:
    for path in build_notebooks(args.out, args.src):
        print(path)
    return 0


def register(subparsers) -> None:
    """``python -m snnlib course {build,student,notebooks}``."""
    course = subparsers.add_parser("course", help="build the notebook course (learner and instructor editions)",
                                   description="Build editions of the notebook course from its NN_topic.py "
                                               "sources (the repository's notebooks/ in a clone, the copy "
                                               "inside the package otherwise).")
    sub = course.add_subparsers(dest="course_command", metavar="ACTION")
    sub.required = True
    build = sub.add_parser(
        "build", help="the learner and instructor editions, as .ipynb",
        description="Write OUT/learner/NN_topic.ipynb (no solutions) and OUT/instructor/NN_topic.ipynb "
                    "(with solutions) for every notebook: plain .ipynb files for JupyterLab, Notebook 7, "
                    "VS Code or Colab. Their first code cell installs snnlib where it is missing.")
    build.add_argument("--out", default="build/course", help="output folder (default: build/course)")
    build.add_argument("--src", default=None, help="folder of the NN_topic.py sources (default: the course's)")
    build.add_argument("--install-source", default=None, metavar="SPEC",
                       help=f"what the first cell installs snnlib from (a pip requirement, e.g. "
                            f"'snnlib @ git+https://...'); default: ${INSTALL_ENV}, else the repository "
                            f"URL in pyproject.toml")
    build.set_defaults(func=_cmd_build)
    student = sub.add_parser("student", help="notebooks without solution cells, as .ipynb (make student)",
                             description="Write the student edition: every notebook without its solution "
                                         "cells (the learner edition of 'course build', without its first "
                                         "install cell).")
    student.add_argument("--out", default="build/student", help="output folder (default: build/student)")
    student.add_argument("--src", default=None, help="folder of the NN_topic.py sources (default: the course's)")
    student.set_defaults(func=_cmd_student)
    full = sub.add_parser("notebooks", help="every notebook with solutions, as .ipynb (for nbval)",
                          description="Write every course notebook, solutions included, as .ipynb (the "
                                      "instructor edition of 'course build', without its first install cell).")
    full.add_argument("--out", default="build/nb", help="output folder (default: build/nb)")
    full.add_argument("--src", default=None, help="folder of the NN_topic.py sources (default: the course's)")
    full.set_defaults(func=_cmd_notebooks)


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

    def landscape(self, D_grid, sigma: float = 1.0, kernel: str = "centered", method: str = "bptt"):
        """Loss and surrogate gradient ∂E/∂D at each delay of ``D_grid`` (G,).

        ``method``: ``"bptt"`` (:func:`snnlib.bptt_gradients`, the quickest for a single tiny
        network), ``"stepwise"`` or ``"fast"`` (:func:`snnlib.online_gradients`); for this
        feedforward network all three give the same numbers (MODEL.md §7).
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
        """Learn only input A's delay from ``D0`` with Adam (learning rate ``lr`` steps), weights fixed.

        ``schedule(update) -> sigma`` gives σ at each update (a constant, or an annealing schedule).
        Returns ``(path, final_loss)``: (n_updates + 1,) delays and the true loss at the end.
        """
        import snnlib

        config, params, x, labels = self.network()
        params["D_in"] = np.array([[float(D0), 0.0]])
        optimizer = snnlib.Adam(config, lr_weights=0.0, lr_delays=lr)
        path = [float(D0)]
        for update in range(n_updates):
            _, grads = snnlib.bptt_gradients(config.replace(sigma=float(schedule(update))), params, x, labels)
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
