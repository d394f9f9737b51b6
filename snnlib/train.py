"""Training at scale: mini-batches, epochs, validation, checkpoints, logs, a live-view callback.

The names of the trainer in one place; each lives in the module of its job:

- :mod:`snnlib.train_config`: :class:`TrainConfig` (how to train), :data:`GENERIC_DEFAULTS` (the default of every
  option of a run, read from the fields of the three configurations), :data:`DATASET_DEFAULTS` (each dataset's
  own), :func:`training_memory` (the estimate checked before any work);
- :mod:`snnlib.train_loop`: :func:`train`, its events (:class:`TrainEvent`, :class:`StopTraining`), its result
  (:class:`TrainResult`), Ctrl-C and SIGTERM (:class:`deferred_interrupts`);
- :mod:`snnlib.train_report`: what a run writes and reads back (checkpoint state, ``log.csv``, ``metrics.json``,
  :func:`check_state`, :func:`load_trained`);
- :mod:`snnlib.data.partitions`: the data (:class:`DataConfig`, :func:`load_data`, :class:`Dataset`).

Library use (what the notebooks and :mod:`snnlib.experiments` call)::

    data = load_data(DataConfig("delay-task"))
    model = SNNConfig(n_in=data.n_in, n_hidden=64, n_out=data.n_classes, delays="synaptic", dt=data.dt)
    result = train(model, TrainConfig(epochs=10), data, callback=None, out_dir="runs/x")
    result.metrics["test_accuracy"], result.params, result.history
"""
from snnlib._io import OutputError, available_memory
from snnlib.checkpoint import CheckpointError
from snnlib.data.partitions import (OFFLINE_DATASETS, PUBLISHED_DATASETS, DataConfig, Dataset, SpikeArrays,
                                    load_data)
from snnlib.train_config import (DATASET_DEFAULTS, ENGINES, GENERIC_DEFAULTS, METHODS, OPTIMIZERS, SCHEDULES,
                                 TrainConfig, training_memory)
from snnlib.train_loop import StopTraining, TrainEvent, TrainingDiverged, TrainResult, deferred_interrupts, train
from snnlib.train_report import HISTORY_KEYS, check_state, load_trained

__all__ = ["TrainConfig", "DataConfig", "SpikeArrays", "Dataset", "TrainEvent", "TrainResult", "StopTraining",
           "TrainingDiverged", "OutputError", "CheckpointError", "train", "load_data", "load_trained", "check_state",
           "deferred_interrupts", "training_memory", "available_memory", "GENERIC_DEFAULTS", "DATASET_DEFAULTS",
           "OPTIMIZERS", "SCHEDULES", "METHODS", "ENGINES", "HISTORY_KEYS", "OFFLINE_DATASETS",
           "PUBLISHED_DATASETS"]
