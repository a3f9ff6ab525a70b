"""Quadrature rules for Gaussian averages <f(z)>_K (theory.md s.1.2).

A rule is a set of nodes z (N, m) and weights w (N,) with sum_n w_n f(z_n) ~ <f(z)>_K for a
zero-mean Gaussian vector z in R^m with covariance K (m x m, float64). Two families:

* ``gauss_hermite_rule``: tensor-product probabilists' Gauss-Hermite (the ``hermegauss`` rule,
  computed by Golub-Welsch, weights normalised to sum 1 per dimension), mapped by the eigen
  square root z = S u (s.1.2 items 1-2).
  Geometric convergence for smooth integrands; algebraic for kinks off the symmetric positions.
* ``angular_rule`` (m = 2 only): polar coordinates u = r (cos phi, sin phi); the radial integral is a
  Gauss-Laguerre rule in t = r^2/2 (exact for integrands that are sums of homogeneous pieces of even
  degree <= 2 n_radial - 1 in z), the angle is split at the kinks of functions of z_a, z_b with a
  kink at 0 (ReLU family) and each arc gets Gauss-Legendre nodes (s.1.2 item 4).

Both accept singular K (duplicate or parallel inputs): negative round-off eigenvalues are clipped.

Accuracy control: ``Quadrature`` holds the node counts; the error of a result can be estimated by
recomputing with ``Quadrature.refined()`` (more nodes everywhere) and taking the difference
(``nnmc.theory.estimate_quadrature_error``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
import numpy as np
from numpy.polynomial.laguerre import laggauss
from numpy.polynomial.legendre import leggauss


@dataclass(frozen=True)
class Quadrature:
    """Node counts per dimension of the Gauss-Hermite rules and of the angular rule.

    ``nodes[m-1]`` is the number of Gauss-Hermite nodes per axis for an m-dimensional average
    (m = 1..4; cost nodes[m-1]**m points). ``angular_nodes`` Gauss-Legendre nodes per arc and
    ``radial_nodes`` Gauss-Laguerre nodes are used for 2-d averages of ReLU-family activations.
    Defaults: 1-d 400, 2-d 96, 3-d 40, 4-d 22. GH converges slowly for tanh-like sigma (poles
    near the real axis, at distance ~ pi/(2 sqrt(K)) in units of u): measured errors of
    <tanh^4>_K are 1e-13 (1-d, 400), ~1e-9 (2-d, 96), ~1e-4 relative (d = 22-40, K = 1-2.5),
    so averages over 3 or 4 distinct inputs are the least accurate part: check them with
    ``estimate_quadrature_error`` and raise ``nodes[2:]`` when needed (cost d^3, d^4).
    1-d 400 also resolves SWISH near K* = 14.
    """

    nodes: tuple[int, int, int, int] = (400, 96, 40, 22)
    angular_nodes: int = 24
    radial_nodes: int = 8

    def nodes_for(self, dimension: int) -> int:
        """Gauss-Hermite nodes per axis for an average over ``dimension`` distinct inputs."""
        return self.nodes[dimension - 1]

    def refined(self, factor: float = 1.5) -> Quadrature:
        """The same rule family with ``factor`` times as many nodes per axis (error estimates)."""
        return replace(
            self,
            nodes=tuple(int(np.ceil(factor * d)) for d in self.nodes),
            angular_nodes=int(np.ceil(factor * self.angular_nodes)),
            radial_nodes=int(np.ceil(factor * self.radial_nodes)),
        )


@dataclass(frozen=True)
class GaussianRule:
    """Nodes ``z`` (N, m) float64 and weights ``w`` (N,) for averages over N(0, K), K m x m."""

    z: np.ndarray
    w: np.ndarray


def covariance_sqrt(K: np.ndarray) -> np.ndarray:
    """S (m x m) with S S^T = K via the symmetric eigendecomposition, eigenvalues clipped at 0.

    Works for singular K (theory.md s.1.2 item 1); Cholesky is never used.
    """
    eigenvalues, eigenvectors = np.linalg.eigh(0.5 * (K + K.T))
    return eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None))


@lru_cache(maxsize=None)
def hermite_nodes(count: int) -> tuple[np.ndarray, np.ndarray]:
    """Probabilists' Gauss-Hermite nodes and weights normalised to sum 1 (rule for N(0, 1)).

    Golub-Welsch: nodes are the eigenvalues of the Jacobi matrix of He_n (off-diagonal sqrt(i)),
    weights the squared first eigenvector components. Same rule as ``hermegauss`` but stable
    for any count (``hermegauss`` overflows above ~250 nodes).
    """
    jacobi = np.diag(np.sqrt(np.arange(1.0, count)), 1)
    nodes, vectors = np.linalg.eigh(jacobi + jacobi.T)
    return nodes, vectors[0] ** 2


@lru_cache(maxsize=None)
def _standard_tensor_grid(nodes_per_axis: int, dimension: int) -> tuple[np.ndarray, np.ndarray]:
    """Tensor-product probabilists' GH nodes (N, m) and weights (N,) for N(0, I_m); cached."""
    x, w = hermite_nodes(nodes_per_axis)
    grids = np.meshgrid(*([x] * dimension), indexing="ij")
    u = np.stack([g.ravel() for g in grids], axis=1)
    weights = np.ones(u.shape[0])
    for wg in np.meshgrid(*([w] * dimension), indexing="ij"):
        weights = weights * wg.ravel()
    u.setflags(write=False)
    weights.setflags(write=False)
    return u, weights


