"""Small models the course's notebooks study: one coincidence-detecting neuron and a bank of them
(notebook 01), the two-input delay toy (notebook 03) and the recorder of one synapse's three
factors (notebook 04). Each runs on the library's model; none trains anything at scale.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# ----------------------------------------------------------------------------- small demo models
def coincidence_neuron(input_times, delays=(0, 0), weight: float = 0.6, tau_mem: float = 0.010,
                       dt: float = 0.001, n_steps: int = 80, threshold: float = 1.0, decay: str = "exact"):
    """One LIF neuron with one spike per input channel, simulated by :func:`snnlib.forward`.

    input_times: (M,) step of each input spike (a value outside ``0 … n_steps-1`` means no spike);
    delays: (M,) integer synaptic delays, steps; weight: every input weight (units of the threshold);
    tau_mem, dt: seconds. Returns ``(v, z, x)``: (T,) membrane potential, (T,) spikes, (T, M) inputs.
    """
    import snnlib

    input_times = np.atleast_1d(np.asarray(input_times, dtype=np.int64))
    delays = np.broadcast_to(np.asarray(delays, dtype=float), input_times.shape)
    M = input_times.size
    x = np.zeros((1, n_steps, M))
    for i, t in enumerate(input_times):
        if 0 <= t < n_steps:
            x[0, t, i] = 1.0
    d_max = max(int(np.max(delays, initial=0)), 1)
    config = snnlib.SNNConfig(n_in=M, n_hidden=1, n_out=2, delays="synaptic", d_max=d_max, tau_mem=tau_mem,
                              tau_out=tau_mem, dt=dt, threshold=threshold, decay=decay, dtype="float64")
    params = snnlib.init_params(config)
    params["W_in"] = np.full((1, M), float(weight))
    params["D_in"] = delays.reshape(1, M).copy()
    out = snnlib.forward(config, params, x)
    return out.v[0, :, 0], out.z[0, :, 0], x[0]


def delay_bank(input_times, max_delay: int = 20, weight: float = 0.6, tau_mem: float = 0.005,
               dt: float = 0.001, n_steps: int = 80):
    """A Jeffress-style bank: neuron j delays input A by j steps and input B by ``max_delay − j``.

    input_times: (t_A, t_B) spike steps. Neuron j's delayed spikes coincide when
    ``t_A + j = t_B + max_delay − j``, i.e. ``j = (t_B − t_A + max_delay) / 2``.
    Returns ``(delays, counts, v, z)``: (J, 2) integer delays, (J,) spike count per neuron, (T, J) potentials
    and spikes (J = max_delay + 1 neurons).
    """
    import snnlib

    J = max_delay + 1
    x = np.zeros((1, n_steps, 2))
    for i, t in enumerate(input_times):
        if 0 <= t < n_steps:
            x[0, int(t), i] = 1.0
    j = np.arange(J)
    delays = np.stack([j, max_delay - j], axis=1)
    config = snnlib.SNNConfig(n_in=2, n_hidden=J, n_out=2, delays="synaptic", d_max=max_delay, tau_mem=tau_mem,
                              tau_out=tau_mem, dt=dt, dtype="float64")
    params = snnlib.init_params(config)
    params["W_in"] = np.full((J, 2), float(weight))
    params["D_in"] = delays.astype(float)
    out = snnlib.forward(config, params, x)
    return delays, out.z[0].sum(0).astype(np.int64), out.v[0], out.z[0]


# ----------------------------------------------------------------------------- the delay toy (notebook 03)
@dataclass(frozen=True)
class DelayToy:
    """Two inputs, one hidden neuron, two classes: input A (delay D) must meet input B to make a spike.

    Times in steps of ``dt`` = 1 ms. The hidden neuron's spike votes for class 0 (the label), so the
    loss drops when the delayed spike of A arrives within the coincidence window around B.
    """

    t_a: int = 10
    t_b: int = 30
    n_steps: int = 60
    weight: float = 0.6
    tau_mem: float = 0.010
    tau_out: float = 0.030
    d_max: int = 40
    loss_start: int = 30

    def network(self, sigma: float = 1.0, kernel: str = "centered"):
        """``(config, params, x, labels)`` for delay D = 0 on input A (set ``params["D_in"][0, 0]``)."""
        import snnlib

        config = snnlib.SNNConfig(n_in=2, n_hidden=1, n_out=2, delays="synaptic", d_max=self.d_max, sigma=sigma,
                                  kernel=kernel, tau_mem=self.tau_mem, tau_out=self.tau_out, dt=0.001,
                                  loss_start=self.loss_start,
                                  dtype="float64")
        params = snnlib.init_params(config)
        params["W_in"] = np.array([[self.weight, self.weight]])
        params["D_in"] = np.zeros((1, 2))
        params["W_out"] = np.array([[1.0], [-1.0]])
        params["b_out"] = np.zeros(2)
        x = np.zeros((1, self.n_steps, 2))
        x[0, self.t_a, 0] = 1.0
        x[0, self.t_b, 1] = 1.0
        return config, params, x, np.array([0])

    def landscape(self, D_grid, sigma: float = 1.0, kernel: str = "centered", method: str = "fast"):
        """Loss and surrogate gradient ∂E/∂D at each delay of ``D_grid`` (G,).

        ``method``: ``"fast"`` (the online rule's batched engine, :func:`snnlib.online_gradients`,
        the quickest), ``"stepwise"`` (the same rule tick by tick) or ``"bptt"``
        (:func:`snnlib.bptt_gradients`); for this feedforward network all three give the same
        numbers up to rounding (MODEL.md §7).
        Returns ``(loss, gradient, integral)``, each (G,): the true loss of the forward pass (it only
        changes where the integer delay does), the surrogate gradient, and the surrogate's picture of
        the loss — ``loss[0]`` plus the running integral of the gradient (trapezoids).
        """
        import snnlib

        if method not in ("bptt", "stepwise", "fast"):
            raise ValueError(f"unknown method {method!r}; expected 'bptt', 'stepwise' or 'fast'")
        config, params, x, labels = self.network(sigma, kernel)
        D_grid = np.asarray(D_grid, dtype=float)
        loss = np.empty(D_grid.shape)
        grad = np.empty(D_grid.shape)
        for n, D in enumerate(D_grid):
            params["D_in"] = np.array([[D, 0.0]])
            if method == "bptt":
                loss[n], g = snnlib.bptt_gradients(config, params, x, labels)
            else:
                loss[n], g = snnlib.online_gradients(config, params, x, labels, engine=method)
            grad[n] = g["D_in"][0, 0]
        steps = np.diff(D_grid) * 0.5 * (grad[1:] + grad[:-1])
        integral = loss[0] + np.concatenate([[0.0], np.cumsum(steps)])
        return loss, grad, integral

    def firing_delays(self) -> np.ndarray:
        """The integer delays of input A (0 … d_max) for which the hidden neuron fires, by simulation."""
        import snnlib

        config, params, x, _ = self.network()
        fires = []
        for d in range(self.d_max + 1):
            params["D_in"] = np.array([[float(d), 0.0]])
            fires.append(snnlib.forward(config, params, x).z.any())
        return np.nonzero(fires)[0]

    def current_credit(self, D: float, sigma: float = 1.0) -> np.ndarray:
        """(T,) ``u[t] = ∂E/∂I[t]``: the surrogate BPTT's credit for input current at each step, at delay D.

        Read from the weight gradients of zero-weight probe channels, one per step (channel ``2 + t``
        spikes only at step t, so ``∂E/∂W_probe = Σ_t' u[t'] x_probe[t'] = u[t]``); the probes do not
        change the forward pass. The delay gradient is then ``∂E/∂D = W_A Σ_t u[t] h(t − t_a − D)``.
        """
        import snnlib

        config, params, x, labels = self.network(sigma)
        T = self.n_steps
        config = config.replace(n_in=2 + T)
        probes = np.zeros((1, T, T))
        probes[0, np.arange(T), np.arange(T)] = 1.0
        x = np.concatenate([x, probes], axis=2)
        params["W_in"] = np.concatenate([params["W_in"], np.zeros((1, T))], axis=1)
        params["D_in"] = np.concatenate([np.array([[float(D), 0.0]]), np.zeros((1, T))], axis=1)
        _, grads = snnlib.bptt_gradients(config, params, x, labels)
        return grads["W_in"][0, 2:]

    def train_delay(self, schedule, D0: float, n_updates: int = 60, lr: float = 0.5):
        """Learn only input A's delay from ``D0`` with Adam (learning rate ``lr`` steps), weights fixed,
        with the online rule's gradients (:func:`snnlib.online_gradients`, the batched engine).

        ``schedule(update) -> sigma`` gives σ at each update (a constant, or an annealing schedule).
        Returns ``(path, final_loss)``: (n_updates + 1,) delays and the true loss at the end.
        """
        import snnlib

        config, params, x, labels = self.network()
        params["D_in"] = np.array([[float(D0), 0.0]])
        optimizer = snnlib.Adam(config, lr_weights=0.0, lr_delays=lr)
        path = [float(D0)]
        for update in range(n_updates):
            _, grads = snnlib.online_gradients(config.replace(sigma=float(schedule(update))), params, x, labels,
                                               engine="fast")
            optimizer.step(params, {key: g if key == "D_in" else np.zeros_like(g) for key, g in grads.items()})
            path.append(float(params["D_in"][0, 0]))
        return np.array(path), float(snnlib.evaluate(config, params, x, labels)[0])


# ----------------------------------------------------------------------------- tracing one synapse (notebook 04)
def record_synapse(learner, x, labels, j: int = 0, i: int = 0) -> dict[str, np.ndarray]:
    """Drive ``learner`` (an :class:`snnlib.OnlineLearner`) through one sample, tick by tick, and record
    the three factors of synapse ``i → j``.

    x: (1, T, M) spike counts; labels: (1,). Returns {name: (T,) array} with ``x_tilde``, ``v``, ``psi``,
    ``eps``, ``ebar``, ``L`` (at their own step), ``eps_D``, ``ebar_D`` (the delay traces run
    ``learner.lag`` steps behind: the value recorded at step t was computed when the forward pass was
    at t + lag; the last ``lag`` steps are computed by ``finish()`` and recorded as NaN), ``grad_W``,
    ``grad_D`` (the gradient accumulated up to each tick), plus ``lag`` and the final ``grads``.
    Reads the learner's trace arrays (``learner.traces["in"]``); the learner must apply no updates
    (no ``on_update``).
    """
    from snnlib.network import feedback_matrix
    from snnlib.neurons import pseudo_derivative

    if learner.on_update is not None:
        raise ValueError("record_synapse needs a learner that applies no updates (no on_update): "
                         "it reports the plain gradient")
    config, params = learner.config, learner.params
    x = np.asarray(x, dtype=config.np_dtype)
    if x.ndim != 3 or x.shape[0] != 1:
        raise ValueError(f"x must hold one sample, shape (1, T, M); got {x.shape}")
    T = x.shape[1]
    nan = np.full(T, np.nan)
    rec = {key: nan.copy() for key in ("x_tilde", "v", "psi", "eps", "ebar", "L", "eps_D", "ebar_D",
                                       "grad_W", "grad_D")}
    learner.begin(labels, T)
    lag = learner.lag
    traces = learner.traces["in"]
    B_fb = feedback_matrix(config, params)
    for t in range(T):
        out = learner.step(x[:, t])
        x_in = out.x_in[0, j, i] if out.x_in.ndim == 3 else out.x_in[0, i]
        rec["x_tilde"][t] = x_in
        rec["v"][t] = out.v[0, j]
        rec["psi"][t] = pseudo_derivative(out.v, config.threshold, config.gamma, config.surrogate)[0, j]
        err = out.probs[0].copy()
        err[int(labels[0])] -= 1.0
        in_window = t >= config.loss_start
        rec["L"][t] = (err @ B_fb)[j] / (T - config.loss_start) if in_window else 0.0
        rec["eps"][t] = traces.eps[0, min(j, traces.eps.shape[1] - 1), i]
        rec["ebar"][t] = traces.ebar[0, j, i]
        rec["grad_W"][t] = learner.grads["W_in"][j, i]
        if traces.learns_delay and t - lag >= 0:
            rec["eps_D"][t - lag] = traces.eps_D[0, j, i]
            rec["ebar_D"][t - lag] = traces.ebar_D[0, j, i]
            D_grad = learner.grads["D_in"]
            rec["grad_D"][t - lag] = D_grad[j, i] if D_grad.ndim == 2 else D_grad[i]
    loss, grads = learner.finish()
    if not traces.learns_delay:
        for key in ("eps_D", "ebar_D", "grad_D"):
            rec.pop(key)
    rec["lag"] = lag
    rec["loss"] = loss
    rec["grads"] = grads
    return rec
