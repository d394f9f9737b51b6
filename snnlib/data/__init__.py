"""Spiking datasets: the SHD/SSC file schema, download, binning, batches, splits and offline datasets.

Reading (lazy, one sample at a time)::

    from snnlib import data
    with data.open_dataset("shd_train.h5") as ds:
        times, units, label = ds[0]          # (S,) seconds, (S,) channels, int
        x = data.bin_sample(times, units, ds.n_channels, dt=0.01, max_time=1.0, pool=5)   # (100, 140)

Everything a user can get wrong raises :class:`DataError` (a ``ValueError``) with a message saying what was wrong
and what to do. This package depends only on NumPy, h5py, tqdm and the standard library, never on the model.
"""
from snnlib.data.augment import augment_batch
from snnlib.data.batches import Batches, batch_order, iterate_batches
from snnlib.data.binning import batch_events, bin_batch, bin_sample, n_steps, sample_events
from snnlib.data.download import BASE_URLS, base_urls, download
from snnlib.data.fetch import resolve_data_dir
from snnlib.data.reader import Joined, SpikeDataset, Subset, open_dataset
from snnlib.data.schema import DEFAULT_CHANNELS, PUBLISHED, DataError, DatasetInfo
from snnlib.data.splits import Splits, leave_speaker_out, load_splits, split_by_fraction, split_by_speaker
from snnlib.data.synthetic import MAKERS, make_delay_task, make_randman, make_shd_like
from snnlib.data.writer import write_dataset, write_datasets

__all__ = [
    "BASE_URLS",
    "Batches",
    "DEFAULT_CHANNELS",
    "DataError",
    "DatasetInfo",
    "MAKERS",
    "PUBLISHED",
    "SpikeDataset",
    "Splits",
    "Joined",
    "Subset",
    "augment_batch",
    "base_urls",
    "batch_events",
    "batch_order",
    "bin_batch",
    "bin_sample",
    "download",
    "iterate_batches",
    "load_splits",
    "make_delay_task",
    "make_randman",
    "make_shd_like",
    "n_steps",
    "open_dataset",
    "resolve_data_dir",
    "sample_events",
    "leave_speaker_out",
    "split_by_fraction",
    "split_by_speaker",
    "write_dataset",
    "write_datasets",
]
