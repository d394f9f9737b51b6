"""``python -m snnlib lab``: open the course in JupyterLab, the way ``make lab`` does, on any OS.

What it starts is ``python -m jupyterlab`` with

- the course's Lab settings: ``JUPYTER_CONFIG_DIR`` points, for this server only, at the repository's
  ``.jupyter/`` (in a clone) or at the copy the package carries (``snnlib/_course/jupyter/``). Those
  settings open the ``NN_topic.py`` sources as notebooks (jupytext) and keep the learner's own Lab
  settings and workspaces in ``~/.jupyter/lab/``; see docs/course.md;
- ``--ip=127.0.0.1``: only this computer can connect;
- token authentication as Jupyter does it by default: the printed URL carries a fresh random token. An
  empty ``JUPYTER_TOKEN`` (which would turn authentication off) is refused;
- the course's **learner edition** (:func:`snnlib.course.build_editions`: every cell except the
  solutions), with ``learner/00_setup_check.ipynb`` opened. It is built into ``build/course/`` in a clone
  and into a per-user folder (``$SNNLIB_COURSE_DIR``, else ``~/snnlib-course``) from an installed package;
  ``--dir DIR`` builds it into ``DIR``. Each start brings the folder up to date with the course's sources
  but never overwrites a notebook the learner changed (it is kept, and named when the course has a newer
  version); see :func:`snnlib.course.write_edition`. ``--edition instructor`` opens the instructor
  edition (with the solutions) from the same folder; ``--edition source`` opens the jupytext sources
  ``notebooks/NN_topic.py`` of a clone, for the course's authors.

Like Jupyter itself it refuses to run as root: serving notebooks with root's rights gives every page
that reaches the server root's rights. ``--allow-root`` passes Jupyter's own switch through for the
cases that need it (a container whose only user is root).
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from snnlib.course import editions

#: Environment variable naming the per-user folder of the built editions.
COURSE_DIR_ENV = "SNNLIB_COURSE_DIR"
FIRST_NOTEBOOK = "00_setup_check"
MISSING_LAB = "JupyterLab is not installed in this Python ({python}); install the course's extra: " \
              "pip install 'snnlib[notebooks]'"


def default_course_dir() -> Path:
    """Where ``lab`` builds the editions outside a clone: ``$SNNLIB_COURSE_DIR``, else ``~/snnlib-course``."""
    value = os.environ.get(COURSE_DIR_ENV, "").strip()
    return Path(value).expanduser() if value else Path.home() / "snnlib-course"


@dataclass(frozen=True)
class LabPlan:
    """What ``lab`` serves: the server's root folder, the file opened first (absolute), the Jupyter
    configuration folder, and the notebooks written to prepare it (empty when nothing was missing)."""

    root_dir: Path
    first: Path
    config_dir: Path
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


#: What ``lab --edition`` can open: a built edition, or the jupytext sources of a clone.
LAB_EDITIONS = editions.EDITIONS + ("source",)
#: Where a clone's editions are built (relative to the repository).
CLONE_DIR = Path("build") / "course"


def plan(directory=None, edition: str = "learner", install_source: str | None = None) -> LabPlan:
    """Decide what to open (see the module docstring), building or updating the editions first."""
    if edition not in LAB_EDITIONS:
        raise ValueError(f"unknown edition {edition!r}; expected one of {', '.join(LAB_EDITIONS)}")
    repo = editions.repository_root()
    if edition == "source":
        if repo is None:
            raise ValueError("--edition source opens the jupytext sources of a clone of the repository, and this "
                             "snnlib is installed without one; use --edition learner or instructor")
        if directory is not None:
            raise ValueError("--edition source opens the repository's notebooks/ itself; leave out --dir")
    config_dir = editions.course_files("jupyter")
    if edition == "source":
        return LabPlan(repo, repo / "notebooks" / f"{FIRST_NOTEBOOK}.py", config_dir)
    if directory is not None:
        folder = Path(directory).expanduser()
    else:
        folder = repo / CLONE_DIR if repo is not None else default_course_dir()
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{folder} is a file; --dir needs a folder for the course's notebooks")
    kept: list[Path] = []
    written = editions.build_editions(folder, install_source=install_source, update="unmodified", kept=kept)
    first = folder / edition / f"{FIRST_NOTEBOOK}.ipynb"
    return LabPlan(folder.resolve(), first.resolve(), config_dir,
                   [p for paths in written.values() for p in paths], kept)


def command(lab: LabPlan, port: int | None = None, no_browser: bool = False, allow_root: bool = False,
            extra: list[str] | None = None) -> list[str]:
    """The ``python -m jupyterlab ...`` command line for ``lab``."""
    cmd = [sys.executable, "-m", "jupyterlab", "--ip=127.0.0.1", f"--ServerApp.root_dir={lab.root_dir}"]
    if port is not None:
        cmd.append(f"--port={port}")
    if no_browser:
        cmd.append("--no-browser")
    if allow_root:
        cmd.append("--allow-root")
    return cmd + list(extra or []) + [str(lab.first)]


def environment(lab: LabPlan, base: dict[str, str] | None = None) -> dict[str, str]:
    """The server's environment: ``base`` (default: this process's) with ``JUPYTER_CONFIG_DIR`` set to
    the course's settings. An empty ``JUPYTER_TOKEN`` would switch authentication off: refused."""
    env = dict(os.environ if base is None else base)
    if "JUPYTER_TOKEN" in env and not env["JUPYTER_TOKEN"].strip():
        raise ValueError("JUPYTER_TOKEN is set but empty, which would turn token authentication off; "
                         "unset it (Jupyter then makes a random token) or give it a value")
    env["JUPYTER_CONFIG_DIR"] = str(lab.config_dir)
    return env


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _cmd_lab(args) -> int:
    if importlib.util.find_spec("jupyterlab") is None:
        raise ValueError(MISSING_LAB.format(python=sys.executable))
    if _is_root() and not args.allow_root:
        raise ValueError("refusing to run as root, as Jupyter does: run it as a normal user, or add "
                         "--allow-root if this is a container whose only user is root")
    if args.port is not None and not 0 < args.port < 65536:
        raise ValueError(f"--port {args.port} is not a TCP port; give a number from 1 to 65535")
    extra = list(args.jupyter_args or [])
    if extra and extra[0] == "--":  # (some Python versions drop the '--' themselves)
        extra = extra[1:]
    elif extra and not extra[0].startswith("-"):
        raise ValueError(f"unexpected argument {extra[0]!r}; options for jupyter lab go after '--' "
                         f"(python -m snnlib lab -- --ServerApp.port_retries=0)")
    lab = plan(args.dir, args.edition, args.install_source)
    cmd = command(lab, args.port, args.no_browser, args.allow_root, extra)
    env = environment(lab)
    if lab.written:
        print(f"built the course into {lab.root_dir} ({len(lab.written)} notebooks)")
    if lab.kept:
        print(f"kept your changes to {', '.join(f'{p.parent.name}/{p.name}' for p in lab.kept)} in {lab.root_dir}, "
              f"although the course has a newer version: rename or delete a notebook to get the new one")
    print(f"course: {lab.first}\nLab settings: {lab.config_dir}")
    if args.dry_run:
        print("would run: JUPYTER_CONFIG_DIR=" + env["JUPYTER_CONFIG_DIR"] + " " + subprocess.list2cmdline(cmd))
        return 0
    sys.stdout.flush()
    # Ctrl-C belongs to Jupyter (it asks before shutting down): this process only waits for it.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return subprocess.call(cmd, env=env, cwd=str(lab.root_dir))
    finally:
        signal.signal(signal.SIGINT, previous)


