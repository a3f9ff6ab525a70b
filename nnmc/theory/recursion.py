"""One layer of the EFT recursions, multi-input (k inputs; k = 1 is the single-input case).

State at layer l (float64, input-label axes, every 1/n object normalised by n_{l-1}, theory.md s.0):

    K (k,k)        leading-order kernel                      s.1, eq. (1.1)
    Theta (k,k)    frozen NTK                                s.7.2, eq. (7.2)
    V (k,k,k,k)    V[a,b,c,d] = V_(ab)(cd)                   s.2, eq. (2.1)
    G1 (k,k)       1/n correction of the metric              s.3, eq. (3.1)
    A, D (k,k,k,k) A[a,b,c,d] = A_(ab)(cd), D[a,b,c,d] = D_(ab)(cd) = n Cov(Hbar_ab, Ghat_cd)
    B, F (k,k,k,k) B[p,q,r,s] = B_(pq)(rs), F[p,q,r,s] = F_(pq)(rs): each bracket holds the two
                   labels on one neuron (F: NTK label first)  s.7.3 multi-input forms, T15
    H1 (k,)        diagonal H^{1}_aa of the NTK mean correction, single-input eq. (7.3) per input

The step l -> l+1 uses the averages at K^(l) (``LayerAverages``), C_W, C_b, lambda_b, lambda_W of
layer l+1 and rho_l = n_l / n_{l-1}.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnmc.theory.layer_averages import LayerAverages


@dataclass(frozen=True)
class LayerHyperparameters:
    """Initialisation and learning rates of one layer (C_W, C_b, lambda_b, lambda_W)."""

    C_W: float
    C_b: float
    lambda_b: float
    lambda_W: float


@dataclass(frozen=True)
class LayerState:
    """EFT objects at one layer (module docstring); NTK statistics None when not requested."""

    K: np.ndarray
    Theta: np.ndarray
    V: np.ndarray | None = None
    G1: np.ndarray | None = None
    A: np.ndarray | None = None
    B: np.ndarray | None = None
    D: np.ndarray | None = None
    F: np.ndarray | None = None
    H1: np.ndarray | None = None


def first_layer(K: np.ndarray, Theta: np.ndarray, fluctuations: bool, ntk: bool) -> LayerState:
    """Layer-1 state from K^(1), Theta^(1) (k, k): every 1/n object is zero (layer 1 is exactly
    Gaussian, s.0). ``fluctuations``: carry V and G1; ``ntk``: also A, B, D, F, H1."""
    k = K.shape[0]
    zeros4 = np.zeros((k,) * 4)
    extra = dict(V=zeros4, G1=np.zeros((k, k))) if fluctuations else {}
    if ntk:
        extra.update(A=zeros4, B=zeros4, D=zeros4, F=zeros4, H1=np.zeros(k))
    return LayerState(K=K, Theta=Theta, **extra)


def _sandwich(left: np.ndarray, middle: np.ndarray, right: np.ndarray) -> np.ndarray:
    """sum_{efgh} left[a,b,e,f] middle[e,f,g,h] right[c,d,g,h] -> [a,b,c,d]."""
    k = left.shape[0]
    left2, middle2, right2 = (t.reshape(k * k, k * k) for t in (left, middle, right))
    return (left2 @ middle2 @ right2.T).reshape((k,) * 4)


def next_layer(state: LayerState, avg: LayerAverages, hyper: LayerHyperparameters,
               rho: float) -> LayerState:
    """K, Theta (and V, G1; A, B, D, F, H1 if ``state`` has them) at layer l+1 (s.1-3, 7)."""
    C_W = hyper.C_W
    K = hyper.C_b + C_W * avg.M2
    Theta = hyper.lambda_b + hyper.lambda_W * avg.M2 + C_W * avg.D2 * state.Theta
    if state.V is None:
        return LayerState(K=K, Theta=Theta)
    Xi = 0.5 * C_W * avg.X2
    connected4 = avg.M4 - np.multiply.outer(avg.M2, avg.M2)
    V = C_W**2 * connected4 + rho * _sandwich(Xi, state.V, Xi)
    G1 = rho * (np.einsum("abef,ef->ab", Xi, state.G1)
                + 0.125 * C_W * np.einsum("abefgh,efgh->ab", avg.Q4, state.V))
    if state.A is None:
        return LayerState(K=K, Theta=Theta, V=V, G1=G1)
    return LayerState(K=K, Theta=Theta, V=V, G1=G1,
                      **_ntk_statistics(state, avg, hyper, rho, Xi, connected4))


def _ntk_statistics(state: LayerState, avg: LayerAverages, hyper: LayerHyperparameters,
                    rho: float, Xi: np.ndarray, connected4: np.ndarray) -> dict[str, np.ndarray]:
    """A, B, D, F (multi-input forms of s.7.3) and the diagonal H^{1} (eq. 7.3) at layer l+1."""
    C_W, lam_W, Theta = hyper.C_W, hyper.lambda_W, state.Theta
    ntk = avg.ntk
    M2, D2 = avg.M2, avg.D2
    theta_02 = Theta[:, None, :, None]  # Theta[a1, a2] on axes (0, 2)
    theta_13 = Theta[None, :, None, :]  # Theta[a3, a4] on axes (1, 3)
    theta_01 = Theta[:, :, None, None]  # Theta[a, b] on axes (0, 1)
    theta_23 = Theta[None, None, :, :]

    F = C_W**2 * ntk.S1010 * theta_02 + rho * C_W**2 * np.einsum(
        "acx,bdy,axby->acbd", ntk.P3, ntk.P3, state.F)
    B = (C_W**2 * ntk.S1111 * theta_02 * theta_13
         + rho * C_W**2 * D2[:, :, None, None] * D2[None, None, :, :] * state.B)

    J_HG = (lam_W / C_W) * Xi + 0.5 * C_W * theta_01 * ntk.R4
    J_HH = C_W * D2
    cross = ntk.S1100 - np.multiply.outer(D2, M2)  # Cov(sigma'_a sigma'_b, sigma_c sigma_d)
    cov_HG = C_W * (lam_W * connected4 + C_W * theta_01 * cross)
    cov_HH = (lam_W**2 * connected4
              + lam_W * C_W * (theta_01 * cross + theta_23 * cross.transpose(2, 3, 0, 1))
              + C_W**2 * theta_01 * theta_23 * (ntk.S1111 - np.multiply.outer(D2, D2)))
    k = Theta.shape[0]
    HG_V = (J_HG.reshape(k * k, -1) @ state.V.reshape(k * k, -1)).reshape((k,) * 4)
    D = cov_HG + rho * np.einsum("abgh,cdgh->abcd", HG_V + J_HH[:, :, None, None] * state.D, Xi)
    A = cov_HH + rho * (_sandwich(J_HG, state.V, J_HG)
                        + J_HH[:, :, None, None] * np.einsum("abgh,cdgh->abcd", state.D, J_HG)
                        + J_HH[None, None, :, :] * np.einsum("abef,cdef->abcd", J_HG, state.D)
                        + np.multiply.outer(J_HH, J_HH) * state.A)

    diag = np.arange(k)
    chi_perp = J_HH[diag, diag]
    zeta = J_HG[diag, diag, diag, diag]
    omega = 0.5 * C_W * ntk.R4[diag, diag, diag, diag]
    quartic = lam_W * avg.Q4[diag, diag, diag, diag, diag, diag] + C_W * Theta[diag, diag] * ntk.R4_quartic
    H1 = rho * (chi_perp * state.H1 + zeta * state.G1[diag, diag]
                + omega * (state.D[diag, diag, diag, diag] + 2.0 * state.F[diag, diag, diag, diag])
                + 0.125 * quartic * state.V[diag, diag, diag, diag])
    return dict(A=A, B=B, D=D, F=F, H1=H1)
