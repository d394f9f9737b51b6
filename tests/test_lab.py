"""``python -m snnlib lab``: what it would start, decided without starting it.

The server itself is started from an installed wheel by ``tests/test_wheel.py`` (``make test-wheel``).
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from snnlib import cli, course, lab

ROOT = Path(__file__).resolve().parent.parent


def _run(argv, capsys):
    code = cli.main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def not_root(monkeypatch):
    monkeypatch.setattr(lab, "_is_root", lambda: False)


@pytest.fixture
def with_lab(monkeypatch):
    """Pretend JupyterLab is installed (these tests start nothing)."""
    real = importlib.util.find_spec
    monkeypatch.setattr(lab.importlib.util, "find_spec",
                        lambda name, *a: object() if name == "jupyterlab" else real(name, *a))


def test_help_explains_the_command(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["lab", "--help"])
    assert exit_.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for needle in ("127.0.0.1", "token", "--port", "--no-browser", "--dir", "--allow-root", "--dry-run",
                   "pip install 'snnlib[notebooks]'", "make lab", "root"):
        assert needle in text, needle


def test_in_a_clone_it_opens_the_built_learner_edition(capsys, monkeypatch, tmp_path, not_root, with_lab):
    assert lab.CLONE_DIR == Path("build") / "course"  # the clone's folder: ROOT/build/course
    monkeypatch.setattr(lab, "CLONE_DIR", tmp_path / "course")  # (absolute: ROOT / CLONE_DIR is this one)
    monkeypatch.setenv(course.INSTALL_ENV, "snnlib")
    code, out, _ = _run(["lab", "--dry-run", "--port", "9999", "--no-browser"], capsys)
    assert code == 0
    assert f"built the course into {tmp_path / 'course'} (22 notebooks)" in out
    line = next(x for x in out.splitlines() if x.startswith("would run: "))
    assert line.startswith(f"would run: JUPYTER_CONFIG_DIR={ROOT / '.jupyter'} ")
    for part in ("-m jupyterlab", "--ip=127.0.0.1", f"--ServerApp.root_dir={tmp_path / 'course'}", "--port=9999",
                 "--no-browser"):
        assert part in line, part
    first = tmp_path / "course" / "learner" / "00_setup_check.ipynb"
    assert line.endswith(str(first)) and first.exists()
    assert "--allow-root" not in line
    import nbformat

    for path in (tmp_path / "course" / "learner").glob("*.ipynb"):  # the solutions are not in what opens
        assert not any("solution" in c.metadata.get("tags", []) for c in nbformat.read(str(path), as_version=4).cells)


def test_source_edition_opens_the_jupytext_sources_of_a_clone(capsys, monkeypatch, not_root, with_lab):
    code, out, _ = _run(["lab", "--dry-run", "--edition", "source"], capsys)
    assert code == 0 and "built the course" not in out
    line = next(x for x in out.splitlines() if x.startswith("would run: "))
    assert f"--ServerApp.root_dir={ROOT} " in line
    assert line.endswith(str(ROOT / "notebooks" / "00_setup_check.py"))
    code, _, err = _run(["lab", "--dry-run", "--edition", "source", "--dir", "x"], capsys)
    assert code == 2 and "leave out --dir" in err
    monkeypatch.setattr(course.editions, "repository_root", lambda: None)
    code, _, err = _run(["lab", "--dry-run", "--edition", "source"], capsys)
    assert code == 2 and "--edition source opens the jupytext sources of a clone" in err


@pytest.mark.slow
def test_dir_builds_the_editions_once_and_opens_the_learner_edition(tmp_path, monkeypatch, capsys, not_root,
                                                                    with_lab):
    monkeypatch.setenv(course.INSTALL_ENV, "snnlib")
    folder = tmp_path / "my course"
    code, out, _ = _run(["lab", "--dry-run", "--dir", str(folder)], capsys)
    assert code == 0
    assert f"built the course into {folder} (22 notebooks)" in out
    assert f"course: {folder / 'learner' / '00_setup_check.ipynb'}" in out
    (folder / "learner" / "01_coincidence_detection.ipynb").write_text("a learner's work")
    code, out, _ = _run(["lab", "--dry-run", "--dir", str(folder), "--edition", "instructor"], capsys)
    assert code == 0 and "built the course" not in out  # nothing new: nothing written
    assert "kept your changes" not in out  # the course did not change since: nothing to say
    assert f"course: {folder / 'instructor' / '00_setup_check.ipynb'}" in out
    assert (folder / "learner" / "01_coincidence_detection.ipynb").read_text() == "a learner's work"
    # the course changes (another install source): untouched notebooks follow, the learner's work stays
    monkeypatch.setenv(course.INSTALL_ENV, "snnlib==0.1")
    code, out, _ = _run(["lab", "--dry-run", "--dir", str(folder)], capsys)
    assert code == 0 and f"built the course into {folder} (21 notebooks)" in out
    assert "kept your changes to learner/01_coincidence_detection.ipynb in" in out
    assert (folder / "learner" / "01_coincidence_detection.ipynb").read_text() == "a learner's work"
    assert "snnlib==0.1" in (folder / "learner" / "00_setup_check.ipynb").read_text()


def test_outside_a_clone_the_per_user_folder_and_the_packaged_settings(tmp_path, monkeypatch):
    monkeypatch.setattr(course.editions, "repository_root", lambda: None)
    packaged = tmp_path / "_course"
    (packaged / "jupyter").mkdir(parents=True)
    (packaged / "notebooks").mkdir()
    (packaged / "notebooks" / "00_setup_check.py").write_text(
        "# %% [markdown]\n# # 00\n\n# %%\nprint(1)\n")
    monkeypatch.setattr(course.editions, "PACKAGED_COURSE", packaged)
    monkeypatch.setenv(course.INSTALL_ENV, "snnlib")
    monkeypatch.setenv(lab.COURSE_DIR_ENV, str(tmp_path / "per-user"))
    plan = lab.plan()
    assert plan.config_dir == packaged / "jupyter"
    assert plan.root_dir == (tmp_path / "per-user").resolve()
    assert plan.first == plan.root_dir / "learner" / "00_setup_check.ipynb" and plan.first.exists()
    env = lab.environment(plan, base={"PATH": "/bin"})
    assert env == {"PATH": "/bin", "JUPYTER_CONFIG_DIR": str(packaged / "jupyter")}
    monkeypatch.delenv(lab.COURSE_DIR_ENV)
    assert lab.default_course_dir() == Path.home() / "snnlib-course"


def test_arguments_after_a_double_dash_go_to_jupyter(capsys, not_root, with_lab):
    code, out, _ = _run(["lab", "--dry-run", "--", "--ServerApp.port_retries=0"], capsys)
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith("would run: "))
    assert "--ServerApp.port_retries=0" in line and " -- " not in line
    code, _, err = _run(["lab", "--dry-run", "notebooks/01_coincidence_detection.py"], capsys)
    assert code == 2 and "options for jupyter lab go after '--'" in err


def test_root_is_refused_unless_allowed(capsys, monkeypatch, with_lab):
    monkeypatch.setattr(lab, "_is_root", lambda: True)
    code, _, err = _run(["lab", "--dry-run"], capsys)
    assert code == 2 and "refusing to run as root" in err and "--allow-root" in err
    code, out, _ = _run(["lab", "--dry-run", "--allow-root"], capsys)
    assert code == 0 and "--allow-root" in out


def test_missing_jupyterlab_is_one_clear_line(capsys, monkeypatch, not_root):
    real = importlib.util.find_spec
    monkeypatch.setattr(lab.importlib.util, "find_spec",
                        lambda name, *a: None if name == "jupyterlab" else real(name, *a))
    code, out, err = _run(["lab"], capsys)
    assert code == 2 and out == ""
    assert err.strip() == f"error: {lab.MISSING_LAB.format(python=sys.executable)}"
    assert "pip install 'snnlib[notebooks]'" in err


def test_bad_port_and_empty_token_are_refused(capsys, monkeypatch, not_root, with_lab):
    code, _, err = _run(["lab", "--dry-run", "--port", "70000"], capsys)
    assert code == 2 and "--port 70000" in err
    monkeypatch.setenv("JUPYTER_TOKEN", "")
    code, _, err = _run(["lab", "--dry-run"], capsys)
    assert code == 2 and "token authentication off" in err


def test_dir_must_be_a_folder(tmp_path, capsys, not_root, with_lab):
    file = tmp_path / "a-file"
    file.write_text("x")
    code, _, err = _run(["lab", "--dry-run", "--dir", str(file)], capsys)
    assert code == 2 and "is a file" in err
