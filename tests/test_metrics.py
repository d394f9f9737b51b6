"""Size, memory and latency accounting (MODEL.md §9) against hand-computed numbers."""
import numpy as np
import pytest

from snnlib import SNNConfig, forward, init_params, input_mask, predict
from snnlib.metrics import delay_bits, format_report, latency, memory, model_report, parameter_counts


def cfg(**kw):
    base = dict(n_in=3, n_hidden=2, n_out=2, d_max=15, dt=0.01)
    base.update(kw)
    return SNNConfig(**base)


@pytest.mark.parametrize("delays, weights, n_delays, learned", [
    # W_in 2x3 = 6, W_out 2x2 = 4, b_out 2  -> 12 weights
    ("none", 12, 0, 0),
    ("synaptic", 12, 6, 6),   # one delay per connection
    ("axonal", 12, 3, 3),     # one delay per input channel
    ("fixed", 12, 6, 0),      # stored, not learned
])
def test_feedforward_counts(delays, weights, n_delays, learned):
    p = parameter_counts(cfg(delays=delays))
    assert (p["weights"], p["delays"], p["learned_delays"], p["total"]) == (weights, n_delays, learned,
                                                                            weights + n_delays)


def test_recurrent_counts():
    # W_rec 2x2 = 4 more weights; synaptic recurrent delays 4, axonal 2
    p = parameter_counts(cfg(delays="synaptic", recurrent=True, rec_delays="synaptic"))
    assert p["per_array"] == {"W_in": 6, "D_in": 6, "W_rec": 4, "D_rec": 4, "W_out": 4, "b_out": 2}
    assert (p["weights"], p["delays"]) == (16, 10)
    p = parameter_counts(cfg(delays="axonal", recurrent=True, rec_delays="axonal"))
    assert (p["weights"], p["delays"]) == (16, 3 + 2)
    p = parameter_counts(cfg(delays="none", recurrent=True))
    assert (p["weights"], p["delays"]) == (16, 0)


def test_masked_connections_count_as_neither():
    # 4 hidden x 5 inputs = 20 connections, sparsity 0.75 removes round(15) -> 5 remain
    c = cfg(n_in=5, n_hidden=4, delays="synaptic", sparsity=0.75)
    p = parameter_counts(c)
    assert p["per_array"]["W_in"] == 5 and p["per_array"]["D_in"] == 5
    assert p["weights"] == 5 + 2 * 4 + 2
    # axonal: a channel keeps its delay only if one of its connections survives
    mask = input_mask(c)
    alive = sum(1 for i in range(5) if any(mask[j, i] for j in range(4)))
    assert parameter_counts(c.replace(delays="axonal"))["delays"] == alive


@pytest.mark.parametrize("d_max, bits", [(0, 0), (1, 1), (2, 2), (3, 2), (15, 4), (16, 5), (25, 5), (63, 6)])
def test_delay_bits(d_max, bits):
    assert delay_bits(d_max) == bits


def test_memory_of_a_small_synaptic_network():
    m = memory(cfg(delays="synaptic"), weight_bits=(8, 32))
    assert m["delay_bits"] == 4                        # d_max = 15
    assert m["weights_bytes"] == {8: 12.0, 32: 48.0}   # 12 weights
    assert m["delays_bytes"] == 6 * 4 / 8              # 6 delays x 4 bits
    assert m["buffer_sources"] == 3                    # one ring per input channel
    assert m["buffer_bits"] == 3 * 16                  # depth d_max + 1, one bit per step
    assert m["total_bytes"][8] == 12 + 3 + 6


def test_memory_counts_recurrent_buffers_and_none_has_no_buffers():
    m = memory(cfg(delays="axonal", recurrent=True, rec_delays="synaptic", d_max=7))
    assert m["buffer_sources"] == 3 + 2 and m["buffer_bits"] == 5 * 8
    m = memory(cfg(delays="none"))
    assert m["buffer_bits"] == 0 and m["delays_bytes"] == 0


def test_latency_per_delayed_layer():
    assert latency(cfg(delays="none"))["added_latency_s"] == 0
    assert latency(cfg(delays="synaptic", d_max=25))["added_latency_s"] == pytest.approx(0.25)
    assert latency(cfg(delays="synaptic", recurrent=True, rec_delays="axonal", d_max=25))["added_latency_s"] \
        == pytest.approx(0.5)
    assert latency(cfg(delays="none", recurrent=True, rec_delays="axonal", d_max=10))["added_latency_s"] \
        == pytest.approx(0.1)


def test_latency_of_the_delays_present():
    c = cfg(delays="synaptic")
    params = init_params(c)
    params["D_in"] = np.array([[0.2, 3.4, 6.6], [1.0, 2.0, 0.0]], dtype=params["D_in"].dtype)  # largest -> 7
    assert latency(c, params)["added_latency_present_s"] == pytest.approx(0.07)


def test_report_accuracy_matches_an_independent_count():
    c = cfg(n_in=6, n_hidden=8, n_out=3, delays="synaptic", dtype="float64")
    params = init_params(c)
    rng = np.random.default_rng(0)
    x = (rng.random((40, 20, 6)) < 0.2).astype(float)
    labels = rng.integers(0, 3, 40)
    expected = np.mean(predict(c, forward(c, params, x).probs) == labels)
    report = model_report(c, params, x, labels, batch_size=16)
    assert report["accuracy"] == pytest.approx(expected)
    assert report["n_samples"] == 40 and report["inference_s_per_sample"] > 0
    text = format_report(report)
    assert "accuracy" in text and "delays" in text
