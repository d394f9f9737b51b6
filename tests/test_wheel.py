"""The course from an installed wheel, outside the repository (``make test-wheel``; opt-in: ``SNNLIB_WHEEL=1``).

A wheel is built, installed into a fresh virtual environment (``tests/wheel_env.py``) and used from a
temporary folder outside the checkout, with no project Jupyter configuration and a fresh HOME:

- the wheel carries the course's sources and Lab settings, byte for byte, and the project URLs;
- ``python -m snnlib lab --help`` (and the ``snnlib`` console script) explain the command; ``lab`` serves the
  built editions on 127.0.0.1 with the course's Lab settings, and refuses requests without the token;
- ``python -m snnlib course build`` writes both editions from the installed package;
- the editions' install cell installs snnlib into an environment that lacks it;
- learner notebooks 00–05 and instructor notebook 03 are executed by plain nbclient (``SNNLIB_FAST=1
  SNNLIB_STATIC=1``): no error output at all, nothing on stderr; the instructor's exercise checks print their
  success lines (``Exercise 03.k: correct``) and the learner's never do.

Executed notebooks are kept in ``build/wheel/executed/``; the seconds of each step in
``build/wheel/timings.txt``.
"""
from __future__ import annotations

import json
import re
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

import wheel_env

nbformat = pytest.importorskip("nbformat")

pytestmark = [pytest.mark.packaging, pytest.mark.skipif(not wheel_env.requested(), reason=wheel_env.SKIP_REASON)]

REPO = wheel_env.REPO
LEARNER_RUN = ("00_setup_check", "01_coincidence_detection", "02_delays_in_networks", "03_gaussian_surrogate",
               "04_eligibility_traces", "05_three_factor_learning")
INSTRUCTOR_RUN = ("03_gaussian_surrogate",)
LONGEST = "05_three_factor_learning"  # runs beside the others
SUCCESS_LINE = re.compile(r"^Exercise \d\d\.\d+: correct$", re.M)

# Executed by the venv's python: nbclient with the default python3 kernel, every error kept in the outputs.
RUNNER = r'''
import json, sys, time, traceback
from pathlib import Path

import nbformat
from nbclient import NotebookClient

report = {}
for src, dst in zip(sys.argv[1::2], sys.argv[2::2]):
    nb = nbformat.read(src, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(Path(src).parent)}})
    start = time.perf_counter()
    try:
        client.execute()
        failure = None
    except Exception:
        failure = traceback.format_exc(limit=3)
    report[src] = {"seconds": time.perf_counter() - start, "failure": failure}
    nbformat.write(nb, dst)
print(json.dumps(report))
'''

PROBE = """import sys, snnlib
from snnlib import course, data
print("python", sys.executable)
print("snnlib", snnlib.__file__)
print("repository", course.repository_root())
print("data", data.resolve_data_dir())"""


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _log_time(name: str, seconds: float) -> None:
    with open(wheel_env.WORK / "timings.txt", "a") as f:
        f.write(f"{seconds:7.1f} s  {name}\n")


@pytest.fixture(scope="module")
def env():
    prepared = wheel_env.wheel_env()
    for name, seconds in prepared.timings.items():
        _log_time(name, seconds)
    return prepared


@pytest.fixture(scope="module")
def editions(env):
    start = time.monotonic()
    result = env.run("python", "-m", "snnlib", "course", "build", "--out", "editions")
    _log_time("course build (22 notebooks)", time.monotonic() - start)
    assert "learner: 11 notebooks" in result.stdout and "instructor: 11 notebooks" in result.stdout, result.stdout
    return env.outside / "editions"


