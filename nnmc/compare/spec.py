"""One spec, two answers: the analytic EFT for exactly the architecture and inputs a config samples.

``eft_for_config`` maps a ``Config`` (DESIGN.md s.8) onto ``nnmc.theory.eft``: the config's inputs (k, n_0),
widths, activations (with parameters), C_W, C_b and learning rates lambda_b, lambda_W. A config with a
``[scan]`` has no single architecture; ``theory_member`` picks its first member (and says so).
"""

from __future__ import annotations

from nnmc.config import Config
from nnmc.theory import EFTResult, eft
from nnmc.theory.eft import Observables


def theory_member(config: Config) -> tuple[Config, str]:
    """The config the EFT is evaluated for and a note: itself, or the first member of a ``[scan]``."""
    if not config.scan:
        return config, ""
    label, member = config.scan_members()[0]
    return member, (f"scan config: EFT for its first member ({label}, widths {member.widths}); with equal hidden "
                    "widths the EFT objects (normalised by n_{l-1}) do not depend on the width")


def eft_for_config(config: Config, observables: Observables = "all") -> EFTResult:
    """EFT objects per layer (theory.md s.1-3, s.7) for the config's architecture and inputs.

    Shapes as in ``EFTResult``: K (L, k, k), V (L, k, k, k, k), ... with k = config.inputs.shape[0]. A scan
    config uses its first member (``theory_member``). The EFT assumes Gaussian weights (theory.md s.0); for
    other ``network.weights`` it is the Gaussian theory with the same variances.
    """
    member, _ = theory_member(config)
    return eft(member.inputs, member.widths, member.activations, member.C_W, member.C_b,
               lambda_b=member.measure["lambda_b"], lambda_W=member.measure["lambda_W"],
               activation_params=member.activation_params, observables=observables)
