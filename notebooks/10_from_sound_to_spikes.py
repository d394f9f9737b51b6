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
# # 10 · From sound to spikes: an ear model, and real spoken digits
#
# The Spiking Heidelberg Digits were made by playing recordings through a model of the inner ear and keeping
# the spikes of its output cells. `snnlib.audio` rebuilds that pipeline, so any recording can become a spiking
# dataset in the SHD file format. Here we follow one spoken digit through every stage — pressure wave,
# basilar membrane, hair cells, auditory-nerve fibres, bushy cells — and then encode a small set of real
# recordings on the fly and train a network with learned delays on them.
#
# **You will learn**
# - what each stage of the ear model computes, and how to look at it with `audio.encode_stages`;
# - why the output is *tonotopic* (each channel listens to one frequency band) and why it follows the phase
#   of low tones but not of high ones;
# - what the encoder's choices (number of channels, frequency range, time bins) do to a network's input;
# - to encode Free Spoken Digit recordings and train a delay network on them with `snnlib.train`.
#
# **Prerequisites:** notebooks 01–05 (part I: delays and the three-factor rule). No acoustics needed;
# `docs/audio.md` has the details and references of the model.
#
# **Widgets:** an ear-model explorer (sliders for the recording and the number of channels) showing every stage.
#
# **Exercises:** 3 — place the channels on Greenwood's map (implement), find where phase locking fades
# (experiment), and a Think! question.
#
# **Estimated time:** 55 minutes with the exercises, including about a minute of encoding and training on 2 cores
# (measured: 48 s on an idle machine; the exercises and the explorer add about 3 s; with `SNNLIB_FAST=1`, about
# 15 s measured).
#
# **Data.** The recordings are the *Free Spoken Digit Dataset* (FSDD) by Zohar Jackson and contributors,
# <https://github.com/Jakobovski/free-spoken-digit-dataset>, licensed
# [CC BY-SA 4.0](https://creativecommons.org/licenses/by-sa/4.0/): 3000 recordings (8 kHz, mono) of six speakers
# saying each digit 0–9 fifty times. They are read from where they are — the folder named by `SNNLIB_FSDD`, else
# `../shared/data/fsdd` beside the repository, else `fsdd/` in your data folder — never copied. If none has them,
# run `python -m snnlib data download fsdd` once: it fetches the recordings at a pinned version of the dataset's
# repository, checks every file against a manifest and installs them in your data folder (offline, it names the
# file to fetch by hand and where to put it). The spike files this notebook writes go to a
# temporary folder; they are derived works and carry FSDD's credit and licence as file attributes.

# %%
# %matplotlib inline
import tempfile
from pathlib import Path

import numpy as np
import snnlib
from snnlib import audio, course, data, exercises, explorers, plots
from snnlib.train import DataConfig, TrainConfig, load_data, train

print("fast mode" if course.fast_mode() else "full setting")
recordings = {r.path.stem: r for r in audio.fsdd_recordings()}   # says where to put FSDD if it is missing
print(f"{len(recordings)} FSDD recordings in {audio.fsdd_source()}")

# %% [markdown]
# ## 1. One recording
#
# File names say what is in them: `{digit}_{speaker}_{take}.wav`. `audio.read_wav` returns the samples (full
# scale ±1) and the sampling rate. FSDD is sampled at 8 kHz, so it holds no sound above 4 kHz — keep that in
# mind when we look at the high-frequency channels.

# %%
name = "3_theo_0"
signal, rate = audio.read_wav(recordings[name].path)
print(f"{name}: digit {recordings[name].digit}, speaker {recordings[name].speaker}, take {recordings[name].take}; "
      f"{len(signal)} samples at {rate:.0f} Hz = {1e3 * len(signal) / rate:.0f} ms, "
      f"peak {np.abs(signal).max():.2f} of full scale")

