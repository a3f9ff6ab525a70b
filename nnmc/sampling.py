"""From a Config to per-network measurement rows: the kernel arguments and the block reduction.

``KernelInputs.from_config`` turns a resolved config into the flat arrays the compute kernels take
(identical for every block); ``reduce_block`` turns per-network rows into the block means that are
stored (DESIGN.md s.4: float64, non-finite networks counted and excluded, never averaged in).
``sample_network(config, i)`` gives one network alone: its preactivations and metrics per layer,
identical to what that network contributes inside any block.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import components as comp
from .activations import ACTIVATIONS
from .config import Config
from .cpu.dots import dot_plan
from .measurements import Layout, distinct_inputs
from .rng import split_seed

SAMPLER_CODES = {"conditional": 0, "explicit": 1}
WEIGHT_CODES = {"gaussian": 0, "uniform": 1, "kaiming_uniform": 1}


@dataclass(frozen=True)
class KernelInputs:
    """Everything a block kernel needs besides the network range (see nnmc.cpu.forward.sample_block)."""

    layout: Layout
    n_measured: int
    args: tuple  # positional kernel arguments after first_network, before out/finite/proto
    dtype: np.dtype

    @classmethod
    def from_config(cls, config: Config) -> "KernelInputs":
        x_u, inverse = distinct_inputs(config.inputs)
        layout = Layout(inverse, config.measure["moments"])
        k_u = layout.k_unique
        key0, key1 = split_seed(config.sampling["seed"])
        depth = config.depth
        meas_index = np.full(depth, -1, dtype=np.int64)
        for row, layer in enumerate(config.layers):
            meas_index[layer - 1] = row
        codes = np.array([ACTIVATIONS[name].code for name in config.activations], dtype=np.int64)
        slopes = np.array([p.get("slope", 0.0) for p in config.activation_params], dtype=np.float64)
        pi = comp.pair_index(k_u)
        quads = comp.quads(k_u)
        quad_plan = dot_plan(np.array([[pi[a, b], pi[c, d]] for a, b, c, d in quads], dtype=np.int64))
        sext = comp.sextuples(k_u)
        sext_pairs = np.array([[pi[t[0], t[1]], pi[t[2], t[3]], pi[t[4], t[5]]] for t in sext],
                              dtype=np.int64).reshape(-1, 3)
        pairs = comp.pairs(k_u)
        quad_index = comp.expand_sorted(np.arange(len(quads)), k_u, 4)
        pair_pair_quad = np.array([quad_index[pairs[P, 0], pairs[P, 1], pairs[Q, 0], pairs[Q, 1]]
                                   for P, Q in comp.pair_pairs(k_u)], dtype=np.int64)
        args = (np.uint32(key0), np.uint32(key1), np.ascontiguousarray(x_u),
                np.array(config.widths, dtype=np.int64), codes, slopes,
                np.array(config.C_W, dtype=np.float64), np.array(config.C_b, dtype=np.float64),
                SAMPLER_CODES[config.sampling["sampler"]], WEIGHT_CODES[config.data["network"]["weights"]],
                meas_index, layout.kernel_offsets(), pairs, dot_plan(pairs), comp.pair_pairs(k_u),
                comp.pair_triples(k_u), quad_plan, pair_pair_quad, sext_pairs)
        return cls(layout, len(config.layers), args, np.dtype(config.sampling["dtype"]))

    def new_rows(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        """Empty per-network outputs: rows (count, n_measured, width(k_u)) float64, finite (count,) bool."""
        return (np.empty((count, self.n_measured, self.layout.width(self.layout.k_unique))),
                np.empty(count, dtype=np.bool_))


@dataclass(frozen=True)
class BlockMeans:
    """One stored block: means over its accepted networks, per observable (n_measured, n_components)."""

    first_network: int
    networks: int
    rejected: int
    means: dict


def reduce_block(layout: Layout, first_network: int, rows_u: np.ndarray, finite: np.ndarray) -> BlockMeans:
    """Block means of per-network rows (count, n_measured, width(k_u)) over the finite networks.

    Columns that are undefined by construction (m22 for a one-neuron layer) stay NaN.
    """
    from .cpu.reduce import block_sums

    n_accepted = int(finite.sum())
    if n_accepted:
        mean_u = np.empty(rows_u.shape[1:])
        block_sums(rows_u, finite, mean_u)
        mean_u /= n_accepted
    else:
        mean_u = np.full(rows_u.shape[1:], np.nan)
    return BlockMeans(first_network, len(rows_u), int((~finite).sum()), layout.split(layout.expand(mean_u)))


@dataclass(frozen=True)
class NetworkSample:
    """One network: preactivations z[l-1] (n_l, k) in the sampling dtype and metrics G (L, k, k) float64.

    ``rows`` are its measurements (observable -> (n_measured, n_components)), ``finite`` whether it
    would be accepted.
    """

    index: int
    z: list
    G: np.ndarray
    rows: dict
    finite: bool


def sample_network(config: Config, index: int) -> NetworkSample:
    """Network ``index`` of the ensemble, computed alone (DESIGN.md s.2): a pure function of (config, index)."""
    from .cpu.forward import network_pass

    if not 0 <= index < 2 ** 63:
        raise ValueError(f"network index must satisfy 0 <= index < 2^63, got {index}")
    kin = KernelInputs.from_config(config)
    k_u = kin.layout.k_unique
    n_max = max(config.widths[1:])
    rows, _ = kin.new_rows(1)
    z_u = np.zeros((config.depth, k_u, n_max), dtype=kin.dtype)
    G_u = np.zeros((config.depth, k_u, k_u))
    finite = network_pass(np.uint64(index), *kin.args, rows[0], np.zeros(1, kin.dtype), True, z_u, G_u)
    inv = np.asarray(kin.layout.inverse)
    z = [z_u[l, :, :n].T[:, inv].copy() for l, n in enumerate(config.widths[1:])]
    G = G_u[:, inv][:, :, inv]
    return NetworkSample(index, z, G, kin.layout.split(kin.layout.expand(rows[0])), bool(finite))
