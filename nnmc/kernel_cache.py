"""Keep numba's on-disk kernel cache consistent with nnmc's sources.

numba (``cache=True``) keys a cached kernel by the source file that defines it, and compiles the kernels it
calls into it. A kernel whose callee lives in another file that changed (``nnmc/fastmath.py`` under
``nnmc/cpu/forward.py``, say, after a ``git pull`` into an editable install) would therefore load stale machine
code. ``refresh`` runs at import: it hashes every ``.py`` file of the package and compares the hash with the one
recorded beside the cache; when they differ it deletes the cached kernels (``__pycache__/*.nbi``, ``*.nbc``)
and records the new hash, so the next call compiles afresh (45-90 s once). Where the package folder cannot be
written (a read-only install) it does nothing: numba then caches elsewhere, and a reinstall replaces the sources.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

STAMP = "nnmc-sources.sha256"


def sources_hash(package: Path) -> str:
    """SHA-256 over the relative path and bytes of every .py file under ``package``, in sorted order."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def refresh(package: Path) -> bool:
    """Delete ``package``'s cached numba kernels when its sources changed since the last call; returns whether
    it deleted (or would have deleted: a first call with no recorded hash counts as a change)."""
    stamp = package / "__pycache__" / STAMP
    current = sources_hash(package)
    try:
        if stamp.read_text() == current:
            return False
    except OSError:
        pass
    try:
        for cached in [*package.rglob("__pycache__/*.nbi"), *package.rglob("__pycache__/*.nbc")]:
            cached.unlink(missing_ok=True)
        stamp.parent.mkdir(exist_ok=True)
        stamp.write_text(current)
    except OSError:
        pass
    return True