# %% [markdown]
# ## 2. Five stages from pressure to spikes
#
# `audio.encode_stages(signal, rate, params)` runs the encoder and keeps every intermediate array
# (`docs/audio.md` has the equations and parameter values):
#
# 1. **Waveform** — resampled to 48 kHz, scaled to unit RMS (so loud and quiet recordings drive the ear alike),
#    with 5 ms ramps at both ends so the cut does not click.
# 2. **Basilar membrane** — a bank of gammatone filters, one per place along the cochlea,
#    $G(f) = \bigl(1 + i\,(f - f_c)/b\bigr)^{-4}$ with bandwidth $b = 1.019\,\mathrm{ERB}(f_c)$. Places are evenly
#    spaced along the cochlea between 50 Hz and 8 kHz (Greenwood's map), so low frequencies get more channels
#    *per hertz* but fewer *per octave* (counted below). **Channel 0 has the highest characteristic frequency
#    (CF)**, as in SHD.
# 3. **Inner hair cells** (Meddis) — a transmitter reservoir per channel: motion opens the cell, transmitter
#    spills into the cleft, the cleft content $c$ sets the release rate $h\,c$ of the attached fibres. The
#    reservoir empties during a loud sound, so the response *adapts*: strong at onsets, weaker after.
# 4. **Auditory-nerve fibres** — 40 per channel, each firing with probability $1 - e^{-h c\,\Delta t}$ per step
#    and then silent for 1 ms.
# 5. **Bushy cells** — one leaky integrate-and-fire neuron per channel ($\tau$ = 0.5 ms) that needs about seven
#    of its 40 fibres to fire together. Their spikes are the output — what a dataset stores.
#
# The hair cells, fibres and bushy cells run at 24 kHz; the figure summarises them over 1 ms frames.

# %%
params = audio.EncoderParams(n_channels=64)
stages = audio.encode_stages(signal, rate, params, seed=0)
print(f"waveform {stages.waveform.shape} at {stages.sample_rate:.0f} Hz; basilar, cleft, bushy "
      f"{stages.basilar.shape} at {stages.model_rate:.0f} Hz; {len(stages.nerve.step):,} fibre spikes → "
      f"{len(stages.times)} output spikes in {params.n_channels} channels "
      f"(CF {stages.cf[0]:.0f} Hz at channel 0 … {stages.cf[-1]:.0f} Hz at channel {params.n_channels - 1})")

# %% [markdown]
# **Channels per hertz, channels per octave.** Greenwood's map (Greenwood 1990, human constants) gives the CF at
# relative place $x$ (0 = apex, 1 = base) as $f(x) = A\,(10^{a x} - k)$ with $A$ = 165.4 Hz, $a$ = 2.1, $k$ = 0.88.
# Equal steps in $x$ are therefore *almost* equal steps in $\log f$: where $f \gg A k$ (≈ 146 Hz) the channels are
# evenly spaced in octaves, and the density per hertz falls as $1/f$. Near the apex, where $f$ is not far above
# $A(1-k) \approx 20$ Hz, the $-k$ term makes $f$ nearly *linear* in $x$: equal steps of place become nearly equal
# steps in hertz, and an octave there (50–100 Hz is only 50 Hz wide) holds few channels. Counting the encoder's
# own 64 CFs octave by octave:

# %%
cf = params.cf
octaves = [(50 * 2**n, 100 * 2**n) for n in range(7)]              # 50–100 Hz … 3.2–6.4 kHz
per_octave = [int(np.sum((cf >= lo) & (cf < hi))) for lo, hi in octaves]
print(f"{'octave':>16} {'channels':>8} {'per octave':>10} {'per 100 Hz':>10}")
for (lo, hi), n in zip(octaves, per_octave):
    print(f"{lo:7.0f}–{hi:5.0f} Hz {n:8d} {n:10d} {100 * n / (hi - lo):10.2f}")
assert per_octave[0] == 4 and per_octave[-1] == 12                 # 50–100 Hz: 4; 3.2–6.4 kHz: 12
assert all(a <= b for a, b in zip(per_octave, per_octave[1:]))     # fewer per octave at low CF …
assert 4 / 50 > 12 / 3200                                          # … but more per hertz

# %% [markdown]
# So the low end is finely resolved in hertz (a 100 Hz band near 100 Hz holds several channels) and coarsely in
# octaves; the high end the reverse. Exercise 10.1 derives where the count per octave levels off.
#
# Choose any recording and a number of channels (the sliders act when released; without a widget front end
# the figure for the defaults is drawn). Things to look for: the vowel's horizontal bands (its *formants*) on
# the basilar membrane; the bright onset in the hair cells and nerve, fading as the reservoirs empty; the
# near-silence of the channels above 4 kHz (top rows); output spikes in slanted lines — low channels respond
# later, because a narrow filter rings longer.

