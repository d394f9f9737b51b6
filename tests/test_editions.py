"""The learner and instructor editions (``python -m snnlib course build``) and their install cell.

Quick checks in the checkout; ``tests/test_wheel.py`` repeats the build from an installed wheel and
executes the editions.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from snnlib import course

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("jupytext")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOURCES = course.notebook_sources(NOTEBOOKS)


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("course")
    written = course.build_editions(out, NOTEBOOKS, install_source="snnlib @ git+https://example.invalid/snnlib")
    return out, written


def test_editions_hold_every_notebook(built):
    out, written = built
    for edition in course.EDITIONS:
        assert [p.name for p in written[edition]] == [f"{p.stem}.ipynb" for p in SOURCES]
        assert all(p.parent == out / edition for p in written[edition])


def test_learner_is_every_cell_but_the_solutions_and_instructor_every_cell_plus_the_install_cell(built):
    out, _ = built
    for source in SOURCES:
        full = course.read_notebook(source)
        expected = {"learner": [c for c in full.cells if course.SOLUTION_TAG not in _tags(c)],
                    "instructor": list(full.cells)}
        for edition, reference in expected.items():
            nb = nbformat.read(str(out / edition / f"{source.stem}.ipynb"), as_version=4)
            nbformat.validate(nb)
            installs = [i for i, c in enumerate(nb.cells) if course.INSTALL_TAG in _tags(c)]
            assert installs == [1], f"{edition}/{source.stem}: the install cell must follow the title cell"
            assert nb.cells[0].cell_type == "markdown" and "You will learn" in nb.cells[0].source
            rest = nb.cells[:1] + nb.cells[2:]
            assert [c.source for c in rest] == [c.source for c in reference], f"{edition}/{source.stem}"
            assert [_tags(c) for c in rest] == [_tags(c) for c in reference]  # no tag added (raises-exception)
            assert "jupytext" not in nb.metadata
            assert nb.metadata["kernelspec"]["name"] == "python3"
            assert nb.metadata["language_info"]["name"] == "python"
    solutions = sum(course.SOLUTION_TAG in _tags(c) for p in out.glob("instructor/*.ipynb")
                    for c in nbformat.read(str(p), as_version=4).cells)
    assert solutions >= 10
    assert not any(course.SOLUTION_TAG in _tags(c) for p in out.glob("learner/*.ipynb")
                   for c in nbformat.read(str(p), as_version=4).cells)


def test_the_same_sources_give_the_same_bytes(built, tmp_path):
    out, _ = built
    again = course.build_editions(tmp_path, NOTEBOOKS, install_source="snnlib @ git+https://example.invalid/snnlib")
    for edition, paths in again.items():
        for path in paths:
            assert path.read_bytes() == (out / edition / path.name).read_bytes(), f"{edition}/{path.name}"


def test_a_rebuild_updates_the_course_but_keeps_a_learners_changes(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for source in SOURCES[:2]:
        (src / source.name).write_bytes(source.read_bytes())
    out = tmp_path / "out"
    first = course.build_editions(out, src, install_source="snnlib")
    assert [len(p) for p in first.values()] == [2, 2]
    mine, untouched = first["learner"][1], first["instructor"][1]
    mine.write_text("my work")
    kept = []
    assert course.build_editions(out, src, install_source="snnlib", kept=kept) == {"learner": [], "instructor": []}
    assert mine.read_text() == "my work" and kept == []  # nothing new in the course: nothing to say
    # the course changes: the untouched notebooks are rewritten, the learner's changed one is kept and named
    changed = src / SOURCES[1].name
    changed.write_text(changed.read_text() + "\n# %% [markdown]\n# A new closing remark.\n")
    second = course.build_editions(out, src, install_source="snnlib", kept=kept)
    assert second == {"learner": [], "instructor": [untouched]}
    assert "A new closing remark." in untouched.read_text()
    assert mine.read_text() == "my work" and kept == [mine]
    # missing notebooks are written whatever the rule
    mine.unlink()
    third = course.build_editions(out, src, install_source="snnlib", update="missing")
    assert third == {"learner": [mine], "instructor": []}
    assert "A new closing remark." in mine.read_text()
    # a notebook found without a record of its build (an older folder) counts as the learner's
    mine.write_text("my work")
    (out / "learner" / course.MANIFEST).unlink()
    kept = []
    assert course.build_editions(out, src, install_source="snnlib", kept=kept)["learner"] == []
    assert mine.read_text() == "my work" and kept == [mine]
    # update="all" (course build --force) rewrites it
    assert course.build_editions(out, src, install_source="snnlib", update="all")["learner"] == [mine]  # 00 is as built
    assert nbformat.read(str(mine), as_version=4).cells[0].cell_type == "markdown"
    with pytest.raises(ValueError, match="unknown update rule"):
        course.build_editions(out, src, install_source="snnlib", update="sometimes")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="is a file"):
        course.build_editions(tmp_path / "file", src, install_source="snnlib")


def _run_cell(code: str, hide_snnlib: bool, source: str) -> subprocess.CompletedProcess:
    """Run an install cell's code in a fresh Python; ``hide_snnlib`` makes ``import snnlib`` fail there."""
    prelude = "import sys\nsys.modules['snnlib'] = None\n" if hide_snnlib else ""
    env = {"SNNLIB_INSTALL_SOURCE": source, "PATH": "/usr/bin:/bin", "PIP_NO_INDEX": "1",
           "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True, env=env,
                          timeout=120)


