"""Shared helpers: build a config from a dict, generate an ensemble into tmp_path, analyse it."""

import math

import numpy as np
import pytest

from nnmc.analysis.analyse import analyse
from nnmc.config import Config
from nnmc.generate import generate


def make_config(network: dict, inputs, networks: int, block_size: int, seed: int = 1, **sections) -> Config:
    raw = {"network": network, "inputs": {"values": np.asarray(inputs, dtype=float).tolist()},
           "sampling": {"networks": networks, "block_size": block_size, "seed": seed}}
    for name, values in sections.items():
        raw.setdefault(name, {}).update(values)
    return Config.from_dict(raw)


@pytest.fixture
def run_ensemble(tmp_path):
    """Generate the ensemble of a config into a fresh file and return its jackknife Analysis."""
    counter = iter(range(10**6))

    def run(config: Config, **analyse_kwargs):
        path = tmp_path / f"ens{next(counter)}.h5"
        generate(config, path, progress=False)
        return analyse(path, **analyse_kwargs)

    return run


def assert_pull(value, expected, error, limit=4.0, what=""):
    """|value - expected| < limit * error, elementwise, with a readable failure."""
    value, expected, error = np.broadcast_arrays(np.asarray(value, float), np.asarray(expected, float),
                                                 np.asarray(error, float))
    assert np.all(error > 0), f"{what}: non-positive error {error}"
    pull = (value - expected) / error
    assert np.all(np.abs(pull) < limit), f"{what}: pulls {pull} (value {value}, expected {expected}, error {error})"


def inputs_for_metric(K: np.ndarray) -> np.ndarray:
    """Inputs x (k, k) with x.x^T / n_0 = K (n_0 = k, Cholesky), for C_W^(1) = 1, C_b^(1) = 0."""
    return np.linalg.cholesky(np.asarray(K, float) * K.shape[0]) if np.all(np.linalg.eigvalsh(K) > 0) else None


__all__ = ["make_config", "assert_pull", "inputs_for_metric", "math"]