# %% tags=["nbval-ignore-output"]
choices = sorted((n for n, r in recordings.items() if r.take < 2), key=lambda n: (n.split("_")[1], n))
explorers.ear_explorer([recordings[n].path for n in choices], recording=choices.index(name), n_channels=64);

# %% [markdown]
# **Checks on the stages.** The output spikes are exactly the bushy cells' spikes, at time = step / 24 kHz;
# and because FSDD stops at 4 kHz, channels tuned well above it get almost nothing. (Their few spikes come
# from the filters' skirts and from spontaneous fibre activity that happens to line up.)

# %%
steps, channels = np.nonzero(stages.bushy)          # row-major: by step, then channel — the encoder's order
assert np.array_equal(channels, stages.units) and np.allclose(steps / stages.model_rate, stages.times)

above = stages.cf > 4500.0                           # well above FSDD's 4 kHz limit
share_above = np.isin(stages.units, np.flatnonzero(above)).mean()
print(f"{above.sum()} of {params.n_channels} channels have CF > 4.5 kHz; they carry {100 * share_above:.1f} % "
      f"of the output spikes")
assert share_above < 0.05

# %% [markdown]
# ## 3. Tonotopy and phase locking, with pure tones
#
# A pure tone of frequency $f$ should move the basilar membrane most at the place whose CF is $f$. And at low
# frequencies a hair cell releases transmitter mainly on one half of each cycle, so fibre spikes *lock to the
# phase* of the tone. The **vector strength** measures it: $\mathrm{VS} = \bigl|\frac1S\sum_s e^{2\pi i f t_s}\bigr|$
# over the spike times $t_s$ — 1 when every spike falls at the same phase, near 0 when phases are random.

# %%
tone_rate = 16000.0
t = np.arange(int(0.2 * tone_rate)) / tone_rate
tones = {}
print("  tone   loudest place (CF)   fibre vector strength   output spikes")
for f in (250.0, 1000.0, 3000.0):
    st = audio.encode_stages(0.1 * np.sin(2 * np.pi * f * t), tone_rate, params, seed=0)
    motion = np.sqrt(np.mean(np.square(st.basilar, dtype=np.float64), axis=0))     # RMS per channel
    best = int(np.argmax(motion))
    late = (st.nerve.channel == best) & (st.nerve.step >= 0.05 * st.model_rate)   # after the onset
    vs = float(np.abs(np.mean(np.exp(2j * np.pi * f * st.nerve.step[late] / st.model_rate))))
    tones[f] = dict(stages=st, best=best, cf=float(st.cf[best]), vs=vs)
    print(f"{f:6.0f} Hz   channel {best:2d} ({st.cf[best]:6.0f} Hz)   {vs:.2f}   {len(st.times):4d}")

# %%
for f, tone in tones.items():
    assert abs(tone["cf"] - f) / f < 0.1, f"a {f:.0f} Hz tone should peak near CF {f:.0f} Hz, not {tone['cf']:.0f}"
assert tones[250.0]["vs"] > 0.5 and tones[3000.0]["vs"] < tones[250.0]["vs"]

# %% [markdown]
# The places are right to within a few percent, and locking weakens as the frequency rises (in real fibres it
# fades above 1–3 kHz). Note how few output spikes a steady tone gives: bushy cells fire on *onsets* and on
# strongly phase-locked input, which is why the spike rasters of speech show its rhythm and transitions.
#
# A close look at one place: the basilar-membrane motion of the 250 Hz channel, its release rate (half-wave
# rectified and adapting), the 40 fibres and the bushy cell.

# %% tags=["nbval-ignore-output"]
low = tones[250.0]
plots.audio.plot_channel(low["stages"], low["best"], start=0.0, stop=0.06,
                         title=f"250 Hz tone, channel {low['best']} (CF {low['cf']:.0f} Hz): onset and phase locking")

