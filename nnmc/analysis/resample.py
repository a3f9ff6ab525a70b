"""Resampling over bins of networks: jackknife and bootstrap (DESIGN.md s.6).

A *bin* is one or several consecutive stored blocks. The store gives, per bin j, the number of accepted
networks ``m_j`` (``counts``, shape (n_bins,), float64) and, per observable, the bin *sums* over those
networks, shape (n_bins, n_layers, n_components) float64 (axis order of DESIGN.md s.5; any trailing
shape works). A :class:`Resampler` fixes one set of replica weights over the bins for a whole
ensemble, so every observable of the ensemble is resampled identically and derived (nonlinear)
quantities keep their correlations.

Conventions, with n = sum_j m_j networks in g bins (zero-count bins dropped), theta_n the estimate from
all bins and theta_r the estimate of replica r:

* jackknife (default): replica j deletes bin j. Bins of unequal size use the delete-m_j jackknife of
  Busing, Meijer & van der Leeden, Statistics and Computing 9 (1999) 3-8: with h_j = n/m_j,
  pseudo-values  p_j = h_j theta_n - (h_j - 1) theta_(-j),
  jackknife estimate  theta_J = g theta_n - sum_j (1 - m_j/n) theta_(-j),
  covariance  (1/g) sum_j (p_j - theta_J)(p_j - theta_J)^T / (h_j - 1),  bias  theta_n - theta_J.
  For equal sizes (h_j = g) these are the textbook (g-1)/g sum_j (theta_(-j) - mean)^2 and
  (g-1)(mean_j theta_(-j) - theta_n). For a mean the pseudo-values are the bin means and the variance is
  unbiased for any sizes; for a smooth function the bias estimate removes the O(1/n) bias.
* bootstrap: replica r draws g bins with replacement (multinomial counts w_rj from a numpy Generator
  seeded by ``seed``); covariance of the replicas (ddof 1), bias mean_r theta_r - theta_n.

The reported value is always the plain estimate theta_n; the bias estimate is reported beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from nnmc.errors import NnmcError

Method = Literal["jackknife", "bootstrap"]
METHODS: tuple[str, ...] = ("jackknife", "bootstrap")


class ResamplingError(NnmcError, ValueError):
    """Resampling cannot be set up or applied: bad counts, method, replica count or array shape."""


@dataclass(frozen=True, eq=False)
class Resampler:
    """Replica weights over the bins of one ensemble (DESIGN.md s.6).

    Parameters
    ----------
    counts : (n_bins,) array-like of float
        Accepted networks per bin, >= 0 and finite. Bins with zero count are dropped; at least two
        non-empty bins are required.
    method : "jackknife" (delete-one-bin, default) or "bootstrap".
    n_boot : number of bootstrap replicas (>= 2); ignored by the jackknife.
    seed : integer seed of the bootstrap's ``numpy.random.Generator``; stored so results reproduce.

    Derived (read-only) attributes: ``kept`` (n_bins,) bool mask of non-empty bins; ``draws``
    (n_boot, n_kept) float64 multinomial bin counts of the bootstrap (None for the jackknife, whose
    weights are implied and never stored as a (g, g) matrix); ``weights``, ``n_rep``, ``n_bins``.
    """

    counts: np.ndarray
    method: Method = "jackknife"
    n_boot: int = 1000
    seed: int = 0
    kept: np.ndarray = field(init=False, repr=False)
    draws: np.ndarray | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        counts = np.array(self.counts, dtype=np.float64)
        if counts.ndim != 1 or not np.all(np.isfinite(counts)) or np.any(counts < 0):
            raise ResamplingError(f"counts must be a 1-d array of finite numbers >= 0; got {self.counts!r}")
        if self.method not in METHODS:
            raise ResamplingError(f"method: got {self.method!r}; allowed: {', '.join(METHODS)}")
        kept = counts > 0
        g = int(kept.sum())
        if g < 2:
            raise ResamplingError(
                f"resampling needs at least 2 bins with accepted networks; got {g} of {counts.size} "
                "(use smaller blocks or more networks)")
        if self.method == "bootstrap":
            if not isinstance(self.n_boot, (int, np.integer)) or self.n_boot < 2:
                raise ResamplingError(f"n_boot: got {self.n_boot!r}; allowed: an integer >= 2")
            if not isinstance(self.seed, (int, np.integer)):
                raise ResamplingError(f"seed: got {self.seed!r}; allowed: an integer")
            rng = np.random.default_rng(int(self.seed))
            draws = rng.multinomial(g, np.full(g, 1.0 / g), size=int(self.n_boot)).astype(np.float64)
            draws.flags.writeable = False
        else:
            draws = None
        counts.flags.writeable = kept.flags.writeable = False
        for name, value in (("counts", counts), ("kept", kept), ("draws", draws)):
            object.__setattr__(self, name, value)

    @property
    def n_bins(self) -> int:
        """Number of non-empty bins g used by the resampling."""
        return int(self.kept.sum())

    @property
    def n_rep(self) -> int:
        """Number of replicas: g (jackknife) or ``n_boot`` (bootstrap)."""
        return self.n_bins if self.draws is None else self.draws.shape[0]

    @property
    def weights(self) -> np.ndarray:
        """(n_rep, g) float64: how many times replica r uses non-empty bin j (jackknife: 1 - identity)."""
        return 1.0 - np.eye(self.n_bins) if self.draws is None else self.draws

    def central_and_replicas(self, sums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Central and replica means of one observable from its bin sums.

        sums : (n_bins, ...) float64, bin sums over accepted networks (count x mean), n_bins as in
        ``counts`` (empty bins included; they are dropped here).
        Returns ``central`` (...) = sum_j s_j / sum_j m_j and ``replicas`` (n_rep, ...) with
        replica r = sum_j w_rj s_j / sum_j w_rj m_j (weights broadcast over the trailing axes).
        """
        sums = np.asarray(sums, dtype=np.float64)
        if sums.ndim == 0 or sums.shape[0] != self.counts.size:
            raise ResamplingError(
                f"sums must have the bins on axis 0 with {self.counts.size} bins; got shape {sums.shape}")
        s = sums[self.kept]
        m = self.counts[self.kept]
        total = s.sum(axis=0)
        central = total / m.sum()
        if self.method == "jackknife":  # weights 1 - I without the (g, g) product
            rep_sums, rep_counts = total - s, m.sum() - m
        else:
            rep_sums, rep_counts = np.tensordot(self.draws, s, axes=(1, 0)), self.draws @ m
        return central, rep_sums / rep_counts.reshape((-1,) + (1,) * (s.ndim - 1))

    def estimate(self, central: np.ndarray, replicas: np.ndarray) -> Estimate:
        """Combine a central value (...) and its replicas (n_rep, ...) into an :class:`Estimate`.

        ``central`` and ``replicas`` are any function of the outputs of :meth:`central_and_replicas`
        (applied to the central means and to every replica alike).
        """
        central = np.asarray(central, dtype=np.float64)
        replicas = np.asarray(replicas, dtype=np.float64)
        if replicas.shape != (self.n_rep,) + central.shape:
            raise ResamplingError(
                f"replicas must have shape (n_rep,) + central.shape = {(self.n_rep,) + central.shape}; "
                f"got {replicas.shape}")
        deviations, coefficients, bias = self._spread(central, replicas)
        error = np.sqrt(np.tensordot(coefficients, deviations**2, axes=(0, 0)))
        return Estimate(value=central, error=error, bias=bias, replicas=replicas, resampler=self)

    def covariance(self, central: np.ndarray, replicas: np.ndarray) -> np.ndarray:
        """(size, size) float64 covariance over the flattened (C order) components of ``central``."""
        deviations, coefficients, _ = self._spread(np.asarray(central), np.asarray(replicas))
        flat = deviations.reshape(self.n_rep, -1)
        return (flat * coefficients[:, None]).T @ flat

    def _spread(self, central: np.ndarray, replicas: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Deviations d_r (n_rep, ...), coefficients c_r (n_rep,) and bias (...) with cov = sum_r c_r d_r d_r^T."""
        if self.method == "bootstrap":
            mean = replicas.mean(axis=0)
            return replicas - mean, np.full(self.n_rep, 1.0 / (self.n_rep - 1)), mean - central
        m = self.counts[self.kept]
        h = m.sum() / m
        shift = replicas - central  # theta_(-j) - theta_n, differences first for accuracy
        bias = np.tensordot(1.0 - 1.0 / h, shift, axes=(0, 0))  # theta_n - theta_J
        deviations = bias - (h - 1.0).reshape((-1,) + (1,) * central.ndim) * shift  # p_j - theta_J
        return deviations, 1.0 / (self.n_bins * (h - 1.0)), bias


@dataclass(frozen=True, eq=False)
class Estimate:
    """A resampled result (STYLE.md item 9): value, error, bias estimate and the replicas behind them.

    value, error, bias : (...) float64 -- the plain estimate theta_n, its standard error and the
    resampling bias estimate (subtract it for a bias-corrected value). replicas : (n_rep, ...) float64.
    ``resampler`` is the :class:`Resampler` that made it (shared by every observable of an ensemble).
    """

    value: np.ndarray
    error: np.ndarray
    bias: np.ndarray
    replicas: np.ndarray
    resampler: Resampler

    @property
    def method(self) -> str:
        """"jackknife" or "bootstrap"."""
        return self.resampler.method

    def covariance(self) -> np.ndarray:
        """(size, size) float64 covariance over the flattened (C order) components of ``value``."""
        return self.resampler.covariance(self.value, self.replicas)

    def to_dict(self) -> dict[str, object]:
        """{"value": nested lists, "error": nested lists} in the index order of ``value`` (DESIGN.md s.9)."""
        return {"value": self.value.tolist(), "error": self.error.tolist()}

    def __repr__(self) -> str:
        text = np.array2string(np.vectorize(_format_with_error, otypes=[object])(self.value, self.error),
                               formatter={"all": str}, threshold=64, edgeitems=2, max_line_width=100)
        head = f"Estimate({self.method}, {self.resampler.n_rep} replicas, shape={self.value.shape}"
        return f"{head}: {text})" if self.value.ndim == 0 else f"{head}\n{text})"


def _format_with_error(value: float, error: float) -> str:
    """'1.2345(67)': value rounded to two significant digits of its error (the error in brackets)."""
    if not (np.isfinite(value) and np.isfinite(error) and error > 0):
        return f"{value:.6g}+-{error:.2g}"
    decimals = max(0, 1 - int(np.floor(np.log10(error))))
    scaled = int(round(error * 10**decimals))
    return f"{value:.{decimals}f}({scaled})"
