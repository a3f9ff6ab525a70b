"""Analytic finite-width EFT of MLPs (theory.md; Roberts, Yaida & Hanin, PDLT).

Public surface:

* ``eft(inputs, widths, activations, C_W, C_b, ...) -> EFTResult``: K, Theta, V, G^{1}, A, B, D,
  F, H^{1} and the susceptibilities per layer (s.1-3, 7);
* ``estimate_quadrature_error``: the same, recomputed with more nodes, as an error estimate;
* ``critical_point(activation, params)``: critical (C_b, C_W), K*, universality class (s.4);
* ``coupling_g``, ``coupling_v``: effective-action couplings (s.8);
* ``Quadrature``: node counts; ``CustomActivation``: a user activation with its derivatives.
"""

from nnmc.theory.activation_model import CustomActivation, TheoryError
from nnmc.theory.couplings import coupling_g, coupling_v
from nnmc.theory.criticality import CriticalPoint, critical_point, susceptibilities
from nnmc.theory.eft import eft, eft_from_first_layer, estimate_quadrature_error
from nnmc.theory.quadrature import Quadrature
from nnmc.theory.result import EFTResult

__all__ = ["CriticalPoint", "CustomActivation", "EFTResult", "Quadrature", "TheoryError", "coupling_g", "coupling_v",
           "critical_point", "eft",
           "eft_from_first_layer", "estimate_quadrature_error", "susceptibilities"]