# %% [markdown]
# ### Exercise 10.1 — Place the channels yourself, and find the octave density (implement)
#
# Write `greenwood_cf(n_channels, f_min, f_max)` returning the `(n_channels,)` characteristic frequencies of the
# encoder: equally spaced in relative place $x$ between the place of `f_max` (channel 0) and the place of `f_min`
# (the last channel), mapped with $f(x) = A\,(10^{a x} - k)$, $A$ = 165.4 Hz, $a$ = 2.1, $k$ = 0.88. You need the
# inverse map $x(f)$ — solve $f = A\,(10^{a x} - k)$ for $x$.
#
# Then the limit: with $n$ channels over a place span $\Delta x = x(f_\max) - x(f_\min)$, neighbouring
# channels are $\Delta x/(n-1)$ apart in place. Where $10^{a x} \gg k$, $\log_{10} f \approx \log_{10} A + a x$, so one
# octave ($\log_{10} 2$) spans $\log_{10} 2 / a$ of place and holds $\approx (n-1)\log_{10}2 / (a\,\Delta x)$
# channels. It is also an upper bound at every CF: exactly, $dx/d\log_{10} f = f / \bigl(a\,(f + A k)\bigr) \le 1/a$,
# so the $-k$ term can only thin the low octaves.
#
# *Checked:* your CFs equal the encoder's (`EncoderParams(...).cf`) for random channel counts and ranges; and in
# the 140-channel layout your CFs put the predicted limit in the top octave (to within one channel), no more in any
# octave, and fewer than half of it in the lowest.

# %% tags=["exercise"]
def greenwood_cf(n_channels, f_min, f_max):
    """(n_channels,) CFs in Hz, equal steps of cochlear place, highest first (channel 0 = f_max)."""
    # your code here
    raise NotImplementedError("Exercise 10.1: places of f_max and f_min, linspace between them, map back to Hz")


# %% tags=["solution"]
def greenwood_cf(n_channels, f_min, f_max):
    """(n_channels,) CFs in Hz, equal steps of cochlear place, highest first (channel 0 = f_max)."""
    A, a, k = 165.4, 2.1, 0.88
    place = lambda f: np.log10(f / A + k) / a
    x = np.linspace(place(f_max), place(f_min), n_channels)
    return A * (10.0 ** (a * x) - k)


# %% tags=["exercise-check"]
def test():
    rng = np.random.default_rng(1010)
    for _ in range(6):
        n, lo = int(rng.integers(8, 160)), float(rng.uniform(30, 300))
        hi = float(rng.uniform(3000, 8000))
        mine = np.asarray(greenwood_cf(n, lo, hi), dtype=float)
        expected = audio.EncoderParams(n_channels=n, f_min=lo, f_max=hi).cf
        assert mine.shape == expected.shape, f"{mine.shape} CFs for {n} channels"
        assert np.allclose(mine, expected, rtol=1e-9), (
            f"{n} channels, {lo:.0f}–{hi:.0f} Hz: channel 0 at {mine[0]:.1f} Hz, the encoder's at {expected[0]:.1f} Hz; "
            f"channel {n // 2} at {mine[n // 2]:.1f} Hz vs {expected[n // 2]:.1f} Hz")
    n, lo, hi = 140, 50.0, 8000.0
    span = (np.log10(hi / 165.4 + 0.88) - np.log10(lo / 165.4 + 0.88)) / 2.1
    limit = (n - 1) * np.log10(2) / (2.1 * span)
    cfs = np.asarray(greenwood_cf(n, lo, hi))
    counts = [int(np.sum((cfs >= f) & (cfs < 2 * f))) for f in (50, 100, 200, 400, 800, 1600, 3200)]
    assert abs(counts[-1] - limit) <= 1 and counts[0] < limit / 2, f"per octave {counts}, limit {limit:.1f}"
    assert all(c <= limit + 1 for c in counts), f"per octave {counts} exceeds the limit {limit:.1f}"


exercises.check("10.1", test, hint="x(f) = log10(f / A + k) / a; np.linspace(x(f_max), x(f_min), n); "
                                   "then f = A · (10**(a·x) − k)")

# %% [markdown]
# ### Exercise 10.2 — Where does phase locking fade? (experiment)
#
# Section 3 measured the fibres' vector strength for three tones. Measure it for every frequency in `freqs` (tones
# of 0.2 s at amplitude 0.1, sampled at `tone_rate`, the 64-channel `params`, `seed=0`; as in section 3: the
# loudest place's channel, fibre spikes after the first 50 ms). Store the values in `vs_by_freq` (a dict
# `frequency → vector strength`) and the **lowest frequency** of `freqs` whose vector strength is below 0.5 in
# `fades_at`.
#
# *Checked:* the check encodes the tones again with the library and compares (to 1e-6 and exactly).

# %%
freqs = (250.0, 500.0, 1000.0, 1500.0, 2000.0, 3000.0, 4000.0)