@pytest.fixture(scope="module")
def executed(env, editions):
    """Run the probe, learner 00–05 and instructor 03 in one go; {(edition, stem): executed notebook}."""
    out = wheel_env.WORK / "executed"
    out.mkdir(parents=True, exist_ok=True)
    probe = nbformat.v4.new_notebook()
    probe.cells = [nbformat.v4.new_code_cell(PROBE)]
    probe.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(probe, str(editions / "probe.ipynb"))
    jobs = [("probe", "probe", editions / "probe.ipynb")]
    jobs += [("learner", stem, editions / "learner" / f"{stem}.ipynb") for stem in LEARNER_RUN]
    jobs += [("instructor", stem, editions / "instructor" / f"{stem}.ipynb") for stem in INSTRUCTOR_RUN]
    runner = env.outside / "run_notebooks.py"
    runner.write_text(RUNNER)
    # Two runners side by side (two cores): learner 05, the longest, alone; everything else in the other.
    groups = [[j for j in jobs if (j[0], j[1]) == ("learner", LONGEST)],
              [j for j in jobs if (j[0], j[1]) != ("learner", LONGEST)]]
    start = time.monotonic()
    processes = []
    for group in groups:
        args = [a for edition, stem, path in group for a in (str(path), str(out / f"{edition}_{stem}.ipynb"))]
        processes.append(subprocess.Popen(
            [str(env.python), str(runner), *args], cwd=env.outside, text=True, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
            env=env.environ(SNNLIB_FAST="1", SNNLIB_STATIC="1", PYTHONWARNINGS="default")))
    report = {}
    for process in processes:
        stdout, stderr = process.communicate(timeout=1800)
        assert process.returncode == 0, f"the notebook runner failed ({process.returncode}):\n{stderr[-3000:]}"
        report.update(json.loads(stdout.strip().splitlines()[-1]))
    _log_time("execute probe, learner 00-05, instructor 03 (two at a time)", time.monotonic() - start)
    notebooks = {}
    for edition, stem, path in jobs:
        entry = report[str(path)]
        _log_time(f"  {edition} {stem}", entry["seconds"])
        assert entry["failure"] is None, f"{edition} {stem} did not run to the end:\n{entry['failure']}"
        notebooks[(edition, stem)] = nbformat.read(str(out / f"{edition}_{stem}.ipynb"), as_version=4)
    return notebooks


def problems(nb) -> list[str]:
    """Every error output and every write to stderr (no cell of either edition may raise: an unanswered
    exercise's check prints that it is not answered yet and goes on)."""
    found = []
    for n, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        where = f"code cell {n} ({cell.source.strip().splitlines()[0][:60]!r})" if cell.source.strip() else f"cell {n}"
        if "raises-exception" in _tags(cell):
            found.append(f"{where}: tagged raises-exception; no cell of an edition may expect an error")
        for output in cell.outputs:
            if output.output_type == "error":
                found.append(f"{where}: {output.ename}: {output.evalue}")
            elif output.output_type == "stream" and output.name == "stderr":
                found.append(f"{where}: wrote to stderr: {output.text.strip()[:300]}")
    return found


# ----------------------------------------------------------------------------- the wheel itself
def test_wheel_carries_the_course(env):
    with zipfile.ZipFile(env.wheel) as wheel:
        names = set(wheel.namelist())
        for source in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.py")) + [REPO / "notebooks" / "jupytext.toml"]:
            member = f"snnlib/_course/notebooks/{source.name}"
            assert member in names, f"the wheel lacks {member}"
            assert wheel.read(member) == source.read_bytes(), f"{member} differs from notebooks/{source.name}"
        for source in (".jupyter/jupyter_lab_config.py", ".jupyter/lab/settings/overrides.json", ".jupyter/migrated"):
            member = "snnlib/_course/jupyter/" + source.removeprefix(".jupyter/")
            assert member in names and wheel.read(member) == (REPO / source).read_bytes(), f"{member} missing or stale"
        metadata = wheel.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    urls = dict(line.removeprefix("Project-URL: ").split(", ", 1) for line in metadata.splitlines()
                if line.startswith("Project-URL: "))
    assert {"Homepage", "Repository", "Documentation"} <= set(urls), urls
    assert not any(n.startswith(("tests/", "notebooks/", "build/")) for n in names)


