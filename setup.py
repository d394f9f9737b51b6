"""Build step of the package: the course travels inside the wheel.

Everything else is declared in pyproject.toml. The course's sources stay where they are edited —
``notebooks/NN_topic.py`` and the JupyterLab settings in ``.jupyter/`` — and are copied at build time
into the package as ``snnlib/_course/notebooks/`` and ``snnlib/_course/jupyter/``, so that an installed
snnlib can build the course editions (``python -m snnlib course build``) and open them with the course's
Lab settings (``python -m snnlib lab``) without a clone. In a clone, ``snnlib.course`` reads the
repository's folders directly (editable installs copy nothing).
"""
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent

#: (source folder in the repository, destination inside the package, file patterns)
COURSE_FILES = (
    ("notebooks", "snnlib/_course/notebooks", ("[0-9][0-9]_*.py", "jupytext.toml")),
    (".jupyter", "snnlib/_course/jupyter", ("jupyter_lab_config.py", "migrated", "lab/settings/*.json")),
)


class build_py_with_course(build_py):
    """``build_py`` that also copies the course's notebooks and Lab settings into the package."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install runs from the clone, which has the folders themselves
        for source, destination, patterns in COURSE_FILES:
            found = [path for pattern in patterns for path in sorted((HERE / source).glob(pattern))]
            if not found:
                raise SystemExit(f"setup.py: no course files in {HERE / source}; build from a full checkout "
                                 f"or from the sdist")
            for path in found:
                target = Path(self.build_lib) / destination / path.relative_to(HERE / source)
                target.parent.mkdir(parents=True, exist_ok=True)
                self.copy_file(str(path), str(target))


setup(cmdclass={"build_py": build_py_with_course})
