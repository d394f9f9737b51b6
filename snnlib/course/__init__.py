"""Helpers for the notebook course itself, in four modules: :mod:`~snnlib.course.env` (the fast-mode
switch, widget detection, the setup report), :mod:`~snnlib.course.toys` (the small models notebooks 01,
03 and 04 study), :mod:`~snnlib.course.contract` (the cell tags and rules of the exercises) and
:mod:`~snnlib.course.editions` (where the course's files are, the learner and instructor editions and
their command line). Their public names are
re-exported here: ``from snnlib import course; course.sized(...)``.

Three environment variables steer the course (all read at call time, so a notebook can be re-run
after changing them):

``SNNLIB_FAST=1``
    fast mode: every notebook shrinks its data sizes and epochs (never its meaning) so that the whole
    course runs in a few minutes; CI sets it. Unset or ``0``: the full setting learners run.
``SNNLIB_STATIC=1``
    draw every widget as one static figure from its default values instead of live controls. Set it
    for headless execution (nbval, nbclient, ``jupyter nbconvert --execute``): a kernel cannot tell
    whether a front end will ever render its widgets. ``SNNLIB_STATIC=0`` forces live widgets.
    Unset: live widgets whenever the code runs inside a Jupyter kernel and ipywidgets is installed.
``SNNLIB_SPEECH=fsdd`` (or ``shd-like``)
    the data of part II (notebooks 07–09) in either setting; unset, :func:`speech_data` chooses (SHD,
    else FSDD at 700 channels, else ``shd-like``; fast mode: ``shd-like``).

Command line::

    python -m snnlib course build --out DIR                # DIR/learner/ and DIR/instructor/ (.ipynb)
    python -m snnlib course build --out DIR --edition instructor   # one edition only
    python -m snnlib course check                          # the exercises follow the contract (authors)

``course build`` writes the two editions a course is taught from, each notebook a plain ``.ipynb`` that
opens without the repository's Jupyter configuration (JupyterLab, Notebook 7, VS Code, Colab): the
**learner** edition (every cell except those tagged ``solution``) and the **instructor** edition (every
cell). Both start with a cell that installs snnlib where it is missing (:func:`install_cell`). A notebook
changed since it was built (a learner's work) is never overwritten unless ``--force`` is given. The
course's sources travel inside the package, so this works from an installed snnlib as well as from a
clone (:func:`course_files`). ``course student --out D`` and ``course notebooks --out D`` are the learner
and instructor editions written into ``D`` itself.

Cell tags of the exercise contract (see docs/course.md, "Exercises", and :mod:`snnlib.exercises`):
``exercise`` (a stub the learner fills in; it runs as is and never raises), ``solution`` (a model answer,
code or Markdown; only in the instructor edition), ``exercise-check`` (``exercises.check("NN.k", test)``,
which prints ``Exercise NN.k: correct`` only when the learner's answer passed). Plot-only cells are tagged
``nbval-ignore-output``. No cell is tagged ``raises-exception``: every cell of either edition runs without
error, so *Run All* reaches the end in every front end. :func:`exercise_problems` checks these rules.
"""

from snnlib.course.contract import (CHECK_TAG, EXERCISE_TAG, RAISES_TAG, SOLUTION_TAG, Exercise, cell_tags,
                                    exercise_problems, exercises_of, stub_names)
from snnlib.course.editions import (EDITIONS, INSTALL_ENV, INSTALL_TAG, MANIFEST, PACKAGED_COURSE, UPDATES,
                                    build_editions, course_files, default_install_source, edition_notebook,
                                    install_cell, learner_notebook, notebook_sources, project_urls, read_notebook,
                                    register, repository_root, write_edition)
from snnlib.course.env import (FAST_ENV, SPEECH_ENV, STATIC_ENV, DatasetStatus, SpeechData, dataset_status,
                               fast_mode, sized, speech_data, versions, widget_frontend)
from snnlib.course.toys import DelayToy, coincidence_neuron, delay_bank, record_synapse

__all__ = ["CHECK_TAG", "EDITIONS", "EXERCISE_TAG", "INSTALL_ENV", "INSTALL_TAG", "MANIFEST", "PACKAGED_COURSE",
           "RAISES_TAG", "SOLUTION_TAG", "UPDATES", "Exercise", "cell_tags", "build_editions", "course_files",
           "default_install_source", "edition_notebook", "exercise_problems", "exercises_of", "install_cell",
           "learner_notebook", "notebook_sources", "project_urls", "read_notebook", "register", "repository_root",
           "stub_names", "write_edition", "FAST_ENV", "STATIC_ENV", "DatasetStatus", "dataset_status", "fast_mode",
           "sized", "versions", "widget_frontend", "SPEECH_ENV", "SpeechData", "speech_data", "DelayToy", "coincidence_neuron", "delay_bank", "record_synapse"]
