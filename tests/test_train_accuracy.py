"""An accuracy floor that means something: on the delay task, learned delays must beat weights only.

The delay task's classes differ only in which channel of each pair leads by ``lag`` steps (the same spike counts
for every class), so a network without delays stays near chance while learned delays can turn each pair of the
right class into a coincidence. Same width, same seed, same data order, same learning rates; a short run.
"""
import pytest

from snnlib import SNNConfig
from snnlib.train import DataConfig, TrainConfig, load_data, train


@pytest.fixture(scope="module")
def delay_task(tmp_path_factory):
    return load_data(DataConfig("delay-task", data_dir=str(tmp_path_factory.mktemp("data"))))


@pytest.mark.slow
def test_learned_delays_beat_weights_only_by_20_points(delay_task):
    data = delay_task
    tc = TrainConfig(epochs=6, batch_size=32, lr_weights=2e-2, lr_delays=0.5, seed=0)
    accuracy = {}
    for delays in ("none", "synaptic"):
        model = SNNConfig(n_in=data.n_in, n_hidden=16, n_out=data.n_classes, delays=delays, d_max=15,
                          dt=data.dt, seed=0)
        accuracy[delays] = train(model, tc, data).metrics["test_accuracy"]
    chance = 1 / data.n_classes
    assert accuracy["none"] < chance + 0.15, accuracy  # the task really needs delays
    assert accuracy["synaptic"] >= accuracy["none"] + 0.20, accuracy