# %% tags=["exercise"]
vs_by_freq = None   # your code here: {frequency: vector strength}
fades_at = None     # your code here: the lowest frequency in freqs with a vector strength below 0.5

# %% tags=["solution"]
vs_by_freq = {}
for f in freqs:
    st = audio.encode_stages(0.1 * np.sin(2 * np.pi * f * t), tone_rate, params, seed=0)
    loudest = int(np.argmax(np.sqrt(np.mean(np.square(st.basilar, dtype=np.float64), axis=0))))
    late = (st.nerve.channel == loudest) & (st.nerve.step >= 0.05 * st.model_rate)
    vs_by_freq[f] = float(np.abs(np.mean(np.exp(2j * np.pi * f * st.nerve.step[late] / st.model_rate))))
fades_at = min(f for f in freqs if vs_by_freq[f] < 0.5)
print({f"{f:g} Hz": round(v, 2) for f, v in vs_by_freq.items()}, "→ below 0.5 from", fades_at, "Hz")


# %% tags=["exercise-check"]
def test():
    if vs_by_freq is None or fades_at is None:
        raise NotImplementedError
    tone_t = np.arange(int(0.2 * tone_rate)) / tone_rate
    expected = {}
    for f in freqs:
        st = audio.encode_stages(0.1 * np.sin(2 * np.pi * f * tone_t), tone_rate, audio.EncoderParams(n_channels=64),
                                 seed=0)
        best = int(np.argmax((st.basilar.astype(np.float64) ** 2).sum(axis=0)))
        steps = st.nerve.step[(st.nerve.channel == best) & (st.nerve.step / st.model_rate >= 0.05)]
        phase = 2 * np.pi * f * steps / st.model_rate
        expected[f] = float(np.hypot(np.cos(phase).mean(), np.sin(phase).mean()))
        assert f in vs_by_freq, f"vs_by_freq has no entry for {f:g} Hz"
        assert abs(vs_by_freq[f] - expected[f]) < 1e-6, (
            f"at {f:g} Hz the vector strength is {expected[f]:.3f}, you have {vs_by_freq[f]:.3f}")
    lowest = min((f for f in freqs if expected[f] < 0.5), default=None)
    assert fades_at == lowest, f"fades_at = {fades_at}; the measurements say {lowest}"


exercises.check("10.2", test, hint="loop over freqs with section 3's measurement; keep only spikes at or after "
                                   "50 ms; then the smallest f with a value under 0.5")

# %% [markdown]
# **Think!** 10.3 In the explorer's output raster, low channels respond later than high ones to the same onset.
# Where does the lag come from, how does it depend on the CF, and what does it mean for a network whose neurons
# detect coincidences across channels?

# %% [markdown] tags=["solution"]
# *Model answer.* The basilar membrane stage is a bank of gammatone filters. A gammatone of order $n$ and bandwidth
# $b$ has the envelope $t^{n-1}e^{-2\pi b t}$, which peaks at $t = (n-1)/(2\pi b)$: the narrower the filter, the later
# its response builds up. The bandwidths follow the ERB, which grows with CF, so low channels lag more, roughly as
# $1/\text{ERB}(\text{CF})$. For a network this is a fixed, channel-dependent offset added to every word: spikes that
# belong to one acoustic event arrive at different times in different channels. A coincidence detector needs them
# aligned, and that is one job delays can do — a learned delay per input can absorb a channel's lag (shorter delays
# on the slow low channels), on top of the timing differences that separate the words.

# %% [markdown]
# ## 4. A small spiking FSDD, encoded on the fly
#
# `audio.make_fsdd` encodes FSDD into two SHD-format files with FSDD's own split: takes 0–4 of every speaker and
# digit for testing, takes 5–49 for training. `limit` keeps the first recordings per file (all digits and
# speakers, take by take), which is what a quick look needs. We use 32 channels (the full results use 140, see
# `docs/fsdd.md`). Encoding uses all CPUs; it takes from a few seconds to a minute.

# %%
n_per_file = course.sized(full=600, fast=120)
n_channels = 32
workdir = tempfile.TemporaryDirectory(prefix="fsdd-")
train_path, test_path = audio.make_fsdd(workdir.name, channels=n_channels, split="official", limit=n_per_file,
                                        progress=False)
