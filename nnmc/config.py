"""The run config: TOML in, a frozen fully resolved ``Config`` out (DESIGN.md s.8).

Validation happens here, before any work starts: every bad field raises ``ConfigError`` naming the
dotted field, the value received and what is allowed. The resolved config (every default filled in,
inputs as explicit numbers, per-layer lists expanded) is what gets stored in the HDF5 file; its
*ensemble hash* identifies the ensemble (everything except ``sampling.networks`` and
``sampling.backend``, which change how many networks exist and where they were computed, not which).

Layer numbering: layers 1..L; ``widths = [n_0, ..., n_L]``; ``activation[l-1]`` acts on the
preactivations of layer l (l = 1..L-1); ``C_W[l-1]``, ``C_b[l-1]`` initialise layer l (theory.md s.0).
Defaults for C_W, C_b are the critical values (theory.md s.4) of the activation feeding the layer
(for layer 1, of the first activation).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .activations import ACTIVATIONS, ALIASES, canonical_name
from .errors import ConfigError

SCHEMA = {
    "network": {"widths", "activation", "activation_params", "C_W", "C_b", "weights"},
    "inputs": {"file", "rows", "values", "generator", "k", "low", "high", "angles_deg", "seed", "source"},
    "sampling": {"sampler", "networks", "block_size", "seed", "dtype", "backend"},
    "measure": {"layers", "moments", "ntk", "lambda_b", "lambda_W"},
    "scan": {"hidden_width"},
    "scan_origin": {"base_seed", "hidden_width"},  # written by Config.scan_members, provenance only
}
SAMPLERS = ("conditional", "explicit")
WEIGHTS = ("gaussian", "uniform", "kaiming_uniform")
DTYPES = ("float32", "float64")
BACKENDS = ("auto", "cpu", "cupy")
MOMENTS = (2, 4, 6)
GENERATORS = ("linspace", "angles", "gaussian")
DEFAULTS = {"networks": 10000, "block_size": 200, "seed": 1, "dtype": "float64", "moments": 4}


def _did_you_mean(name: str, options) -> str:
    lower = {str(o).lower(): o for o in options}
    close = difflib.get_close_matches(name.lower(), list(lower), n=1)
    return f"did you mean '{lower[close[0]]}'?" if close else ""


def _is_int(x) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def _is_number(x) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


def _per_layer(field: str, value, n_layers: int, minimum: float, strict: bool) -> list[float]:
    """A scalar or a list of ``n_layers`` numbers, each >= minimum (> if strict), as a list of floats."""
    values = value if isinstance(value, list) else [value]
    if isinstance(value, list) and len(value) != n_layers:
        raise ConfigError(field, value, f"one number or a list of {n_layers} numbers (one per layer 1..L)")
    bound = f"{'>' if strict else '>='} {minimum}"
    for v in values:
        if not _is_number(v) or not math.isfinite(v) or (v <= minimum if strict else v < minimum):
            raise ConfigError(field, value, f"finite numbers {bound}, one or a list of {n_layers}")
    return [float(v) for v in values] if isinstance(value, list) else [float(value)] * n_layers


@dataclass(frozen=True)
class Config:
    """A fully resolved, validated run config. Build with ``load_config`` or ``Config.from_dict``.

    ``data`` is the resolved config as plain JSON-able dicts/lists; the properties below give typed
    views. ``inputs`` is the (k, n_0) float64 input array.
    """

    data: dict

    # ---- construction -------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, raw: dict, base_dir: Path | None = None) -> "Config":
        """Validate a raw config dict (as parsed from TOML) and resolve every default."""
        return cls(_resolve(raw, Path(base_dir) if base_dir else Path.cwd()))

    # ---- typed views --------------------------------------------------------------------------
    @property
    def widths(self) -> list[int]:
        return self.data["network"]["widths"]

    @property
    def depth(self) -> int:
        """L, the number of layers with weights."""
        return len(self.widths) - 1

    @property
    def activations(self) -> list[str]:
        return self.data["network"]["activation"]

    @property
    def activation_params(self) -> list[dict]:
        return self.data["network"]["activation_params"]

    @property
    def C_W(self) -> list[float]:
        return self.data["network"]["C_W"]

    @property
    def C_b(self) -> list[float]:
        return self.data["network"]["C_b"]

    @property
    def inputs(self) -> np.ndarray:
        return np.array(self.data["inputs"]["values"], dtype=np.float64)

    @property
    def sampling(self) -> dict:
        return self.data["sampling"]

    @property
    def measure(self) -> dict:
        return self.data["measure"]

    @property
    def layers(self) -> list[int]:
        """Measured layer numbers (1-based, increasing)."""
        return self.data["measure"]["layers"]

    @property
    def scan(self) -> dict | None:
        return self.data.get("scan")

    # ---- identity -----------------------------------------------------------------------------
    def ensemble_dict(self) -> dict:
        """The part of the config that defines the ensemble (``ensemble_part``)."""
        return ensemble_part(self.data)

    @property
    def ensemble_hash(self) -> str:
        """SHA-256 of the canonical JSON of ``ensemble_dict()``."""
        return hashlib.sha256(canonical_json(self.ensemble_dict()).encode()).hexdigest()

    def to_json(self) -> str:
        return canonical_json(self.data)

    def replace(self, section: str, **values) -> "Config":
        """A copy with ``values`` set in ``section`` (re-validated)."""
        d = json.loads(json.dumps(self.data))
        d[section].update(values)
        return Config.from_dict(d)

    def scan_members(self) -> list[tuple[str, "Config"]]:
        """One (label, Config) per scan value; [("", self)] without a scan.

        ``scan.hidden_width`` replaces n_1..n_{L-1}. Each member gets its own seed, derived from the
        base seed and the width (first 63 bits of SHA-256 of "seed/hidden_width=n"), so the members
        are statistically independent (the width extrapolation fit assumes that); the base seed is
        kept in ``scan_origin``.
        """
        if not self.scan:
            return [("", self)]
        members = []
        for n in self.scan["hidden_width"]:
            d = json.loads(json.dumps(self.data))
            del d["scan"]
            d["network"]["widths"] = [self.widths[0]] + [n] * (self.depth - 1) + [self.widths[-1]]
            base = self.sampling["seed"]
            digest = hashlib.sha256(f"{base}/hidden_width={n}".encode()).digest()
            d["sampling"]["seed"] = int.from_bytes(digest[:8], "little") >> 1
            d["scan_origin"] = {"base_seed": base, "hidden_width": n}
            members.append((f"w{n}", Config.from_dict(d)))
        return members


def ensemble_part(data: dict) -> dict:
    """The part of a resolved config (``Config.data``) that defines the ensemble: no networks, backend or input
    source; the learning rates only when NTK observables are measured. A deep copy."""
    d = json.loads(json.dumps(data))
    d["sampling"].pop("networks")
    d["sampling"].pop("backend")
    d["inputs"].pop("source", None)
    if not d["measure"]["ntk"]:  # the learning rates enter only the NTK (theory.md s.7)
        d["measure"].pop("lambda_b")
        d["measure"].pop("lambda_W")
    return d


def flatten(d: dict, prefix: str = "") -> dict:
    """Nested dict -> {"section.key": value} (dotted keys, as in the error messages)."""
    out = {}
    for key, value in d.items():
        if isinstance(value, dict):
            out |= flatten(value, f"{prefix}{key}.")
        else:
            out[f"{prefix}{key}"] = value
    return out


def differing_fields(a: dict, b: dict) -> list[str]:
    """Dotted keys whose values differ between two nested dicts (missing on one side counts)."""
    fa, fb = flatten(a), flatten(b)
    return sorted(f for f in fa.keys() | fb.keys() if fa.get(f) != fb.get(f))


def canonical_json(obj: Any) -> str:
    """Deterministic JSON (sorted keys, no spaces) used for hashing."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def load_config(path: str | Path, overrides: dict | None = None) -> Config:
    """Read, validate and resolve a TOML config file.

    ``overrides`` maps section -> {key: value} (e.g. the CLI's ``--networks``) and is applied before
    validation. Relative paths in the config resolve against the config file's folder first, then
    the working directory.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError("CONFIG", str(path), "an existing TOML file")
    try:
        raw = tomllib.loads(path.read_bytes().decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError("CONFIG", str(path), "valid TOML (UTF-8)", str(exc)) from None
    for section, values in (overrides or {}).items():
        if isinstance(raw.setdefault(section, {}), dict):  # a non-table section is reported by validation
            raw[section].update(values)
    return Config.from_dict(raw, base_dir=path.parent)


# ------------------------------------------------------------------------------------------------
# resolution, section by section
# ------------------------------------------------------------------------------------------------
def _resolve(raw: dict, base_dir: Path) -> dict:
    if not isinstance(raw, dict):
        raise ConfigError("CONFIG", raw, "a table of sections")
    _check_keys(raw, base_dir)
    network = _resolve_network(raw.get("network", {}))
    inputs = _resolve_inputs(raw.get("inputs"), network["widths"][0], base_dir)
    sampling = _resolve_sampling(raw.get("sampling", {}), network)
    measure = _resolve_measure(raw.get("measure", {}), len(network["widths"]) - 1)
    data = {"network": network, "inputs": inputs, "sampling": sampling, "measure": measure}
    if "scan" in raw:
        data["scan"] = _resolve_scan(raw["scan"], network)
    if "scan_origin" in raw:
        data["scan_origin"] = _resolve_scan_origin(raw["scan_origin"])
    return data


def _check_keys(raw: dict, base_dir: Path) -> None:
    for section, values in raw.items():
        if section not in SCHEMA:
            user_sections = sorted(set(SCHEMA) - {"scan_origin"})
            raise ConfigError(section, "(section)", f"sections {user_sections}", _did_you_mean(section, user_sections))
        if not isinstance(values, dict):
            raise ConfigError(section, values, "a table of keys")
        for key in values:
            if key not in SCHEMA[section]:
                raise ConfigError(f"{section}.{key}", "(unknown key)", f"keys {sorted(SCHEMA[section])}",
                                  _did_you_mean(key, SCHEMA[section]))
    if "network" not in raw or "widths" not in raw["network"]:
        raise ConfigError("network.widths", "(missing)", "a list [n_0, n_1, ..., n_L] of positive integers (required)")
    if "activation" not in raw["network"]:
        raise ConfigError("network.activation", "(missing)", f"an activation name or a list of them (required); "
                                                      f"names: {sorted(ACTIVATIONS)}")
    if "inputs" not in raw:
        raise ConfigError("inputs", "(missing)", "an [inputs] section with 'file', 'values' or 'generator' (required)")


def _resolve_network(net: dict) -> dict:
    widths = net["widths"]
    if (not isinstance(widths, list) or len(widths) < 2
            or not all(_is_int(w) and w >= 1 for w in widths)):
        raise ConfigError("network.widths", widths, "a list [n_0, n_1, ..., n_L] of at least 2 positive integers")
    widths = [int(w) for w in widths]
    depth = len(widths) - 1
    n_act = max(depth - 1, 1)

    act = net["activation"]
    names = act if isinstance(act, list) else [act] * n_act
    if isinstance(act, list) and len(act) != depth - 1:  # L = 1: [] (or one name, used for defaults only)
        raise ConfigError("network.activation", act,
                          f"one name or a list of L-1 = {depth - 1} names (activation after layers 1..L-1)")
    resolved_names = []
    for name in names:
        canon = canonical_name(name) if isinstance(name, str) else None
        if canon is None:
            raise ConfigError("network.activation", name,
                              f"one of {sorted(ACTIVATIONS) + sorted(ALIASES)}", _did_you_mean(str(name), ACTIVATIONS))
        resolved_names.append(canon)

    params = _resolve_activation_params(net.get("activation_params", {}), resolved_names)
    # the activation whose critical point sets a layer's default C_W, C_b: the one feeding the layer
    # (layer 1: the first activation; a one-layer net given no name: linear)
    feeding = resolved_names[:1] + resolved_names[: depth - 1] if resolved_names else ["linear"] * depth
    feeding_params = params[:1] + params[: depth - 1] if params else [{}] * depth

    weights = net.get("weights", "gaussian")
    if weights not in WEIGHTS:
        raise ConfigError("network.weights", weights, f"one of {list(WEIGHTS)}", _did_you_mean(str(weights), WEIGHTS))

    if weights == "kaiming_uniform":
        # PyTorch nn.Linear default: W, b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)): C_W = 1/3, C_b = 1/(3 n_{l-1})
        C_W = [1.0 / 3.0] * depth
        C_b = [1.0 / (3.0 * widths[l]) for l in range(depth)]
        for key, fixed in (("C_W", C_W), ("C_b", C_b)):
            if key in net and net[key] != fixed:  # a resolved config carries exactly these values
                raise ConfigError(f"network.{key}", net[key], "not set: weights = 'kaiming_uniform' fixes "
                                  "C_W = 1/3 and C_b^(l) = 1/(3 n_{l-1})")
    else:
        crit = [ACTIVATIONS[n].critical(p) for n, p in zip(feeding, feeding_params)]
        if ("C_W" not in net or "C_b" not in net) and any(c is None for c in crit):
            missing = "C_W" if "C_W" not in net else "C_b"
            name = next(n for n, c in zip(feeding, crit) if c is None)
            raise ConfigError(f"network.{missing}", None, "a number or a list of L numbers",
                              f"'{name}' has no critical point to default to; set C_W and C_b")
        C_W = _per_layer("network.C_W", net["C_W"], depth, 0.0, True) if "C_W" in net else [c[1] for c in crit]
        C_b = _per_layer("network.C_b", net["C_b"], depth, 0.0, False) if "C_b" in net else [c[0] for c in crit]
    return {"widths": widths, "activation": resolved_names[: depth - 1],
            "activation_params": params[: depth - 1], "C_W": C_W, "C_b": C_b, "weights": weights}


def _resolve_activation_params(raw, names: list[str]) -> list[dict]:
    """Per-layer parameter tables with defaults filled in.

    One table applies to every layer whose activation takes those parameters; a list gives one
    table per activation. A key no configured activation takes is an error.
    """
    if isinstance(raw, list) and len(raw) != len(names):
        raise ConfigError("network.activation_params", raw, f"one table or a list of {len(names)} tables")
    tables = raw if isinstance(raw, list) else [raw] * len(names)
    params = []
    for name, table in zip(names, tables):
        if not isinstance(table, dict):
            raise ConfigError("network.activation_params", table, "a table such as {slope = 0.1}")
        allowed = ACTIVATIONS[name].params
        known = allowed if isinstance(raw, list) else {k for n in names for k in ACTIVATIONS[n].params}
        for key, value in table.items():
            if key not in known:
                raise ConfigError(f"network.activation_params.{key}", value,
                                  f"parameters of {sorted(set(names))}: {sorted(known) or 'none'}")
            if not _is_number(value) or not math.isfinite(value):
                raise ConfigError(f"network.activation_params.{key}", value, "a finite number")
        params.append({**allowed, **{k: float(v) for k, v in table.items() if k in allowed}})
    return params


def _resolve_inputs(inp, n0: int, base_dir: Path) -> dict:
    if not isinstance(inp, dict):
        raise ConfigError("inputs", inp, "a table with 'file', 'values' or 'generator'")
    given = [key for key in ("file", "values", "generator") if key in inp]
    if len(given) != 1:
        raise ConfigError("inputs", sorted(inp), "exactly one of 'file', 'values', 'generator'")
    source = given[0]
    if source == "generator" and (not isinstance(inp["generator"], str) or inp["generator"] not in GENERATORS):
        raise ConfigError("inputs.generator", inp["generator"], f"one of {list(GENERATORS)}",
                          _did_you_mean(str(inp["generator"]), GENERATORS))
    extra_keys = set(inp) - {source, "source"} - ({"rows"} if source == "file" else set()) - (
        _GENERATOR_KEYS.get(inp.get("generator"), set()) if source == "generator" else set())
    if extra_keys:
        key = sorted(extra_keys)[0]
        raise ConfigError(f"inputs.{key}", inp[key], f"not used with inputs.{source}")

    if source == "file":
        x, description = _inputs_from_file(inp, base_dir)
    elif source == "values":
        x, description = _inputs_from_values(inp["values"]), str(inp.get("source", "inline values"))
    else:
        x, description = _inputs_from_generator(inp, n0)
    if x.shape[1] != n0:
        raise ConfigError(f"inputs.{source}", f"array of shape {x.shape}",
                          f"k rows of n_0 = {n0} numbers (network.widths[0])")
    if not np.all(np.isfinite(x)):
        bad = np.argwhere(~np.isfinite(x))[0]
        raise ConfigError(f"inputs.{source}", f"{x[tuple(bad)]} at row {bad[0]}, column {bad[1]}", "finite numbers")
    return {"values": x.tolist(), "source": description}


_GENERATOR_KEYS = {"linspace": {"k", "low", "high"}, "angles": {"angles_deg"}, "gaussian": {"k", "seed"}}


def _inputs_from_file(inp: dict, base_dir: Path) -> tuple[np.ndarray, str]:
    name = inp["file"]
    if not isinstance(name, str):
        raise ConfigError("inputs.file", name, "a path to a .npy file")
    candidates = [base_dir / name, Path.cwd() / name]
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        raise ConfigError("inputs.file", name, "an existing .npy file (relative paths resolve against the "
                                               "config's folder, then the working directory)")
    try:
        x = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError):
        raise ConfigError("inputs.file", name, "a NumPy .npy array of shape (k, n_0) (numpy.save)") from None
    if not isinstance(x, np.ndarray):
        x.close()
        raise ConfigError("inputs.file", name, "a single-array .npy file of shape (k, n_0), not an .npz archive")
    if x.ndim != 2 or x.shape[0] < 1 or not np.issubdtype(x.dtype, np.number) or np.iscomplexobj(x):
        raise ConfigError("inputs.file", f"{name} (shape {x.shape}, dtype {x.dtype})",
                          "a real numeric array of shape (k, n_0)")
    x = x.astype(np.float64)
    if "rows" in inp:
        rows = inp["rows"]
        if (not isinstance(rows, list) or not rows
                or not all(_is_int(r) and 0 <= r < x.shape[0] for r in rows)):
            raise ConfigError("inputs.rows", rows, f"a non-empty list of row numbers 0..{x.shape[0] - 1}")
        x = x[rows]
        name = f"{name} rows {rows}"
    return x, name


def _inputs_from_values(values) -> np.ndarray:
    if (not isinstance(values, list) or not values or not all(isinstance(r, list) and r for r in values)
            or len({len(r) for r in values}) != 1 or not all(_is_number(v) for r in values for v in r)):
        raise ConfigError("inputs.values", values, "k rows of n_0 numbers, e.g. [[1.0, 0.0], [0.6, 0.8]]")
    return np.array(values, dtype=np.float64)


def _inputs_from_generator(inp: dict, n0: int) -> tuple[np.ndarray, str]:
    gen = inp["generator"]
    if gen == "linspace":
        k = inp.get("k", 16)
        low, high = inp.get("low", -1.0), inp.get("high", 1.0)
        if not _is_int(k) or k < 1:
            raise ConfigError("inputs.k", k, "a positive integer")
        for key, value in (("low", low), ("high", high)):
            if not _is_number(value) or not math.isfinite(value):
                raise ConfigError(f"inputs.{key}", value, "a finite number")
        if low >= high:
            raise ConfigError("inputs.low", low, f"a number below inputs.high = {high}")
        if n0 != 1:
            raise ConfigError("inputs.generator", gen, "'linspace' makes n_0 = 1 inputs; network.widths[0] must be 1")
        return np.linspace(low, high, int(k))[:, None], f"linspace(k={k}, low={low}, high={high})"
    if gen == "angles":
        angles = inp.get("angles_deg")
        if not isinstance(angles, list) or not angles or not all(_is_number(a) for a in angles):
            raise ConfigError("inputs.angles_deg", angles, "a list of angles in degrees, e.g. [0, 30, 60, 90]")
        if n0 < 2:
            raise ConfigError("inputs.generator", gen, "'angles' needs n_0 >= 2")
        phi = np.radians(np.array(angles, dtype=np.float64))
        x = np.zeros((len(angles), n0))
        x[:, 0], x[:, 1] = np.cos(phi), np.sin(phi)
        return x * math.sqrt(n0), f"angles(deg={angles}) in the (e1, e2) plane, x.x/n_0 = 1"
    k, seed = inp.get("k", 4), inp.get("seed", 0)
    if not _is_int(k) or k < 1:
        raise ConfigError("inputs.k", k, "a positive integer")
    if not _is_int(seed) or seed < 0:
        raise ConfigError("inputs.seed", seed, "a non-negative integer")
    x = np.random.default_rng(int(seed)).standard_normal((int(k), n0))
    return x, f"gaussian(k={k}, seed={seed}), rows N(0, I)"


def _resolve_sampling(s: dict, network: dict) -> dict:
    sampler = s.get("sampler", "conditional")
    if sampler not in SAMPLERS:
        raise ConfigError("sampling.sampler", sampler, f"one of {list(SAMPLERS)}", _did_you_mean(str(sampler), SAMPLERS))
    if network["weights"] != "gaussian" and sampler != "explicit":
        raise ConfigError("sampling.sampler", sampler, "'explicit'",
                          f"network.weights = '{network['weights']}' is not Gaussian; the conditional sampler is exact "
                          "only for Gaussian weights (theory.md s.6)")
    networks = s.get("networks", DEFAULTS["networks"])
    if not _is_int(networks) or networks < 1:
        raise ConfigError("sampling.networks", networks, "a positive integer")
    block_size = s.get("block_size", DEFAULTS["block_size"])  # may exceed networks: one partial block
    if not _is_int(block_size) or block_size < 1:
        raise ConfigError("sampling.block_size", block_size, "a positive integer")
    seed = s.get("seed", DEFAULTS["seed"])
    if not _is_int(seed) or not 0 <= seed < 2 ** 63:
        raise ConfigError("sampling.seed", seed, "an integer 0 <= seed < 2^63")
    dtype = s.get("dtype", DEFAULTS["dtype"])
    if dtype not in DTYPES:
        raise ConfigError("sampling.dtype", dtype, f"one of {list(DTYPES)}", _did_you_mean(str(dtype), DTYPES))
    backend = s.get("backend", "auto")
    if backend not in BACKENDS:
        raise ConfigError("sampling.backend", backend, f"one of {list(BACKENDS)}", _did_you_mean(str(backend), BACKENDS))
    return {"sampler": sampler, "networks": int(networks), "block_size": int(block_size), "seed": int(seed),
            "dtype": dtype, "backend": backend}


def _resolve_measure(m: dict, depth: int) -> dict:
    layers = m.get("layers", "all")
    if layers == "all":
        layers = list(range(1, depth + 1))
    elif (not isinstance(layers, list) or not layers or not all(_is_int(x) and 1 <= x <= depth for x in layers)
          or len(set(layers)) != len(layers)):
        raise ConfigError("measure.layers", layers, f"\"all\" or a list of distinct layer numbers 1..{depth}")
    moments = m.get("moments", DEFAULTS["moments"])
    if not _is_int(moments) or moments not in MOMENTS:
        raise ConfigError("measure.moments", moments, f"one of {list(MOMENTS)}")
    ntk = m.get("ntk", False)
    if not isinstance(ntk, bool):
        raise ConfigError("measure.ntk", ntk, "true or false")
    if ntk:
        raise ConfigError("measure.ntk", ntk, "false", "NTK observables are not implemented in this version")
    lambda_b = _per_layer("measure.lambda_b", m.get("lambda_b", 1.0), depth, 0.0, False)
    lambda_W = _per_layer("measure.lambda_W", m.get("lambda_W", 1.0), depth, 0.0, False)
    return {"layers": sorted(int(x) for x in layers), "moments": int(moments), "ntk": ntk,
            "lambda_b": lambda_b, "lambda_W": lambda_W}


def _resolve_scan_origin(origin: dict) -> dict:
    for key in SCHEMA["scan_origin"]:
        value = origin.get(key)
        if not _is_int(value) or value < 0:
            raise ConfigError(f"scan_origin.{key}", value if key in origin else "(missing)",
                              "a non-negative integer (written by a [scan]; not meant to be set by hand)")
    return {key: int(origin[key]) for key in sorted(SCHEMA["scan_origin"])}


def _resolve_scan(scan: dict, network: dict) -> dict:
    widths = scan.get("hidden_width")
    if (not isinstance(widths, list) or not widths or not all(_is_int(w) and w >= 1 for w in widths)
            or len(set(widths)) != len(widths)):
        raise ConfigError("scan.hidden_width", widths, "a list of distinct positive integers")
    if len(network["widths"]) < 3:
        raise ConfigError("scan.hidden_width", widths, "a scan needs hidden layers (L >= 2)")
    return {"hidden_width": [int(w) for w in widths]}
