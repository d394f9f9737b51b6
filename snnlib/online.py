"""The online three-factor learner, advanced tick by tick (MODEL.md §5–8).

At every step it runs the network forward (:class:`~snnlib.network.StreamingNetwork`), updates
one eligibility trace per synapse and multiplies it by the learning signal of that same step:

    ε[t]  = α ε[t−1] + x̃[t]                      pre-synaptic factor
    ē[t]  = κ ē[t−1] + ψ[t] ε[t]                 × post-synaptic factor ψ
    ∂E/∂W += L[t] ē[t]                           × top-down signal L = Bᵀ (π − onehot) / |𝒲|

The delay traces mirror them with ``W · ∂x̃/∂D`` in place of ``x̃``. With the centred Gaussian
kernel, ∂x̃[t]/∂D needs input spikes up to ``t − D + w``, so the delay traces run ``w`` steps
behind the forward pass, reading old spikes from the same ring buffers and old ψ and L from
short queues of depth ``w + 1``. The ring buffers therefore hold ``d_max + 2w + 1`` steps: the
lag ``w`` plus the kernel's reach of ``d_max + w`` behind the lagged step.
"""
from __future__ import annotations

import numpy as np

from snnlib.config import SNNConfig, input_mask
from snnlib.delays import SpikeRing
from snnlib.network import StreamingNetwork, effective_input_weights, learning_signal, log_likelihood, loss_window
from snnlib.neurons import pseudo_derivative
from snnlib.surrogate import delay_taps
from snnlib.validation import check_labels, check_params


class _ProjectionTraces:
    """Eligibility traces of one delayed projection (input→hidden or hidden→hidden)."""

    def __init__(self, kind: str, wkey: str, dkey: str | None, ring: SpikeRing, batch: int,
                 n_post: int, n_pre: int, dtype):
        self.kind, self.wkey, self.dkey, self.ring = kind, wkey, dkey, ring
        per_post = kind in ("synaptic", "fixed")
        # x̃ is the same for every target neuron unless delays are per synapse
        self.eps = np.zeros((batch, n_post, n_pre) if per_post else (batch, 1, n_pre), dtype)
        self.ebar = np.zeros((batch, n_post, n_pre), dtype)
        self.learns_delay = kind in ("synaptic", "axonal")
        if self.learns_delay:
            self.eps_D = np.zeros((batch, n_post, n_pre), dtype)
            self.ebar_D = np.zeros((batch, n_post, n_pre), dtype)

    def weight_step(self, x_tilde, psi, L, alpha, kappa, grad):
        x_tilde = x_tilde if x_tilde.ndim == 3 else x_tilde[:, None, :]
        self.eps *= alpha
        self.eps += x_tilde
        self.ebar *= kappa
        self.ebar += psi[:, :, None] * self.eps
        if L is not None:
            grad += np.einsum("bj,bjp->jp", L, self.ebar)

    def delay_step(self, config, W, D, lag, psi, L, alpha, kappa, grad):
        """One lagged step of the delay traces: the derivative at step t − lag."""
        causal = config.kernel == "causal"
        d, ks, H = delay_taps(D, config.sigma, config.d_max, causal=causal, dtype=self.eps_D.dtype)
        dx = 0.0
        for n, k in enumerate(ks):
            if causal and k < 0:
                continue  # the causal kernel has no weight on future spikes
            if self.kind == "axonal":
                dx = dx + self.ring.gather_axonal(lag + d + k) * H[:, n]
            else:
                dx = dx + self.ring.gather(lag + d + k) * H[:, :, n]
        if self.kind == "axonal":
            dx = dx[:, None, :]
        self.eps_D *= alpha
        self.eps_D += W * dx
        self.ebar_D *= kappa
        self.ebar_D += psi[:, :, None] * self.eps_D
        if L is not None:
            contribution = np.einsum("bj,bjp->jp", L, self.ebar_D)
            grad += contribution.sum(0) if self.kind == "axonal" else contribution


