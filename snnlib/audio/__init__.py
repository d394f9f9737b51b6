"""Sound → spikes: a cochlea model that turns recordings into spike trains in the SHD schema.

Modelled on the pipeline that produced the Spiking Heidelberg Digits (Cramer et al. 2020): resampling to 48 kHz,
RMS normalisation, Hann taper, a basilar-membrane filterbank (gammatone filters — a documented simplification of
the hydrodynamic model SHD used), Meddis inner hair cells, 40 refractory auditory-nerve fibres per channel, and
one bushy cell per channel whose spikes are the output. Unit 0 is the highest frequency, as in SHD::

    from snnlib import audio
    signal, rate = audio.read_wav("3_george_7.wav")
    times, units = audio.encode(signal, rate, seed=0)           # (S,) seconds, (S,) uint16 channels
    stages = audio.encode_stages(signal, rate)                  # every intermediate, for plotting

    audio.encode_directory("recordings/", "out.h5", label_pattern=r"^(\\d)_")   # → SHD-schema file
    audio.make_fsdd("data/", channels=700, split="official")                   # fsdd_train.h5, fsdd_test.h5

Errors about recordings raise :class:`AudioError` (a ``ValueError``) naming the file. Depends on NumPy, tqdm and
the standard library; writing files goes through :mod:`snnlib.data`.
"""
from snnlib.audio.cochlea import Filterbank, basilar_membrane, channel_frequencies, erb, gammatone_response
from snnlib.audio.dataset import EncodeReport, encode_directory, encode_recordings, encode_wav_files, file_seed
from snnlib.audio.encoder import EncoderParams, EncoderStages, encode, encode_many, encode_stages, prepare
from snnlib.audio.fsdd import fsdd_recordings, fsdd_source, make_fsdd
from snnlib.audio.haircell import MeddisParams, MeddisState, check_stability, haircell, meddis_step, rest_state
from snnlib.audio.nerve import BushyParams, NerveParams, NerveSpikes, bushy_cells, nerve_spikes
from snnlib.audio.preprocess import hann_taper, resample, rms_normalise
from snnlib.audio.wav import AudioError, read_wav, write_wav

__all__ = [
    "AudioError",
    "BushyParams",
    "EncodeReport",
    "EncoderParams",
    "EncoderStages",
    "Filterbank",
    "MeddisParams",
    "MeddisState",
    "NerveParams",
    "NerveSpikes",
    "basilar_membrane",
    "bushy_cells",
    "channel_frequencies",
    "check_stability",
    "encode",
    "encode_directory",
    "encode_many",
    "encode_recordings",
    "encode_stages",
    "encode_wav_files",
    "erb",
    "file_seed",
    "fsdd_recordings",
    "fsdd_source",
    "gammatone_response",
    "haircell",
    "hann_taper",
    "make_fsdd",
    "meddis_step",
    "nerve_spikes",
    "prepare",
    "read_wav",
    "resample",
    "rest_state",
    "rms_normalise",
    "write_wav",
]
