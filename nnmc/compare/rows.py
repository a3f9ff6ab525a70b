"""One ensemble against its references, component by component (theory.md s.0, s.2.2, s.3, s.5.1-5.3).

Per measured layer l (n = n_{l-1}) and component, the Rao-Blackwellised Monte Carlo estimate (jackknife error)
is set against the best reference available:

* G_ab  vs  K_ab + G1_ab / n   (EFT through O(1/n), s.3), or exact;
* V_(ab)(cd) = n Cov(Ghat_ab, Ghat_cd)  vs  the leading-order V (s.2; V_exact = V + O(1/n)), or exact;
* R4_a = E[z_a^4] / (3 E[z_a^2]^2)  vs  1 + V_(aa)(aa) / (n K_aa^2) (O(1/n^2) off), or exact;
* R6_a = E[z_a^6] / (15 E[z_a^2]^3) (moments = 6)  vs  1 + 3 V_(aa)(aa) / (n K_aa^2) (O(1/n^2) off: E[Ghat^3] =
  G^3 + 3 G Var Ghat + a third cumulant of order 1/n^2, so not exact at layer 2 either), or exact.

Exact (``nnmc.compare.exact``): every component of a deep linear network (s.5.3), the diagonal ones of homogeneous
activations (s.5.2, s.5.1), and every component of layers <= 2 (s.2.2; R6 at layer 1 only), all for Gaussian
weights.
"""

from __future__ import annotations

import numpy as np

from nnmc import components
from nnmc.analysis.analyse import Analysis, natural_scale, without_round_off
from nnmc.compare.exact import EXACT_KINDS, EXACT_LOW_LAYERS, ExactReferences, exact_references, is_gaussian
from nnmc.compare.result import FileComparison, Row
from nnmc.config import Config
from nnmc.theory import EFTResult

EFT_G = "EFT K + G1/n"
EFT_V = "EFT leading order"
EFT_R4 = "EFT 1 + V/(n K^2)"
EFT_R6 = "EFT 1 + 3V/(n K^2)"
REFERENCE_NOTE = (f"references: {', '.join(repr(kind) for kind in EXACT_KINDS)} hold at every width (pulls ~ N(0,1)); "
                  f"'{EFT_G}' is off by O(1/n^2), '{EFT_V}' by O(1/n), '{EFT_R4}' and '{EFT_R6}' by O(1/n^2): "
                  "large pulls there measure the finite-width corrections (use a width scan)")


def v_components(k: int) -> np.ndarray:
    """(q, 4) int64 label tuples (a, b, c, d) of the independent V_(ab)(cd) (pairs P <= Q of pairs a <= b)."""
    p = components.pairs(k)
    pp = components.pair_pairs(k)
    return np.hstack([p[pp[:, 0]], p[pp[:, 1]]])


def component_labels(k: int) -> dict[str, list[tuple[int, ...]]]:
    """Independent components per quantity as tuples of Python ints: G (a, b), V (a, b, c, d), R4 and R6 (a,)."""
    return {"G": [tuple(map(int, c)) for c in components.pairs(k)],
            "V": [tuple(map(int, c)) for c in v_components(k)], "R4": [(a,) for a in range(k)],
            "R6": [(a,) for a in range(k)]}


def _reference(quantity: str, l: int, n: int, c: tuple[int, ...], theory: EFTResult,
               exact: ExactReferences | None, low_exact: bool) -> tuple[float, str]:
    """(reference value, kind) of one component at layer l with fan-in n."""
    # exact references cover every R4_a, R6_a (NaN, undefined, for a zero input with C_b = 0) and the finite G, V
    if exact is not None and (np.isfinite(value := exact.value(quantity, l, c)) or quantity in ("R4", "R6")):
        return value, exact.kind
    K, V, G1 = theory.K[l - 1], theory.V[l - 1], theory.G1[l - 1]
    if quantity == "G":
        value = K[c] + (0.0 if low_exact else G1[c] / n)
    elif quantity == "V":
        value = V[c]
    else:
        a = c[0]
        value = 1.0 + (3.0 if quantity == "R6" else 1.0) * V[a, a, a, a] / (n * K[a, a] ** 2)
    low_exact = low_exact and (quantity != "R6" or l == 1)
    kind = EXACT_LOW_LAYERS if low_exact else {"G": EFT_G, "V": EFT_V, "R4": EFT_R4, "R6": EFT_R6}[quantity]
    return float(value), kind


def file_rows(analysis: Analysis, config: Config, theory: EFTResult) -> FileComparison:
    """Rows of G, V, R4 and R6 (those the file has) for every measured layer; ``theory`` for ``config``'s widths.
    Values and errors at float64 round-off of their natural scale are set to 0 (``without_round_off``)."""
    k = config.inputs.shape[0]
    exact = exact_references(config, theory)
    labels = component_labels(k)
    rows = []
    for i, layer in enumerate(analysis.layers):
        l, n = int(layer), int(analysis.n_in[i])
        low_exact = is_gaussian(config) and l <= 2
        for quantity in ("G", "V", "R4", "R6"):
            if quantity not in analysis.estimates:
                continue
            estimate = analysis.estimates[quantity]
            for c in labels[quantity]:
                reference, kind = _reference(quantity, l, n, c, theory, exact, low_exact)
                value, error = without_round_off(float(estimate.value[(i, *c)]), float(estimate.error[(i, *c)]),
                                                 natural_scale(analysis, i, quantity, c))
                rows.append(Row(l, n, quantity, c, value, error, reference, kind))
    return FileComparison(analysis.path, tuple(config.widths), analysis.networks, tuple(rows))
