"""course.record_synapse: one synapse's three factors, checked against hand recurrences and BPTT."""
import numpy as np
import pytest

import snnlib
from snnlib import course


def _network(delays, seed=3):
    config = snnlib.SNNConfig(n_in=5, n_hidden=4, n_out=3, delays=delays, d_max=6, sigma=1.0, dtype="float64",
                              seed=seed)
    params = snnlib.init_params(config)
    params["W_in"] = params["W_in"] * 3.0                 # enough drive for spikes, so ψ and L are not all 0
    rng = np.random.default_rng(seed)
    x = (rng.random((1, 40, 5)) < 0.3).astype(float)
    return config, params, x, np.array([1])


@pytest.mark.parametrize("delays", ["synaptic", "axonal"])
@pytest.mark.parametrize("j, i", [(0, 0), (1, 3)])
def test_the_record_matches_hand_recurrences_and_bptt(delays, j, i):
    config, params, x, labels = _network(delays)
    rec = course.record_synapse(snnlib.OnlineLearner(config, params), x, labels, j=j, i=i)
    T = x.shape[1]
    assert rec["x_tilde"].sum() > 0 and np.abs(rec["grad_W"][-1]) > 1e-6     # the synapse takes part: not a 0 = 0 check
    loss, grads = snnlib.bptt_gradients(config, params, x, labels)      # an independent engine
    assert rec["loss"] == pytest.approx(loss, rel=1e-12)
    assert rec["grad_W"][-1] == pytest.approx(grads["W_in"][j, i], rel=1e-9, abs=1e-14)
    D_bptt = grads["D_in"][j, i] if delays == "synaptic" else grads["D_in"][i]
    D_rec = rec["grads"]["D_in"][j, i] if delays == "synaptic" else rec["grads"]["D_in"][i]
    assert D_rec == pytest.approx(D_bptt, rel=1e-9, abs=1e-14) and abs(D_bptt) > 1e-6
    # the delayed input is input i shifted by its rounded delay (by hand)
    D = params["D_in"][j, i] if delays == "synaptic" else params["D_in"][i]
    d = int(np.clip(np.floor(D + 0.5), 0, config.d_max))
    assert np.array_equal(rec["x_tilde"], np.concatenate([np.zeros(d), x[0, :T - d, i]]))
    # v is the forward pass's membrane potential of neuron j
    assert np.allclose(rec["v"], snnlib.forward(config, params, x).v[0, :, j], rtol=0, atol=1e-12)
    # the contract's recurrences (MODEL.md §5): ε[t] = α ε[t−1] + x̃[t], ē[t] = κ ē[t−1] + ψ[t] ε[t], g = Σ L ē
    eps = ebar = grad = 0.0
    for t in range(T):
        eps = config.alpha * eps + rec["x_tilde"][t]
        ebar = config.kappa * ebar + rec["psi"][t] * eps
        grad += rec["L"][t] * ebar
        assert rec["eps"][t] == pytest.approx(eps, abs=1e-12) and rec["ebar"][t] == pytest.approx(ebar, abs=1e-12)
        assert rec["grad_W"][t] == pytest.approx(grad, abs=1e-12)
    # the delay traces run `lag` steps behind: their last `lag` entries are computed by finish(), recorded as NaN
    lag = rec["lag"]
    assert lag == int(np.ceil(3 * config.sigma)) and np.isnan(rec["grad_D"][T - lag:]).all()
    assert np.isfinite(rec["grad_D"][:T - lag]).all()


def test_no_delay_traces_without_learned_delays_and_bad_input_refused():
    config, params, x, labels = _network("none")
    rec = course.record_synapse(snnlib.OnlineLearner(config, params), x, labels)
    assert "grad_D" not in rec and "eps_D" not in rec
    assert rec["grad_W"][-1] == pytest.approx(snnlib.bptt_gradients(config, params, x, labels)[1]["W_in"][0, 0],
                                              rel=1e-9, abs=1e-14)
    with pytest.raises(ValueError, match="applies no updates"):
        course.record_synapse(snnlib.OnlineLearner(config, params, on_update=print), x, labels)
    with pytest.raises(ValueError, match="one sample"):
        course.record_synapse(snnlib.OnlineLearner(config, params), np.concatenate([x, x]), np.array([1, 0]))
