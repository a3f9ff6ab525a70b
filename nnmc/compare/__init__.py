"""Monte Carlo vs EFT (DESIGN.md s.1, s.6; theory.md s.0-s.5, s.10).

Public surface:

* ``eft_for_config(config) -> EFTResult``: the analytic EFT for a config's architecture and inputs;
* ``compare(paths) -> Comparison``: one file, component by component against exact or EFT references; several
  files of a width scan, also the width extrapolation with chi2/dof and p-values (``IncompatibleEnsembles``
  when they are not one scan);
* ``format_comparison``, ``format_theory``: terminal tables; ``write_plots``: PNGs when matplotlib is there;
* ``fit_inverse_powers``, ``chi2_sf``: the weighted fit and the chi-squared survival function.
"""

from nnmc.compare.comparison import compare
from nnmc.compare.fit import PolyFit, chi2_sf, fit_inverse_powers
from nnmc.compare.plots import write_plots
from nnmc.compare.result import Comparison, Extrapolation, FileComparison, Row
from nnmc.compare.scan import IncompatibleEnsembles
from nnmc.compare.spec import eft_for_config, theory_member
from nnmc.compare.table import format_comparison, format_theory

__all__ = ["Comparison", "Extrapolation", "FileComparison", "IncompatibleEnsembles", "PolyFit", "Row", "chi2_sf",
           "compare", "eft_for_config", "fit_inverse_powers", "format_comparison", "format_theory", "theory_member",
           "write_plots"]
