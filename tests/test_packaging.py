"""The conda environment and the pip packaging name the same packages and lower bounds."""
import re
import sys
from pathlib import Path

import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def requirement(text):
    name, bound = re.fullmatch(r"([A-Za-z0-9_.\-\[\]]+)\s*(>=\s*[\d.]+)?", text.strip()).groups()
    return re.sub(r"\[.*\]", "", name).lower().replace("_", "-"), (bound or "").replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    wanted = project["dependencies"] + extras["notebooks"] + extras["test"] + extras["fast"] + extras["dask"]
    pip_side = dict(requirement(r) for r in wanted if ";" not in r)  # markers: older Pythons only
    if "dask" in pip_side:  # conda-forge splits dask[distributed] into two packages
        pip_side["distributed"] = pip_side["dask"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_side = dict(requirement(d) for d in env["dependencies"]
                      if isinstance(d, str) and not d.startswith(("python", "pip")))
    assert conda_side == pip_side
    assert any(isinstance(d, dict) and "-e ." in d.get("pip", []) for d in env["dependencies"])
    py = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert py.replace("python", "") == project["requires-python"]


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^(make \w[\w-]*)$", quick, flags=re.M)
    assert commands == ["make lab", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()
