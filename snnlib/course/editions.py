"""The course's files and editions: where the notebooks are (a clone or the installed package), the rules of
the exercise contract, and the learner and instructor editions with their command line
(``python -m snnlib course build|check``); see :mod:`snnlib.course`.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from snnlib.course.contract import SOLUTION_TAG, cell_tags, exercise_problems

# ----------------------------------------------------------------------------- editions of the course
#: Where the wheel carries the course's files (copied there at build time by setup.py).
PACKAGED_COURSE = Path(__file__).resolve().parents[1] / "_course"


def repository_root() -> Path | None:
    """The checkout this package runs from (the folder holding ``snnlib/``, ``notebooks/`` and snnlib's
    ``pyproject.toml``), or None when snnlib is an installed package (no repository around it)."""
    root = Path(__file__).resolve().parents[2]
    try:
        project = (root / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return None
    ours = re.search(r"""^name\s*=\s*["']snnlib["']""", project, flags=re.M) is not None
    return root if ours and (root / "notebooks").is_dir() else None


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


def read_notebook(path):
    """A course notebook as an nbformat notebook (needs jupytext)."""
    try:
        import jupytext
    except ImportError as exc:  # pragma: no cover - jupytext is in the notebooks/test extras
        raise ValueError("building the course needs jupytext: pip install 'snnlib[notebooks]'") from exc
    return jupytext.read(str(path), fmt="py:percent")


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
    nb.cells = [cell for cell in nb.cells if SOLUTION_TAG not in cell_tags(cell)]
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