class OnlineLearner:
    """Three-factor learning one step at a time; it computes updates, the caller applies them.

    Usage::

        optimizer = Adam(config, ...)
        learner = OnlineLearner(config, params, update_every=1,
                                on_update=lambda grads: optimizer.step(params, grads))
        learner.begin(labels, n_steps=T)
        for t in range(T):
            out = learner.step(x[:, t])     # forward one tick, traces, learning signal
        loss, grads = learner.finish()      # flushes the lagged delay traces, last update

    ``on_update(grads)`` is called with the gradients (means over the batch) accumulated since the last
    update: every ``update_every`` steps, and once more at ``finish()`` (``update_every=None``: only
    then, one update per sequence). What it does with them is the caller's business (an optimiser step,
    a log); the learner then starts accumulating afresh. Without ``on_update`` nothing is updated and
    ``finish()`` returns the gradients of the whole sequence. An update that replaces the arrays of
    ``params`` (as the optimisers do, in place) changes the forward pass from the next step on.
    """

    def __init__(self, config: SNNConfig, params: dict, update_every: int | None = None, on_update=None):
        check_params(config, params)
        if update_every is not None and (int(update_every) != update_every or update_every < 1):
            raise ValueError(f"update_every must be a whole number of steps >= 1, got {update_every!r}")
        if on_update is not None and not callable(on_update):
            raise ValueError(f"on_update must be a function of the gradients, got {type(on_update).__name__}")
        self.config, self.params, self.on_update = config, params, on_update
        self.update_every = update_every
        self.lag = config.lag
        self.net: StreamingNetwork | None = None

    # -- a new batch of sequences -----------------------------------------------------
    def begin(self, labels, n_steps: int) -> None:
        c = self.config
        labels = np.asarray(labels)
        if labels.ndim != 1:
            raise ValueError(f"labels must have shape (B,), got {labels.shape}")
        self.labels = check_labels(c, labels, labels.shape[0])
        B, N, M, dtype = labels.shape[0], c.n_hidden, c.n_in, c.np_dtype
        if int(n_steps) != n_steps or n_steps < 1 or c.loss_start >= n_steps:
            raise ValueError(f"n_steps must be an integer > loss_start={c.loss_start}, got {n_steps!r}")
        self.n_steps, self.batch = int(n_steps), B
        self.window = loss_window(c, self.n_steps)
        self.window_size = self.window.sum()
        self.net = StreamingNetwork(c, self.params, B, extra_depth=self.lag + c.w)
        self.traces = {"in": _ProjectionTraces(c.delays, "W_in", "D_in", self.net.in_ring, B, N, M, dtype)}
        if c.recurrent:
            self.traces["rec"] = _ProjectionTraces(c.rec_delays, "W_rec", "D_rec", self.net.rec_ring,
                                                   B, N, N, dtype)
        self.zbar = np.zeros((B, N), dtype)
        self.beta = 0.0  # Σ κ^s: the bias's trace
        self.psi_queue: list[np.ndarray] = []
        self.L_queue: list[np.ndarray | None] = []
        self.loss_sum = 0.0
        self.t = 0
        self._zero_grads()

    def _zero_grads(self) -> None:
        self.grads = {key: np.zeros_like(value) for key, value in self.params.items()}

    # -- one tick ----------------------------------------------------------------------
    def step(self, x_t):
        """Advance every sequence by one step with input ``x_t`` (B, M); returns the step's output."""
        if self.net is None:
            raise ValueError("call begin(labels, n_steps) before step()")
        if self.t >= self.n_steps:
            raise ValueError(f"all {self.n_steps} steps announced in begin() were already taken")
        x_t = np.asarray(x_t)
        if x_t.shape != (self.batch, self.config.n_in):
            raise ValueError(f"x_t must have shape (B, M) = ({self.batch}, {self.config.n_in}), got {x_t.shape}")
        if not np.all(np.isfinite(x_t)) or np.any(x_t < 0):
            raise ValueError("x_t must hold finite, non-negative spike counts")
        c, p, B = self.config, self.params, self.batch
        out = self.net.step(x_t)
        psi = pseudo_derivative(out.v, c.threshold, c.gamma, c.surrogate)
        L = None
        if self.window[self.t]:
            err = out.probs.copy()
            err[np.arange(B), self.labels] -= 1.0
            err /= self.window_size * B  # batch mean folded into the learning signal
            L = learning_signal(c, p, err)
            self.grads["W_out"] += err.T @ (c.kappa * self.zbar + out.z)
            self.grads["b_out"] += err.sum(0) * (c.kappa * self.beta + 1.0)
            self.loss_sum += float(-log_likelihood(out.probs, self.labels).sum() / (self.window_size * B))
        self.zbar = c.kappa * self.zbar + out.z
        self.beta = c.kappa * self.beta + 1.0
        self.traces["in"].weight_step(out.x_in, psi, L, c.alpha, c.kappa, self.grads["W_in"])
        if c.recurrent:
            self.traces["rec"].weight_step(out.x_rec, psi, L, c.alpha, c.kappa, self.grads["W_rec"])
        self.psi_queue.append(psi)
        self.L_queue.append(L)
        if len(self.psi_queue) > self.lag:
            self._delay_step()
        self.t += 1
        if self.update_every is not None and self.t % self.update_every == 0 and self.t < self.n_steps:
            self._apply_update()
        return out

    def _delay_step(self) -> None:
        """Delay traces for the oldest queued step (``lag`` steps behind the newest input)."""
        c, p = self.config, self.params
        psi, L = self.psi_queue.pop(0), self.L_queue.pop(0)
        for name, tr in self.traces.items():
            if tr.learns_delay:
                W = effective_input_weights(c, p) if name == "in" else p["W_rec"]
                tr.delay_step(c, W, p[tr.dkey], self.lag, psi, L, c.alpha, c.kappa, self.grads[tr.dkey])

    def _apply_update(self) -> None:
        mask = input_mask(self.config)
        if mask is not None:
            self.grads["W_in"] *= mask
        if self.on_update is not None:
            self.on_update(self.grads)
            self._zero_grads()

    # -- end of the sequence --------------------------------------------------------------
    def finish(self) -> tuple[float, dict[str, np.ndarray]]:
        """Flush the lagged delay traces, apply the last update; returns (mean loss, grads)."""
        if self.net is None or self.t != self.n_steps:
            raise ValueError(f"finish() needs all {getattr(self, 'n_steps', '?')} steps to be taken first")
        # the sources are zero after the sample ends: advance the rings with zeros so the
        # lagged reads stay aligned, and finish the queued delay steps
        while self.psi_queue:
            self.net.in_ring.push(np.zeros_like(self.net.in_ring.read(0)))
            if self.config.recurrent:
                self.net.rec_ring.push(np.zeros_like(self.net.rec_ring.read(0)))
            self._delay_step()
        grads = self.grads
        mask = input_mask(self.config)
        if mask is not None:
            grads["W_in"] *= mask
        if self.on_update is not None:
            self.on_update(grads)
        loss = self.loss_sum
        self.net = None
        return loss, grads