with data.open_dataset(train_path) as ds:
    print(f"{train_path.name}: {len(ds)} recordings, {ds.n_channels} channels, classes {ds.class_names}")
    print(f"licence: {ds.attrs['licence']}")
    first_of_digit = [int(np.flatnonzero(ds.labels == digit)[0]) for digit in range(10)]
    examples = [ds[i] for i in first_of_digit]

# %% [markdown]
# `limit` applies to each file: the test file holds as many recordings as the training file, from takes 0–4 that
# training never sees. The trainer reads `X_train.h5` and the `X_test.h5` beside it and bins them (here 10 ms
# bins over 0.8 s, which covers 98 % of FSDD's recordings); nothing is held out for validation in this short
# demonstration, since nothing is selected.

# %%
dt, max_time = 0.01, 0.8
dataset = load_data(DataConfig(str(train_path), dt=dt, max_time=max_time, valid_fraction=0.0))
print(f"train x {dataset.train.x.shape}, test x {dataset.test.x.shape} (recordings, steps, channels)")
print("training recordings per digit:", np.bincount(dataset.train.labels, minlength=10))

# %% tags=["nbval-ignore-output"]
fig, axes = plots.new_figure(2, 5, figsize=(12, 4.6), sharex=True, sharey=True)
for digit, (ax, (times, units, label)) in enumerate(zip(axes.ravel(), examples)):
    x = data.bin_sample(times, units, n_channels, dt=dt, max_time=max_time)
    plots.plot_raster(x, dt=dt, ax=ax, size=6, title=f"'{dataset.class_names[label]}'")
    ax.set_ylim(n_channels - 0.5, -0.5)          # channel 0 (highest CF) at the top, as in section 2
    ax.label_outer()
fig.suptitle(f"one training recording per digit, {n_channels} channels in {1e3 * dt:g} ms bins")
fig

# %% [markdown]
# ## 5. Training on real speech
#
# A feedforward layer of 64 LIF neurons, with and without learned synaptic delays ($d_\text{max}$ = 25 steps =
# 250 ms), trained by the online three-factor rule on the fast engine (`snnlib.train.train`, as
# `python -m snnlib train` does). One choice differs from part I: the readout integrates over
# $\tau_\text{out}$ = 200 ms instead of 20 ms. A spoken digit is over long before the 0.8 s window ends, and the
# loss is taken at every step; a readout that forgot the word within 20 ms would have to guess for the rest of
# the window.

# %%
def network(delays: str, seed: int = 0):
    return snnlib.SNNConfig(n_in=dataset.n_in, n_hidden=64, n_out=10, delays=delays, d_max=25, tau_mem=0.02,
                            tau_out=0.2, dt=dt, seed=seed)


settings = TrainConfig(epochs=course.sized(full=15, fast=10), batch_size=8, lr_weights=0.02, lr_delays=0.5)
runs = {}
for label, delays in (("weights only", "none"), ("learned delays", "synaptic")):
    runs[label] = train(network(delays), settings, dataset, progress=False)
    m = runs[label].metrics
    print(f"{label:>15}: test accuracy {100 * m['test_accuracy']:.1f} % on {m['data']['n_test']} recordings; "
          f"{m['parameters']['weights']:,} weights + {m['parameters']['delays']:,} delays; "
          f"{m['timing']['train_s']:.0f} s")

# %% [markdown]
# Chance is 10 %. The floor below holds in fast mode (120 training recordings, 10 epochs; one run, an
# illustration: learned delays reached 48 % and weights only 35 % when we ran it); with more data and epochs
# the numbers rise (full runs in `docs/fsdd.md`).

# %%
acc_weights = runs["weights only"].metrics["test_accuracy"]
acc_delays = runs["learned delays"].metrics["test_accuracy"]
assert acc_delays >= 0.30, f"learned delays reached only {100 * acc_delays:.1f} % (chance is 10 %)"
assert np.isfinite([acc_weights, acc_delays]).all()

# %% tags=["nbval-ignore-output"]
config = network("synaptic")
probs = snnlib.forward(config, runs["learned delays"].params, dataset.test.x.astype(np.float32)).probs
predicted = snnlib.predict(config, probs)
confusion = np.zeros((10, 10), int)
np.add.at(confusion, (dataset.test.labels, predicted), 1)
fig, axes = plots.new_figure(1, 3, figsize=(13, 3.6), gridspec_kw={"width_ratios": [1, 1.1, 1]})
for label, color in (("weights only", "#8c8c8c"), ("learned delays", plots.COLORS["delay"])):
    history = runs[label].history
    axes[0].plot([h["epoch"] for h in history], [h["train_loss"] for h in history], "o-", ms=3, color=color,
                 label=label)
