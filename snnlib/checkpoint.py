"""Checkpoints: arrays in an ``.npz`` file, everything else in JSON, written atomically, never pickled.

A checkpoint in a folder ``DIR`` is two files::

    DIR/checkpoint.json              format, the state (epoch, RNG state, history, configs, ...),
                                     the name of the array file and its sha256
    DIR/checkpoint-<sha256[:16]>.npz the arrays (parameters, optimiser moments), saved without pickle

Writing order makes every moment safe: the new ``.npz`` is written under a temporary name and renamed, then the JSON
is written the same way (the rename is atomic on POSIX and Windows), then the previous ``.npz`` is removed. A crash at
any point leaves ``checkpoint.json`` pointing at a complete array file whose checksum it holds.

Loading reads the JSON, checks the format, hashes the array file and compares it with the stored sha256 before a
single array is parsed; ``np.load(..., allow_pickle=False)`` then reads plain arrays only. Anything that does not
match raises :class:`CheckpointError` and nothing is loaded.

Every file this package writes for a training run (checkpoints, ``metrics.json``, ``log.csv``) goes through
:func:`write_atomic`, the one place that touches the disk.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from snnlib import _io

FORMAT = "snnlib-checkpoint/1"
JSON_NAME = "checkpoint.json"


class CheckpointError(ValueError):
    """A checkpoint is missing, damaged or does not belong to this run; the message says which and what to do."""


def write_atomic(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically: a temporary file in the same folder, flushed, then renamed (see
    :func:`snnlib._io.write_bytes`; the file gets the usual permissions, 0644 under umask 022).

    Raises ``OSError`` (disk full, permission denied, ...) after removing the temporary file, so a failed write
    never leaves a partial file at ``path``.
    """
    return _io.write_bytes(path, data)


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """The ``.npz`` encoding of a dict of plain (numeric) arrays; object arrays are refused (no pickle)."""
    for key, value in arrays.items():
        if np.asarray(value).dtype.hasobject:
            raise ValueError(f"array {key!r} holds Python objects; a checkpoint stores numeric arrays only")
    buffer = io.BytesIO()
    np.savez(buffer, **{key: np.asarray(value) for key, value in arrays.items()})
    return buffer.getvalue()


def save_checkpoint(directory, arrays: dict[str, np.ndarray], state: dict) -> Path:
    """Write a checkpoint into ``directory`` (see the module docstring). Returns the JSON's path.

    arrays: name -> numeric array (names may contain ``/``); state: anything ``json.dumps`` accepts (Python ints
    of any size included, e.g. a NumPy ``bit_generator.state``).
    """
    directory = Path(directory)
    data = npz_bytes(arrays)
    digest = sha256_bytes(data)
    npz_name = f"checkpoint-{digest[:16]}.npz"
    previous = _referenced_npz(directory)
    write_atomic(directory / npz_name, data)
    document = {"format": FORMAT, "arrays": npz_name, "sha256": digest, "state": state}
    write_atomic(directory / JSON_NAME, (json.dumps(document, indent=1, sort_keys=True) + "\n").encode())
    if previous is not None and previous != npz_name:
        try:
            (directory / previous).unlink()
        except OSError:
            pass  # a stale array file is harmless: the JSON no longer refers to it
    return directory / JSON_NAME


def checkpoint_path(path) -> Path:
    """The ``checkpoint.json`` for ``path``: the file itself, or the one inside a folder."""
    path = Path(path)
    return path / JSON_NAME if path.is_dir() else path


def has_checkpoint(directory) -> bool:
    """True if ``directory`` holds a ``checkpoint.json`` (its validity is checked by :func:`load_checkpoint`)."""
    return (Path(directory) / JSON_NAME).is_file()


def load_checkpoint(path) -> tuple[dict[str, np.ndarray], dict]:
    """Read and verify a checkpoint; ``path`` is its folder or its ``checkpoint.json``.

    Returns ``(arrays, state)``. Raises :class:`CheckpointError` if the JSON is unreadable or of another format, the
    array file is missing, its sha256 differs from the recorded one, or it is not a plain ``.npz``.
    """
    json_path = checkpoint_path(path)
    if not json_path.is_file():
        raise CheckpointError(f"no checkpoint at {json_path}; train first (python -m snnlib train ... --out DIR)")
    try:
        document = json.loads(json_path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{json_path} is damaged ({exc}); refusing to load it — train again or restore "
                              "a copy") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        found = document.get("format") if isinstance(document, dict) else type(document).__name__
        raise CheckpointError(f"{json_path} is not an snnlib checkpoint of format {FORMAT!r} (found {found!r})")
    for key in ("arrays", "sha256", "state"):
        if key not in document:
            raise CheckpointError(f"{json_path} lacks the field {key!r}; refusing to load a damaged checkpoint")
    if not isinstance(document["arrays"], str) or not isinstance(document["sha256"], str) \
            or not isinstance(document["state"], dict):
        raise CheckpointError(f"{json_path} is damaged: 'arrays' and 'sha256' must be strings and 'state' an "
                              "object; refusing to load it — train again or restore a copy")
    name = document["arrays"]
    if Path(name).name != name or name in ("", ".", ".."):
        raise CheckpointError(f"{json_path} names the array file {name!r}, which is not inside its folder")
    npz_path = json_path.parent / name
    try:
        data = npz_path.read_bytes()
    except OSError as exc:
        raise CheckpointError(f"{npz_path}: cannot read the checkpoint's arrays ({exc.strerror or exc})") from None
    digest = sha256_bytes(data)
    if digest != document["sha256"]:
        raise CheckpointError(
            f"{npz_path} is corrupt: its sha256 is {digest[:16]}…, the checkpoint recorded "
            f"{str(document['sha256'])[:16]}…; refusing to load it — train again or restore a copy")
    # a matching hash but not an npz (the JSON re-sealed over another file): refuse whatever the parser says
    if not data.startswith(b"PK"):
        raise CheckpointError(f"{npz_path} is not a .npz archive (it does not start like a zip file); refusing to "
                              "load it — train again or restore a copy")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError, RuntimeError) as exc:
        raise CheckpointError(f"{npz_path} is not a plain .npz archive ({type(exc).__name__}: {exc}); refusing to "
                              "load it — train again or restore a copy") from None
    return arrays, document["state"]


def _referenced_npz(directory: Path) -> str | None:
    try:
        document = json.loads((directory / JSON_NAME).read_text())
        return str(document["arrays"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
