"""One spec, two answers: the analytic EFT for exactly the architecture and inputs a config samples.

``eft_for_config`` maps a ``Config`` (DESIGN.md s.8) onto ``nnmc.theory.eft``: the config's inputs (k, n_0),
widths, activations (with parameters), C_W, C_b and learning rates lambda_b, lambda_W. A config with a
``[scan]`` has no single architecture; ``theory_member`` picks its first member (and says so).
"""

from __future__ import annotations

from nnmc.config import Config
from nnmc.theory import EFTResult, TheoryError, critical_point, eft
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


def criticality(config: Config) -> list[dict]:
    """Per distinct activation of the config: its critical point (theory.md s.4) and whether the layers it feeds
    are initialised there. Entries: activation, C_b, C_W, K_star, class, large_depth, at_criticality (or error)."""
    member, _ = theory_member(config)
    out = []
    for j, (name, params) in enumerate(zip(member.activations, member.activation_params)):
        if any(e["activation"] == name and e["params"] == params for e in out):
            continue
        entry = {"activation": name, "params": params}
        try:
            point = critical_point(name, params)
        except TheoryError as exc:
            out.append(entry | {"error": str(exc)})
            continue
        fed = [i + 1 for i, (n, p) in enumerate(zip(member.activations, member.activation_params))
               if (n, p) == (name, params)]  # C_W index of the layer each copy of this activation feeds
        at = all(abs(member.C_W[i] - point.C_W) <= 1e-6 * point.C_W and abs(member.C_b[i] - point.C_b) <= 1e-6
                 for i in fed)
        out.append(entry | {"C_b": point.C_b, "C_W": point.C_W, "K_star": point.K_star,
                            "class": point.universality_class, "large_depth": point.large_depth,
                            "at_criticality": at})
    return out


def format_criticality(entries: list[dict]) -> str:
    lines = []
    for e in entries:
        if "error" in e:
            lines.append(f"criticality {e['activation']}: none ({e['error']})")
            continue
        k_star = f", K* = {e['K_star']:.7g}" if e["K_star"] else ""  # only a K* > 0 is worth a number
        lines.append(f"criticality {e['activation']}: C_b = {e['C_b']:.7g}, C_W = {e['C_W']:.7g} ({e['class']}{k_star}); "
                     f"{e['large_depth']}; this config is {'at' if e['at_criticality'] else 'off'} criticality")
    return "\n".join(lines)