def gauss_hermite_rule(K: np.ndarray, nodes_per_axis: int) -> GaussianRule:
    """Tensor Gauss-Hermite rule for N(0, K), K (m, m), nodes_per_axis**m points (s.1.2 item 2)."""
    u, w = _standard_tensor_grid(nodes_per_axis, K.shape[0])
    return GaussianRule(z=u @ covariance_sqrt(K).T, w=w)


@lru_cache(maxsize=None)
def _radial_rule(radial_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Radii r and weights for int_0^inf r e^{-r^2/2} h(r) dr (Gauss-Laguerre in t = r^2/2)."""
    t, w = laggauss(radial_nodes)
    return np.sqrt(2.0 * t), w


def angular_rule(K: np.ndarray, angular_nodes: int, radial_nodes: int) -> GaussianRule:
    """Polar rule for a 2-d N(0, K) and integrands with kinks where z_a = 0 or z_b = 0.

    z = r S e_phi; the break points phi with (S e_phi)_a = 0 split [0, 2 pi) into arcs, each
    integrated with ``angular_nodes`` Gauss-Legendre nodes; the radius uses ``radial_nodes``
    Gauss-Laguerre nodes in t = r^2/2 (theory.md s.1.2 item 4, positive homogeneity).
    """
    S = covariance_sqrt(K)
    breaks = [0.0, 2.0 * np.pi]
    for row in S:
        if np.any(row != 0.0):
            phi0 = np.arctan2(row[0], -row[1]) % np.pi
            breaks += [phi0, phi0 + np.pi]
    breaks = np.unique(breaks)
    x, wx = leggauss(angular_nodes)
    lo, hi = breaks[:-1, None], breaks[1:, None]
    phi = (0.5 * (hi - lo) * x + 0.5 * (hi + lo)).ravel()
    w_phi = (0.5 * (hi - lo) * wx).ravel() / (2.0 * np.pi)
    r, w_r = _radial_rule(radial_nodes)
    directions = np.stack([np.cos(phi), np.sin(phi)], axis=1) @ S.T
    z = (r[:, None, None] * directions[None, :, :]).reshape(-1, 2)
    w = (w_r[:, None] * w_phi[None, :]).ravel()
    return GaussianRule(z=z, w=w)

