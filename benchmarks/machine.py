"""What machine and code a benchmark ran on: CPU model, cores, threads, versions, git commit, command."""
from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cpu_model() -> str:
    """'model name' from /proc/cpuinfo (Linux), else platform.processor()."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _git(*args: str) -> str:
    """Read-only git query in the repository (``--no-optional-locks``: never touches the index)."""
    try:
        res = subprocess.run(["git", "--no-optional-locks", *args], cwd=ROOT, capture_output=True, text=True,
                             timeout=10)
        return res.stdout.strip() if res.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        return ""


def git_state() -> dict:
    """Commit hash and whether tracked files differ from it (untracked files are not counted)."""
    commit = _git("rev-parse", "HEAD") or "unknown"
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    return {"commit": commit, "dirty": dirty}


def machine_info(command: str | None = None) -> dict:
    import numba
    import numpy

    import nnmc

    try:
        import h5py
        h5 = h5py.__version__
    except ImportError:
        h5 = "missing"
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return {"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "cpu_model": cpu_model(),
            "logical_cores": os.cpu_count(), "usable_cores": usable_cores(),
            "numba_threads": numba.config.NUMBA_NUM_THREADS,
            "numba_threading_layer": numba.config.THREADING_LAYER, "memory_gb": mem_gb,
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
            "numpy": numpy.__version__, "numba": numba.__version__, "h5py": h5, "nnmc": nnmc.__version__,
            "git": git_state(), "command": command or _command_line()}


def _command_line() -> str:
    """How this process was started, with ``python -m benchmarks`` for the package's __main__."""
    argv = list(sys.argv)
    if argv and Path(argv[0]).name == "__main__.py" and Path(argv[0]).parent.name == "benchmarks":
        argv[0:1] = ["-m", "benchmarks"]
    return " ".join(["python"] + argv)
