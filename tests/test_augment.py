"""Training-data augmentation: channel shifts and time stretches of binned samples, and the trainer's use of them.

The expected batches are built spike by spike in plain Python from the draws the documentation promises (B shifts,
then B factors, from the generator given), not with the vectorised code under test.
"""
import numpy as np
import pytest

import snnlib.train_loop as train_loop
from snnlib import SNNConfig
from snnlib.data import DataError, augment_batch
from snnlib.train import Dataset, SpikeArrays, TrainConfig, train


def by_hand(x, seed, shift, stretch):
    rng = np.random.default_rng(seed)
    B, T, M = x.shape
    shifts = rng.integers(-shift, shift + 1, size=B) if shift else [0] * B
    factors = rng.uniform(1 - stretch, 1 + stretch, size=B) if stretch else [1.0] * B
    out = np.zeros_like(x)
    for b in range(B):
        for t in range(T):
            for m in range(M):
                if x[b, t, m]:
                    t2, m2 = round(t * factors[b]), m + shifts[b]  # round(): halves to even, like np.rint
                    if t2 < T and 0 <= m2 < M:
                        out[b, t2, m2] += x[b, t, m]
    return out, shifts, factors


@pytest.mark.parametrize("shift, stretch", [(2, 0.0), (0, 0.2), (3, 0.1), (1, 0.5)])
def test_every_spike_lands_where_its_samples_draws_send_it(shift, stretch):
    rng = np.random.default_rng(5)
    x = (rng.random((6, 30, 9)) < 0.15) * rng.integers(1, 4, (6, 30, 9))
    got = augment_batch(x.astype(np.float32), np.random.default_rng(11), shift=shift, stretch=stretch)
    want, _, _ = by_hand(x.astype(np.float32), 11, shift, stretch)
    np.testing.assert_array_equal(got, want)
    assert got.dtype == np.float32


def test_one_spike_worked_out_by_hand():
    x = np.zeros((1, 20, 10), np.uint8)
    x[0, 10, 3] = 1
    _, shifts, factors = by_hand(x, 0, 2, 0.2)
    got = augment_batch(x, np.random.default_rng(0), shift=2, stretch=0.2)
    t, m = np.argwhere(got[0])[0]
    assert (t, m) == (round(10 * factors[0]), 3 + shifts[0]) and got.sum() == 1 and got.dtype == np.uint8


def test_spikes_are_kept_unless_pushed_out_of_the_window_or_the_channels():
    x = np.zeros((50, 40, 12), np.float32)
    x[:, 5:20, 4:8] = 1  # far from every edge for shifts up to 3 and factors up to 1.5
    got = augment_batch(x, np.random.default_rng(1), shift=3, stretch=0.5)
    np.testing.assert_array_equal(got.sum(axis=(1, 2)), x.sum(axis=(1, 2)))
    edge = np.zeros((1, 10, 4), np.float32)
    edge[0, 9, :] = 1  # the last step: any factor > 1 pushes it out
    shifted_out = augment_batch(np.repeat(edge, 200, 0), np.random.default_rng(2), stretch=0.5)
    assert 0 < shifted_out.sum() < 200 * 4


def test_each_sample_gets_its_own_draw_and_the_same_seed_the_same_batch():
    x = np.zeros((40, 10, 20), np.float32)
    x[:, 0, 10] = 1
    a = augment_batch(x, np.random.default_rng(3), shift=4)
    channels = np.argwhere(a[:, 0])[:, 1]
    assert set(channels) == set(range(6, 15))  # all nine shifts -4..4 occur among 40 samples
    np.testing.assert_array_equal(a, augment_batch(x, np.random.default_rng(3), shift=4))


def test_nothing_asked_nothing_changed():
    x = np.ones((2, 3, 4))
    assert augment_batch(x, np.random.default_rng(0)) is x


@pytest.mark.parametrize("kw, message", [
    (dict(shift=-1), "augment_shift"), (dict(shift=1.5), "augment_shift"), (dict(shift=True), "augment_shift"),
    (dict(stretch=0.6), "augment_stretch"), (dict(stretch=-0.1), "augment_stretch"),
    (dict(stretch=float("nan")), "augment_stretch"), (dict(shift=4), "moves every spike off the 4 input"),
])
def test_bad_settings_are_refused_with_their_name(kw, message):
    with pytest.raises(DataError, match=message):
        augment_batch(np.zeros((1, 3, 4)), np.random.default_rng(0), **kw)


def test_a_batch_must_be_binned_samples():
    with pytest.raises(DataError, match=r"\(B, T, M\)"):
        augment_batch(np.zeros((3, 4)), np.random.default_rng(0), shift=1)


