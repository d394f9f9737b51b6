"""Small argument checks shared by the configuration classes (one message for each kind of mistake)."""
from __future__ import annotations

import numpy as np


def check_int(name: str, value, minimum: int) -> None:
    """Refuse anything but an integer (a NumPy integer too, never a bool) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def check_choice(name: str, value, allowed: tuple[str, ...]) -> None:
    """Refuse a value outside ``allowed``, naming the allowed ones."""
    if value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; expected one of {', '.join(allowed)}")
