"""snnlib: three-factor delay learning rules for spiking neural networks, in NumPy.

The public interface (see README.md and MODEL.md):

>>> import numpy as np, snnlib
>>> config = snnlib.SNNConfig(n_in=20, n_hidden=16, n_out=3, delays="synaptic", dtype="float64")
>>> params = snnlib.init_params(config)
>>> x = (np.random.default_rng(0).random((4, 30, 20)) < 0.1).astype(float)
>>> loss, grads = snnlib.online_gradients(config, params, x, np.array([0, 1, 2, 0]))
>>> sorted(grads) == sorted(params)
True
"""
from snnlib.bptt import bptt_gradients
from snnlib.config import SNNConfig, input_mask
from snnlib.network import (ForwardResult, StreamingNetwork, cross_entropy, feedback_matrix,
                            forward, init_params, predict)
from snnlib.gradients import evaluate, gradients, online_gradients
from snnlib.online import OnlineLearner
from snnlib.optim import SGD, Adam

__version__ = "0.1.0"

__all__ = [
    "SNNConfig", "init_params", "forward", "gradients", "online_gradients", "bptt_gradients",
    "OnlineLearner", "StreamingNetwork", "ForwardResult", "Adam", "SGD",
    "evaluate", "predict", "cross_entropy", "feedback_matrix", "input_mask",
]