def test_the_installed_package_is_used(env):
    result = env.run("python", "-c", "import snnlib, snnlib.course as c; print(snnlib.__file__); "
                                     "print(c.repository_root()); print(c.course_files('notebooks'))")
    file, root, notebooks = result.stdout.split("\n")[:3]
    venv = str(env.python.parent.parent)
    assert file.startswith(venv) and "site-packages" in file, file
    assert root == "None"
    assert notebooks.startswith(venv) and notebooks.endswith("_course/notebooks"), notebooks


# ----------------------------------------------------------------------------- python -m snnlib lab
def test_lab_help(env):
    for cmd in (("python", "-m", "snnlib", "lab", "--help"), (str(env.bin / "snnlib"), "lab", "--help")):
        text = " ".join(env.run(*cmd).stdout.split())
        for needle in ("127.0.0.1", "token", "--port", "--no-browser", "--dir", "--allow-root",
                       "pip install 'snnlib[notebooks]'", "make lab"):
            assert needle in text, f"{' '.join(cmd[-3:])} does not mention {needle!r}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, token: str | None = None):
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"token {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None


def test_lab_serves_the_built_course_with_its_settings(env):
    import os

    token = secrets.token_hex(16)
    port = _free_port()
    course_dir = env.outside / "course-lab"
    cmd = [str(env.python), "-m", "snnlib", "lab", "--no-browser", f"--port={port}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # CI runs as root; a learner never needs this
    cmd += ["--", "--ServerApp.port_retries=0"]
    log = open(env.outside / "lab.log", "w+")
    process = subprocess.Popen(cmd, cwd=env.outside, env=env.environ(JUPYTER_TOKEN=token,
                                                                         SNNLIB_COURSE_DIR=str(course_dir)),
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert process.poll() is None, f"lab exited with {process.returncode}: {log.seek(0) or log.read()[-3000:]}"
            try:
                if _get(base + "api/status", token)[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            raise AssertionError(f"lab did not answer within 90 s: {log.seek(0) or log.read()[-3000:]}")
        assert _get(base + "api/contents")[0] == 403, "the server answered without its token"
        status, listing = _get(base + "api/contents/learner", token)
        assert status == 200
        assert sorted(item["name"] for item in listing["content"])[:1] == ["00_setup_check.ipynb"]
        # The course's Lab settings are in force (JUPYTER_CONFIG_DIR of the package's copy): .py files open
        # as notebooks by default, a setting the empty configuration folder of this environment lacks.
        status, plugin = _get(base + "lab/api/settings/@jupyterlab/docmanager-extension:plugin", token)
        assert status == 200
        assert plugin["schema"]["properties"]["defaultViewers"]["default"] == {"python": "Jupytext Notebook"}
        log.seek(0)
        text = log.read()
        assert "http://127.0.0.1:" in text and "learner/00_setup_check.ipynb" in text, text[-3000:]
    finally:
        try:
            req = urllib.request.Request(base + "api/shutdown", method="POST", data=b"",
                                         headers={"Authorization": f"token {token}"})
            urllib.request.urlopen(req, timeout=5).close()
            process.wait(timeout=15)
        except Exception:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        log.close()


# ----------------------------------------------------------------------------- the editions
def test_course_build_writes_both_editions(editions):
    for edition in ("learner", "instructor"):
        stems = sorted(p.stem for p in (editions / edition).glob("*.ipynb"))
        assert stems == sorted(p.stem for p in (REPO / "notebooks").glob("[0-9][0-9]_*.py")), (edition, stems)
        for path in (editions / edition).glob("*.ipynb"):
            nb = nbformat.read(str(path), as_version=4)
            nbformat.validate(nb)
            code = [c for c in nb.cells if c.cell_type == "code"]
            assert "install-snnlib" in _tags(code[0]), f"{edition}/{path.name}: no install cell first"
            assert "jupytext" not in nb.metadata and nb.metadata["kernelspec"]["name"] == "python3"
            has_solutions = any("solution" in _tags(c) for c in nb.cells)
            assert has_solutions == (edition == "instructor" and path.stem != "00_setup_check"), path


@pytest.mark.parametrize("stem", LEARNER_RUN)
def test_learner_edition_runs_to_the_end(executed, stem):
    nb = executed[("learner", stem)]
    found = problems(nb)
    assert not found, f"learner {stem}:\n" + "\n".join(found)
    for cell in (c for c in nb.cells if "exercise-check" in _tags(c)):
        printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        assert not SUCCESS_LINE.search(printed), f"learner {stem}: an unanswered exercise was reported correct"
    install = next(c for c in nb.cells if "install-snnlib" in _tags(c))
    assert install.outputs == [], f"the install cell printed {install.outputs} although snnlib is installed"


@pytest.mark.parametrize("stem", INSTRUCTOR_RUN)
def test_instructor_edition_checks_pass(executed, stem):
    nb = executed[("instructor", stem)]
    found = problems(nb)
    assert not found, f"instructor {stem}:\n" + "\n".join(found)
    checks = [c for c in nb.cells if "exercise-check" in _tags(c)]
    assert checks, f"instructor {stem} has no exercise check"
    for cell in checks:
        printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")
        assert SUCCESS_LINE.search(printed), f"an exercise check of {stem} did not print its success line: {printed!r}"


def test_kernel_used_the_installed_package(executed, env):
    text = "".join(o.get("text", "") for o in executed[("probe", "probe")].cells[0].outputs)
    lines = dict(line.split(" ", 1) for line in text.strip().splitlines())
    venv = str(env.python.parent.parent)
    assert lines["python"].startswith(venv), text
    assert lines["snnlib"].startswith(venv), text
    assert lines["repository"] == "None", text
    # the offline datasets go to the per-user data folder (here: the fresh HOME's cache), not a repository
    assert lines["data"] == str(env.outside / "home" / ".cache" / "snnlib"), text


def test_install_cell_installs_where_snnlib_is_missing(env, editions):
    """The first cell in an environment that has a notebook stack but not snnlib (a fresh Colab runtime, a
    hub image): it installs snnlib from the configured source, then does nothing once snnlib imports, and
    says what failed when the source is wrong. Runs last: it uninstalls snnlib from the venv for a moment."""
    nb = nbformat.read(str(editions / "learner" / "01_coincidence_detection.ipynb"), as_version=4)
    cell = next(c for c in nb.cells if "install-snnlib" in _tags(c)).source
    script = env.outside / "install_cell.py"
    script.write_text(cell + "\nprint('imported', snnlib.__file__)\n")
    try:
        env.run("python", "-m", "pip", "uninstall", "--yes", "--quiet", "snnlib")
        failed = env.run("python", str(script), check=False, SNNLIB_INSTALL_SOURCE="/nowhere/snnlib.whl")
        assert failed.returncode != 0, failed.stdout
        assert "could not install snnlib from '/nowhere/snnlib.whl'" in failed.stderr, failed.stderr[-2000:]
        start = time.monotonic()
        result = env.run("python", str(script), SNNLIB_INSTALL_SOURCE=str(env.wheel))
        _log_time("install cell where snnlib is missing", time.monotonic() - start)
        assert f"installing snnlib from {env.wheel}" in result.stdout
        assert f"imported {env.python.parent.parent}" in result.stdout, result.stdout
        again = env.run("python", str(script), SNNLIB_INSTALL_SOURCE="/nowhere/snnlib.whl")
        assert again.stdout.startswith("imported"), "the install cell must do nothing where snnlib imports"
    finally:  # leave the venv as it was for the Notebook 7 test
        if env.run("python", "-c", "import snnlib", check=False).returncode:
            env.run("python", "-m", "pip", "install", "--quiet", "--no-deps", str(env.wheel))