def test_install_cell_does_nothing_where_snnlib_imports():
    cell = course.install_cell("snnlib @ git+https://example.invalid/snnlib")
    assert cell.metadata["tags"] == [course.INSTALL_TAG]
    result = _run_cell(cell.source, hide_snnlib=False, source="/nowhere/snnlib.whl")
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""


def test_install_cell_installs_from_the_configured_source_where_snnlib_is_missing(tmp_path):
    cell = course.install_cell("snnlib @ git+https://example.invalid/snnlib")
    missing = tmp_path / "no-such-snnlib.whl"
    result = _run_cell(cell.source, hide_snnlib=True, source=str(missing))
    assert result.returncode != 0
    assert f"installing snnlib from {missing}" in result.stdout
    assert f"could not install snnlib from '{missing}'" in result.stderr  # pip really was asked, and failed


def test_install_cell_bakes_in_the_build_source():
    cell = course.install_cell("snnlib==0.1.0")
    assert "or 'snnlib==0.1.0'" in cell.source
    with pytest.raises(ValueError, match="one pip requirement"):
        course.install_cell("a\nb")


def test_default_install_source_is_the_repository_of_pyproject(monkeypatch):
    monkeypatch.delenv(course.INSTALL_ENV, raising=False)
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    assert {"Homepage", "Repository", "Documentation"} <= set(urls)
    assert course.default_install_source() == f"snnlib @ git+{urls['Repository']}"
    monkeypatch.setenv(course.INSTALL_ENV, "snnlib==9.9")
    assert course.default_install_source() == "snnlib==9.9"


def test_course_files_in_a_clone_are_the_repository_folders():
    assert course.repository_root() == ROOT
    assert course.course_files("notebooks") == NOTEBOOKS
    assert course.course_files("jupyter") == ROOT / ".jupyter"
    assert course.notebook_sources() == SOURCES
    with pytest.raises(ValueError, match="unknown kind"):
        course.course_files("slides")


def test_outside_a_clone_the_packaged_copy_is_used(tmp_path, monkeypatch):
    """What an installed package sees: no repository around it, the course files inside the package."""
    packaged = tmp_path / "_course"
    (packaged / "notebooks").mkdir(parents=True)
    (packaged / "notebooks" / "00_x.py").write_text("# %%\n1\n")
    monkeypatch.setattr(course.editions, "repository_root", lambda: None)
    monkeypatch.setattr(course.editions, "PACKAGED_COURSE", packaged)
    assert course.notebook_sources() == [packaged / "notebooks" / "00_x.py"]
    with pytest.raises(ValueError, match="lacks the course files"):
        course.course_files("jupyter")


def test_cli_course_build(tmp_path, capsys):
    from snnlib import cli

    assert cli.main(["course", "build", "--out", str(tmp_path), "--src", str(NOTEBOOKS),
                     "--install-source", "snnlib"]) == 0
    out = capsys.readouterr().out
    assert f"learner: {len(SOURCES)} notebooks" in out and f"instructor: {len(SOURCES)} notebooks" in out
    assert len(list((tmp_path / "instructor").glob("*.ipynb"))) == len(SOURCES)
