"""What starts a training run for the live view: the library's trainer, whose events the view draws.

:class:`snnlib.liveview.LiveTrainingView` never imports the trainer: it is a consumer of
:class:`snnlib.train.TrainEvent` s (its :meth:`~snnlib.liveview.LiveTrainingView.on_event` is the trainer's
``callback``) and asks a *job* to run. :class:`TrainingJob` is that job for :func:`snnlib.train.train`, and this
module is the one place of the course's views that imports the trainer. ``view.train(model_config, train_config,
data)`` builds a :class:`TrainingJob` and attaches it (:meth:`~snnlib.liveview.LiveTrainingView.attach`): the
view imports this module when it is first asked to train, and this module imports nothing of the view.

A job answers what the view asks of it:

==============================  ===================================================================================
``settings()``                  the start values of the view's controls (``sigma``, ``d_max``, ``lr_weights``,
                                ``lr_delays``, ``feedback``)
``configs(settings)``           the run's (model configuration, training configuration) for those values; a value
                                the configurations refuse raises their ``ValueError``
``n_events(train_config)``      how many events a run sends (for the view's "update n / total")
``run(model, train, callback)`` one run, ``callback`` receiving every event; returns the trainer's result
                                (``status``: ``finished``, ``stopped`` or ``interrupted``)
``ideal``                       the delay pattern the figure draws, or None
==============================  ===================================================================================
"""
from __future__ import annotations

import math

from snnlib import train as trainer
from snnlib.config import SNNConfig
from snnlib.plots.live import ideal_delays

__all__ = ["TrainingJob"]


class TrainingJob:
    """A run of :func:`snnlib.train.train` on ``data`` for the live view, its settings taken from the controls.

    ``ideal``: the delay-task pattern to draw (default: read from ``data`` by :func:`~snnlib.plots.live.ideal_delays`;
    None: none). ``train_kwargs`` go to :func:`~snnlib.train.train` (e.g. ``out_dir``); the view supplies the
    callback, starts from fresh parameters and shows its own progress.
    """

    def __init__(self, model_config, train_config, data, *, ideal="auto", **train_kwargs):
        if not isinstance(model_config, SNNConfig) or not isinstance(train_config, trainer.TrainConfig) \
                or not isinstance(data, trainer.Dataset):
            raise ValueError("view.train(model_config, train_config, data): expected an SNNConfig, a TrainConfig "
                             "and a snnlib.train.Dataset")
        for key in ("callback", "progress", "params", "resume"):
            if key in train_kwargs:
                raise ValueError(f"view.train does not take {key}=: the view supplies the callback, starts from "
                                 "fresh parameters and shows its own progress")
        self.model_config, self.train_config, self.data = model_config, train_config, data
        self.train_kwargs = dict(train_kwargs)
        self.ideal = ideal_delays(data) if ideal == "auto" else ideal

    def settings(self) -> dict:
        m, t = self.model_config, self.train_config
        return {"sigma": m.sigma, "d_max": m.d_max, "lr_weights": t.lr_weights, "lr_delays": t.lr_delays,
                "feedback": m.feedback}

    def configs(self, settings: dict):
        model = self.model_config.replace(sigma=float(settings["sigma"]), d_max=int(settings["d_max"]),
                                          feedback=settings["feedback"])
        return model, self.train_config.replace(lr_weights=float(settings["lr_weights"]),
                                                lr_delays=float(settings["lr_delays"]))

    def n_events(self, train_config) -> int:
        n_batches = math.ceil(len(self.data.train) / train_config.batch_size)
        return train_config.epochs * ((n_batches - 1) // train_config.callback_every + 1)

    def run(self, model_config, train_config, callback):
        return trainer.train(model_config, train_config, self.data, callback=callback, progress=False,
                             **self.train_kwargs)