def register(subparsers) -> None:
    """``python -m snnlib lab``."""
    p = subparsers.add_parser(
        "lab", help="open the course in JupyterLab (127.0.0.1, token) — what 'make lab' does",
        description="Open the course in JupyterLab with the course's Lab settings, listening on 127.0.0.1 "
                    "only, with token authentication (open the printed URL, which carries the token); "
                    "'make lab' runs this. It opens the learner edition, learner/00_setup_check.ipynb (the "
                    "notebooks without their solutions), built into build/course/ in a clone of the "
                    f"repository and into a per-user folder otherwise (${COURSE_DIR_ENV}, else "
                    "~/snnlib-course). Each start updates the editions from the course's sources; a notebook "
                    "you changed is never overwritten. Needs JupyterLab: pip install 'snnlib[notebooks]'. "
                    "Stop the server with Ctrl-C in this terminal.",
        epilog="Like Jupyter, it refuses to run as root: a notebook server runs code with the rights of its "
               "user, and as root every page that reaches it could do anything to the machine. Use a normal "
               "account; --allow-root passes Jupyter's switch through for containers whose only user is "
               "root. Options after '--' go to jupyter lab unchanged, e.g. "
               "'python -m snnlib lab -- --ServerApp.port_retries=0'.")
    p.add_argument("--port", type=int, default=None, help="port to listen on (default: Jupyter's, 8888, or "
                                                          "the next free one)")
    p.add_argument("--no-browser", action="store_true", help="do not open a web browser; open the printed "
                                                              "URL yourself")
    p.add_argument("--dir", default=None, metavar="DIR",
                   help="build the learner and instructor editions into DIR and open them from there (default: "
                        f"build/course/ in a clone, else ${COURSE_DIR_ENV} or ~/snnlib-course)")
    p.add_argument("--edition", choices=LAB_EDITIONS, default="learner",
                   help="what opens: learner (default; no solutions), instructor (with the solutions), or "
                        "source (the jupytext sources notebooks/NN_topic.py of a clone, for authors)")
    p.add_argument("--install-source", default=None, metavar="SPEC",
                   help="where the editions' first cell installs snnlib from when it is missing (see "
                        "'course build --help')")
    p.add_argument("--allow-root", action="store_true", help="let Jupyter run as root (containers only; "
                                                              "see below)")
    p.add_argument("--dry-run", action="store_true", help="prepare the course and print the command, start "
                                                           "nothing")
    p.add_argument("jupyter_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p.set_defaults(func=_cmd_lab)

