"""Keep numba's on-disk kernel cache consistent with nnmc's sources.

numba (``cache=True``) keys a cached kernel by the source file that defines it, and compiles the kernels it
calls into it. A kernel whose callee lives in another file that changed (``nnmc/fastmath.py`` under
``nnmc/cpu/forward.py``, say, after a ``git pull`` into an editable install) would therefore load stale machine
code. ``refresh`` runs at import: it hashes every ``.py`` file of the package and compares the hash with the one
recorded in each folder numba may cache the package's kernels in; where they differ it deletes the cached
kernels (``*.nbi``, ``*.nbc``) and records the new hash, so the next call compiles afresh (45-90 s once).

The folders are numba's own choices for each source folder D (``numba.core.caching``): ``$NUMBA_CACHE_DIR/<D's
subpath>`` when that is set, D/__pycache__ when it can be written, else the user-wide numba cache.
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


def cache_folders(package: Path) -> list[tuple[Path | None, Path, Path]]:
    """Per source folder D of ``package``: ($NUMBA_CACHE_DIR's folder for D or None, D/__pycache__, the
    user-wide folder for D), numba's candidates in its order of preference (module docstring)."""
    from numba.core import config
    from numba.core.caching import _CacheLocator
    from numba.misc.appdirs import AppDirs

    user_wide = Path(AppDirs(appname="numba", appauthor=False).user_cache_dir)
    folders = []
    for source in sorted({path.parent for path in package.rglob("*.py")}):
        subpath = _CacheLocator.get_suitable_cache_subpath(str(source / "__init__.py"))
        provided = Path(config.CACHE_DIR) / subpath if config.CACHE_DIR else None
        folders.append((provided, source / "__pycache__", user_wide / subpath))
    return folders


def _refresh_folder(folder: Path, current: str, create: bool) -> bool | None:
    """Make ``folder``'s cached kernels match ``current``; None where the folder cannot be used (absent and not
    to be created, or not writable), else whether kernels were dropped."""
    stamp = folder / STAMP
    try:
        if stamp.read_text() == current:
            return False
    except OSError:
        pass
    if not folder.is_dir() and not create:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for cached in [*folder.glob("*.nbi"), *folder.glob("*.nbc")]:
            cached.unlink(missing_ok=True)
        stamp.write_text(current)
    except OSError:
        return None
    return True


def refresh(package: Path) -> bool:
    """Drop the cached numba kernels of ``package`` wherever they were compiled from other sources than the
    current ones; returns whether any folder was out of date (a folder without a recorded hash counts).

    The folder numba will write to is stamped ahead of time, created if need be ($NUMBA_CACHE_DIR's when set;
    the in-tree __pycache__; the user-wide one where that cannot be written), so that kernels compiled after
    this call are not taken for stale ones at the next import. The other folders are cleaned if they exist."""
    current = sources_hash(package)
    changed = False
    for provided, in_tree, user_wide in cache_folders(package):
        if provided is not None:
            changed |= bool(_refresh_folder(provided, current, create=True))
        in_tree_state = _refresh_folder(in_tree, current, create=True)
        changed |= bool(in_tree_state)
        changed |= bool(_refresh_folder(user_wide, current, create=in_tree_state is None))
    return changed
