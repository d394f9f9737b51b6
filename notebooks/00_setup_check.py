# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 00 · Setup check
#
# This course teaches learning rules for *delays* in spiking neural networks, following the paper
# **"Three factor delay learning rules for spiking neural networks"** by Luke Vassallo and Nima
# Taherinejad (2026, arXiv:2601.00668). What the course implements is our reconstruction of that
# method from its abstract and a summary of its full text (docs/MODEL.md marks our own choices); each
# notebook ends with its references.
#
# Before the course starts, this notebook checks that your machine has what the other notebooks need.
#
# **You will learn**
# - which versions of Python and of the course's packages you are running;
# - whether interactive widgets (sliders, buttons) work in your notebook front end;
# - which datasets are available without a download, and where the published ones would go;
# - what the two switches of the course, *fast mode* and *static widgets*, do.
#
# **Prerequisites:** none. Run the cells from top to bottom (Shift+Enter).
#
# **Estimated time:** 5 minutes.

# %%
# %matplotlib inline
import numpy as np

import snnlib
from snnlib import course, plots, widgets

# %% [markdown]
# ## 1. Versions
#
# The course needs Python ≥ 3.10, NumPy, Matplotlib and h5py for the library, and ipywidgets,
# ipykernel and jupytext for the notebooks. A `None` means "not installed".

# %%
found = course.versions()
for name, version in found.items():
    print(f"{name:>12}  {version}")

# %%
import sys

assert sys.version_info >= (3, 10), "the course needs Python 3.10 or newer"
missing = [name for name in ("snnlib", "numpy", "matplotlib", "h5py") if found[name] is None]
assert not missing, f"missing packages: {missing}; pip install \"snnlib[notebooks]\", then python -m snnlib lab"
assert int(found["numpy"].split(".")[0]) >= 1
print("library packages: OK")

# %% [markdown]
# ## 2. The two switches of the course
#
# | environment variable | effect |
# |---|---|
# | `SNNLIB_FAST=1` | **fast mode**: notebooks shrink data sizes and epochs (never what they show), so the whole course runs in a few minutes. Continuous integration sets it; on a slow laptop you may set it too. Unset: the full setting. |
# | `SNNLIB_STATIC=1` | **static widgets**: every interactive figure is drawn once, from its default values, instead of with sliders. Headless runs (tests, `nbconvert --execute`) set it. Unset: sliders whenever a Jupyter front end is attached. |
#
# Both are read when a cell runs. To change one, set it before starting JupyterLab
# (`SNNLIB_FAST=1 make lab`) or inside a notebook with `os.environ["SNNLIB_FAST"] = "1"`.

# %%
print("fast mode:", "on" if course.fast_mode() else "off (full setting)")
print("widgets:  ", "live (sliders)" if course.widget_frontend() else "static figures")

# %% [markdown]
# ## 3. Do widgets work here?
#
# Below is the first explorer of notebook 01: a neuron receiving two input spikes. If you see
# sliders, move **delay 1** to 10 and release it: the figure should be redrawn and the line above it
# should change from *no spike* to *spike at step 30*. If you see a single static figure instead,
# widgets are off (see the table above) — every notebook still works, you just cannot drag sliders.
#
# If you see a text like `VBox(children=...)` instead of sliders, the notebook front end lacks the
# widget extension: use JupyterLab ≥ 4 with ipywidgets ≥ 8 (`make lab` sets this up).

# %% tags=["nbval-ignore-output"]
demo = widgets.coincidence_explorer()

# %%
# The explorer can also be driven from code: the same call the slider makes.
demo.set(delay1=10)
print(demo.readout)
assert demo.readout == "spike at step 30"
demo.set(delay1=0)
assert demo.readout == "no spike"

# %% [markdown]
# ## 4. Datasets
#
# The course never needs a download: its offline datasets (`delay-task`, `shd-like`, `randman`) are
# generated on demand, in a few seconds. The published Spiking Heidelberg Digits (SHD) and Spiking
# Speech Commands (SSC) go into a cache folder when you download them with
# `python -m snnlib data download shd`. The spoken-digit recordings (FSDD) are read from `$SNNLIB_FSDD` or
# `../shared/data/fsdd` beside the repository; without them, `python -m snnlib data download fsdd` fetches them
# once into the data folder (3000 recordings, 21 MB; offline, it says which file to fetch by hand and where to put it).
# Part II (notebooks 07–09) trains on FSDD encoded at 700 channels in its full setting: made once from the
# recordings by `python -m snnlib data make fsdd` (about 9 minutes on 2 cores), or by notebook 07 itself.

# %%
status = course.dataset_status()
for entry in status:
    mark = "yes" if entry.available else "no "
    print(f"{mark}  {entry.name:<19} {entry.kind:<10} {entry.note}  [{entry.location}]")

# %%
import tempfile
from pathlib import Path

from snnlib import data

# A tiny delay-task, written and read back exactly like the published files.
with tempfile.TemporaryDirectory() as folder:
    paths = data.make_delay_task(folder, n_train=6, n_valid=0, n_test=3, seed=0)
    with data.open_dataset(paths["train"]) as train:
        times, units, label = train[0]
        x = data.bin_sample(times, units, train.n_channels, dt=0.01, max_time=0.5)
        names = train.class_names
print(f"one sample: {len(times)} spikes on {train.n_channels} channels, class {label} ({names[label]!r})")
print("binned:", x.shape, "(steps, channels)")
assert x.shape == (50, 20) and x.sum() == len(times)
assert all(entry.available for entry in status if entry.kind == "offline")

# %% [markdown]
# ## 5. The engine works
#
# The heart of the course is an *online* learning rule whose gradients equal those of
# backpropagation through time (BPTT) for a feedforward network. Notebook 04 explains why; here we
# only check that both computations agree on this machine, in double precision.

# %%
config = snnlib.SNNConfig(n_in=8, n_hidden=6, n_out=3, delays="synaptic", d_max=5, dtype="float64", seed=1)
params = snnlib.init_params(config)
rng = np.random.default_rng(0)
x = (rng.random((2, 30, 8)) < 0.2).astype(float)
labels = np.array([0, 2])
loss_online, grads_online = snnlib.online_gradients(config, params, x, labels)
loss_bptt, grads_bptt = snnlib.bptt_gradients(config, params, x, labels)
for key in grads_bptt:
    error = np.linalg.norm(grads_online[key] - grads_bptt[key]) / np.linalg.norm(grads_bptt[key])
    print(f"{key:>6}: relative difference {error:.1e}")
    assert error < 1e-10

# %% [markdown]
# ## Summary
#
# - Your Python and packages are in place, and the online rule reproduces BPTT here.
# - Widgets are live in JupyterLab and static in headless runs; `SNNLIB_STATIC` decides explicitly.
# - Fast mode (`SNNLIB_FAST=1`) shrinks the heavy cells; the full setting is the default.
# - The offline datasets need no download.
# - The course teaches the method of Vassallo & Taherinejad (2026), arXiv:2601.00668, as reconstructed
#   in docs/MODEL.md; every symbol the course uses is defined once in the [glossary](../docs/glossary.md).
#
# **Next:** [01 · Coincidence detection](01_coincidence_detection.py) — a single spiking neuron,
# and why the *timing* of its inputs matters.
