"""`python -m snnlib demo` runs headless end to end and its delays really learn the task."""
import re
import subprocess
import sys

import pytest

from snnlib.demo import run_demo


@pytest.mark.slow
def test_demo_command_writes_its_figure(tmp_path):
    done = subprocess.run([sys.executable, "-m", "snnlib", "demo", "--epochs", "3", "--quiet", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, env={"MPLBACKEND": "Agg", **_env()})
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "demo_coincidence.png").stat().st_size > 10_000
    assert re.search(r"test accuracy \d+\.\d% before, \d+\.\d% after 3 epochs", done.stdout)


@pytest.mark.slow
def test_learned_delays_solve_the_coincidence_task_where_weights_alone_do_not():
    delays = run_demo(epochs=40, delays="synaptic", progress=False)
    weights_only = run_demo(epochs=40, delays="none", progress=False)
    assert delays["accuracy_after"] >= 0.95
    assert weights_only["accuracy_after"] <= 0.75
    moved = abs(delays["after"]["D_in"] - delays["before"]["D_in"]).max()
    assert moved > 2.0  # the delays themselves changed by several steps


def _env():
    import os
    return {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