axes[0].set(xlabel="epoch", ylabel="training loss", title="training")
axes[0].legend(fontsize=8, frameon=False)
image = axes[1].imshow(confusion, cmap="Blues")
axes[1].set(xticks=range(10), yticks=range(10), xlabel="predicted digit", ylabel="spoken digit",
            title=f"learned delays: {100 * acc_delays:.0f} % of {len(predicted)} test recordings")
fig.colorbar(image, ax=axes[1], fraction=0.046)
plots.plot_delay_histogram(runs["learned delays"].params["D_in"], d_max=25, ax=axes[2],
                           title="learned input delays")
fig

# %% [markdown]
# ## Summary
#
# - The ear model turns a recording into spikes in five stages: gammatone filters (basilar membrane) → Meddis
#   hair cells (rectify and adapt) → 40 refractory fibres per channel → one coincidence-detecting bushy cell
#   per channel, whose spikes are the output.
# - The output is tonotopic (channel ↔ frequency band; channel 0 the highest), locks to the phase of low tones
#   (less and less as the frequency rises; Exercise 10.2 finds where it drops below a vector strength of 0.5),
#   and emphasises onsets. Channels above a recording's bandwidth (4 kHz for FSDD) stay nearly silent.
# - Channels sit at equal steps of cochlear place (Greenwood's map): more channels per hertz at low CF, fewer per
#   octave (with 64 channels: 4 in 50–100 Hz, 12 in 3.2–6.4 kHz); above a few hundred hertz the count per
#   octave levels off at $(n-1)\log_{10}2/(a\,\Delta x)$.
# - `audio.make_fsdd` writes real recordings as SHD-format files that every tool of the course reads, and the
#   trainer learns the digits from them — above chance within a minute on a small subset.
#
# **Next:** `docs/fsdd.md` compares weights only with learned synaptic and axonal delays, feedforward and
# recurrent, on all 3000 recordings (FSDD's split and leave-one-speaker-out), with the commands to reproduce it
# (`scripts/fsdd_experiments.py`). Try the encoder on your own recordings with
# `python -m snnlib audio encode WAV_DIR OUT.h5`.
#
# ## References
#
# Symbols and terms of this notebook ([CF](../docs/glossary.md#cf), [ERB](../docs/glossary.md#erb), [gammatone](../docs/glossary.md#gammatone), [vector strength](../docs/glossary.md#vector-strength), …) are defined in the course [glossary](../docs/glossary.md);
# how each reference below was checked, and the source of every published number, is in
# [docs/references.md](../docs/references.md).
#
# - Greenwood, D. D. (1990). A cochlear frequency-position function for several species — 29 years later. *Journal of the Acoustical Society of America* 87(6), 2592–2605 (volume and pages unverified).
# - Glasberg, B. R. & Moore, B. C. J. (1990). Derivation of auditory filter shapes from notched-noise data. *Hearing Research* 47, 103–138. doi:10.1016/0378-5955(90)90170-T.
# - Patterson, R. D. and colleagues. Implementing a gammatone filterbank. MRC Applied Psychology Unit report 2341; and Patterson et al. (1992), as cited in docs/audio.md (details unverified).
# - Slaney, M. (1993). An efficient implementation of the Patterson–Holdsworth auditory filter bank. Apple Computer Technical Report #35 (report number and year unverified).
# - Meddis, R. (1986). Simulation of mechanical to neural transduction in the auditory receptor. *Journal of the Acoustical Society of America* 79(3), 702–711 (unverified; see docs/references.md).
# - Cramer, B., Stradmann, Y., Schemmel, J. & Zenke, F. (2022; online 2020). The Heidelberg spiking data sets for the systematic evaluation of spiking neural networks. *IEEE Transactions on Neural Networks and Learning Systems* 33(7), 2744–2757. doi:10.1109/TNNLS.2020.3044364. arXiv 1910.07407.
# - Jackson, Z. and contributors (2018). Free Spoken Digit Dataset. github.com/Jakobovski/free-spoken-digit-dataset; Zenodo, doi:10.5281/zenodo.1342401. CC BY-SA 4.0.

# %%
workdir.cleanup()