# ----------------------------------------------------------------------------- in the trainer
def tiny():
    rng = np.random.default_rng(0)
    x = (rng.random((64, 16, 6)) < 0.2).astype(np.uint8)
    y = rng.integers(0, 3, 64)
    part = lambda a, b: SpikeArrays(x[a:b], y[a:b])  # noqa: E731
    return Dataset(train=part(0, 40), valid=part(40, 52), test=part(52, 64), class_names=["a", "b", "c"], dt=0.01)


MC = SNNConfig(n_in=6, n_hidden=5, n_out=3, delays="synaptic", d_max=4, dtype="float64", seed=3)
TC = TrainConfig(epochs=2, batch_size=16, lr_schedule="constant", callback_every=1, augment_shift=2,
                 augment_stretch=0.2)


def test_the_trainer_changes_training_batches_only_with_a_generator_per_epoch_and_batch(monkeypatch):
    data = tiny()
    before = {name: getattr(data, name).x.copy() for name in ("train", "valid", "test")}
    seen = []

    def recording(x, rng, **kw):
        out = augment_batch(x, rng, **kw)
        seen.append((x.copy(), out, kw))
        return out

    monkeypatch.setattr(train_loop, "augment_batch", recording)
    train(MC, TC, data)
    assert len(seen) == 2 * 3  # every training batch of both epochs, nothing else
    for i, (x, out, kw) in enumerate(seen):
        epoch, batch = divmod(i, 3)
        want, _, _ = by_hand(x, [TC.seed, train_loop.AUGMENT_STREAM, epoch, batch], 2, 0.2)
        np.testing.assert_array_equal(out, want)
        assert kw == dict(shift=2, stretch=0.2)
    for name, x in before.items():  # the data in memory is never changed
        np.testing.assert_array_equal(getattr(data, name).x, x)


def test_augmented_training_is_reproducible_differs_from_plain_and_resumes_exactly(tmp_path):
    data = tiny()
    a, b = train(MC, TC, data), train(MC, TC, data)
    np.testing.assert_array_equal(a.params["W_in"], b.params["W_in"])
    plain = train(MC, TC.replace(augment_shift=0, augment_stretch=0.0), data)
    assert not np.array_equal(a.params["W_in"], plain.params["W_in"])
    cut = train(MC, TC, data, out_dir=tmp_path, callback=lambda e: not (e.kind == "batch" and e.epoch == 2))
    assert cut.status == "stopped" and cut.position == (1, 1)  # stopped inside the second epoch
    resumed = train(MC, TC, data, out_dir=tmp_path, resume=True)
    for key in a.params:
        np.testing.assert_array_equal(resumed.params[key], a.params[key])
    assert resumed.metrics["test_accuracy"] == a.metrics["test_accuracy"]


def test_the_trainer_refuses_bad_augmentation_before_any_work():
    with pytest.raises(ValueError, match="augment_stretch"):
        TrainConfig(augment_stretch=1.0)
    with pytest.raises(ValueError, match="augment_shift"):
        TrainConfig(augment_shift=-2)
    with pytest.raises(ValueError, match="off the 6 input channels"):
        train(MC, TC.replace(augment_shift=6), tiny())


def test_a_checkpoint_from_before_augmentation_existed_counts_as_trained_without_it():
    from snnlib.train_report import resumable

    old = {k: v for k, v in TrainConfig().to_dict().items() if not k.startswith("augment_")}
    assert resumable(old) == resumable(TrainConfig().to_dict())
    assert resumable(old) != resumable(TrainConfig(augment_shift=1).to_dict())


def test_counts_merged_beyond_an_integer_dtype_are_kept_in_a_wider_one():
    x = np.full((1, 40, 2), 200, np.uint8)
    factor = np.random.default_rng(3).uniform(0.5, 1.5)  # the first and only draw with seed 3: 0.586
    assert factor < 1  # so some neighbouring steps land on the same step: 400 spikes there
    got = augment_batch(x, np.random.default_rng(3), stretch=0.5)
    want, _, _ = by_hand(x.astype(np.int64), 3, 0, 0.5)
    np.testing.assert_array_equal(got, want)
    assert got.max() == 400 and got.dtype == np.uint16 and got.sum() == x.sum()
    slower = augment_batch(x, np.random.default_rng(0), stretch=0.5)  # factor 1.137: nothing merges
    assert slower.dtype == np.uint8 and slower.max() == 200


def test_only_numbers_can_be_augmented():
    with pytest.raises(DataError, match="dtype bool"):
        augment_batch(np.zeros((1, 3, 4), bool), np.random.default_rng(0), shift=1)
