"""JupyterLab settings of the course: `make lab` (= `python -m snnlib lab`) runs `jupyter lab` with
JUPYTER_CONFIG_DIR=<repo>/.jupyter (or the package's copy, snnlib/_course/jupyter/, outside a clone).

It opens the learner edition (built .ipynb, no solutions) from build/course/ in a clone, ~/snnlib-course
otherwise; `--edition instructor` the instructor edition, `--edition source` the jupytext sources.
The settings:

- Python files open as notebooks by default: the course's text notebooks (notebooks/NN_topic.py,
  jupytext py:percent) are read by jupytext's contents manager, and the default viewer for the
  "python" file type is jupytext's "Jupytext Notebook" (lab/settings/overrides.json, read as the
  application-settings overrides). Right-click → Open With → Editor still opens the plain text.
- The learner's own Lab settings and workspaces stay where Jupyter keeps them without this folder
  (~/.jupyter/lab/...), so nothing is written into the repository and personal settings still apply.
"""
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
c = get_config()  # noqa: F821 - provided by the traitlets config loader

c.LabApp.app_settings_dir = str(HERE / "lab" / "settings")
_home = Path(os.environ.get("SNNLIB_USER_JUPYTER_DIR", Path.home() / ".jupyter")).expanduser()
c.LabApp.user_settings_dir = os.environ.get("JUPYTERLAB_SETTINGS_DIR", str(_home / "lab" / "user-settings"))
c.LabApp.workspaces_dir = os.environ.get("JUPYTERLAB_WORKSPACES_DIR", str(_home / "lab" / "workspaces"))

# Running as root is refused by Jupyter, deliberately: the course is not meant to be served with
# root's rights. (The browser test passes --allow-root itself, for CI machines that run as root.)
