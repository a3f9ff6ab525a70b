"""neural-tangents Monte Carlo baseline: isolated virtual environment and driver.

neural-tangents needs an old JAX / NumPy stack that must never enter nnmc's own environment, so this
module creates a separate virtual environment ``benchmarks/.venv-nt`` (git-ignored via
``benchmarks/.venv-*/``) holding exactly :data:`NT_PACKAGES`, and runs
:mod:`benchmarks.baselines.nt_mc` with that environment's interpreter in a subprocess.

``measure_neural_tangents(n_samples, quick)`` is what the benchmark runner calls. It returns the parsed
JSON of ``nt_mc.py`` (``nngp_networks_per_s``, ``ntk_networks_per_s``, ``kernel``, ...) or ``None``
after printing a reason when the environment cannot be built or the script fails; the benchmark then
skips this baseline. Nothing here imports JAX or neural-tangents into the calling process.

Command line: ``python -m benchmarks.baselines.nt_env [--n-samples N] [--quick] [--setup-only]``.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

#: Exact pins, known to install and run on the project's machine (Python 3.11, x86-64, CPU only).
NT_PACKAGES = [
    "neural-tangents==0.6.5",
    "jax==0.4.23",
    "jaxlib==0.4.23",
    "numpy<2",
    "scipy<1.13",
    "tensorflow==2.15.*",
]

BENCH_DIR = Path(__file__).resolve().parents[1]
VENV_DIR = BENCH_DIR / ".venv-nt"
SCRIPT = Path(__file__).resolve().with_name("nt_mc.py")
_MARKER = VENV_DIR / ".nnmc-nt-ok"  # written after a successful install; content = the pins


def _venv_python(venv_dir: Path = VENV_DIR) -> Path:
    return venv_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_nt_venv(venv_dir: Path = VENV_DIR, quiet: bool = True) -> tuple[Path | None, str]:
    """Create ``venv_dir`` with :data:`NT_PACKAGES` unless already done; return (python, reason).

    On failure the python path is ``None`` and ``reason`` says why (the caller skips the baseline).
    """
    marker = venv_dir / _MARKER.name
    py = _venv_python(venv_dir)
    pins = "\n".join(NT_PACKAGES)
    if py.exists() and marker.exists() and marker.read_text() == pins:
        return py, "exists"
    try:
        if not py.exists():
            venv.EnvBuilder(with_pip=True, clear=True).create(venv_dir)
        cmd = [str(py), "-m", "pip", "install", "--disable-pip-version-check"]
        cmd += ["-q"] if quiet else []
        res = subprocess.run(cmd + NT_PACKAGES, capture_output=quiet, text=True)
        if res.returncode != 0:
            tail = (res.stderr or "")[-2000:] if quiet else ""
            return None, f"pip install into {venv_dir} failed (exit {res.returncode}) {tail}"
        res = subprocess.run([str(py), "-c", "import neural_tangents, jax; print(jax.__version__)"],
                             capture_output=True, text=True)
        if res.returncode != 0:
            return None, f"neural_tangents does not import in {venv_dir}: {res.stderr[-2000:]}"
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"cannot create {venv_dir}: {exc}"
    marker.write_text(pins)
    return py, "created"


def measure_neural_tangents(n_samples: int = 200, quick: bool = False, *, timeout: float = 1800.0,
                            extra_args: list[str] | None = None) -> dict | None:
    """Run the neural-tangents MC baseline (workload P1) and return its JSON result, or None.

    n_samples: networks per timed ``monte_carlo_kernel_fn`` call (NNGP and NTK each);
    quick: use a few samples only (smoke test; figures are then noisy).
    Creates ``benchmarks/.venv-nt`` first if missing (several minutes, ~1.5 GB download).
    """
    py, reason = ensure_nt_venv()
    if py is None:
        print(f"[nt baseline skipped] {reason}", file=sys.stderr)
        return None
    if quick:
        n_samples = min(n_samples, 16)
    cmd = [str(py), str(SCRIPT), "--n-samples", str(int(n_samples))] + list(extra_args or [])
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", JAX_PLATFORMS="cpu")
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        print(f"[nt baseline skipped] timed out after {timeout:.0f} s", file=sys.stderr)
        return None
    if res.returncode != 0:
        print(f"[nt baseline skipped] nt_mc.py failed (exit {res.returncode}):\n{res.stderr[-3000:]}",
              file=sys.stderr)
        return None
    lines = [ln for ln in res.stdout.splitlines() if ln.strip().startswith("{")]
    try:
        return json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        print(f"[nt baseline skipped] no JSON in output:\n{res.stdout[-2000:]}", file=sys.stderr)
        return None


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-samples", type=int, default=200)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--setup-only", action="store_true", help="only create the virtual environment")
    args = ap.parse_args(argv)
    if args.setup_only:
        py, reason = ensure_nt_venv(quiet=False)
        print(json.dumps({"python": str(py) if py else None, "status": reason}))
        return 0 if py else 1
    out = measure_neural_tangents(args.n_samples, args.quick)
    print(json.dumps(out))
    return 0 if out is not None else 1


if __name__ == "__main__":
    sys.exit(main())
