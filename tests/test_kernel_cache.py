"""nnmc.kernel_cache: cached kernels are dropped exactly when a source file of the package changes, in every
folder numba may cache them in (in-tree __pycache__, $NUMBA_CACHE_DIR, the user-wide cache)."""

import pytest

from nnmc import kernel_cache


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A two-folder package; numba's user-wide cache and NUMBA_CACHE_DIR pointed into tmp_path."""
    from numba.core import config
    from numba.misc import appdirs

    monkeypatch.setattr(appdirs.AppDirs, "user_cache_dir", property(lambda self: str(tmp_path / "user-wide")))
    monkeypatch.setattr(config, "CACHE_DIR", str(tmp_path / "provided"))
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "kernels.py").write_text("x = 1\n")
    (package / "sub" / "callee.py").write_text("y = 2\n")
    return package


def _fill(package):
    """Put a cached kernel in every candidate folder (and a .pyc, which must survive)."""
    folders = [f for triple in kernel_cache.cache_folders(package) for f in triple]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "f-1.py311.nbi").write_bytes(b"index")
        (folder / "f-1.py311.1.nbc").write_bytes(b"code")
    (package / "__pycache__" / "kernels.cpython-311.pyc").write_bytes(b"bytecode")
    return folders


def _kernels(folders):
    return sum(len(list(f.glob("*.nb?"))) for f in folders)


def test_unchanged_sources_keep_the_cache_and_a_changed_callee_drops_all_of_it(package):
    folders = _fill(package)
    assert len(folders) == 6 and _kernels(folders) == 12
    assert kernel_cache.refresh(package)  # no recorded hash yet: treated as changed
    assert _kernels(folders) == 0
    assert (package / "__pycache__" / "kernels.cpython-311.pyc").exists()  # bytecode is Python's business

    _fill(package)
    assert not kernel_cache.refresh(package)  # same sources: every cache stays
    assert _kernels(folders) == 12

    (package / "sub" / "callee.py").write_text("y = 3\n")  # a callee in another folder changes
    assert kernel_cache.refresh(package)
    assert _kernels(folders) == 0
    assert not kernel_cache.refresh(package)


def test_the_folders_numba_will_write_are_stamped_ahead(package):
    """A first import stamps the in-tree and NUMBA_CACHE_DIR folders (created), so the kernels compiled after it
    survive the next import; the user-wide folder, unused beside a writable in-tree one, is not created."""
    kernel_cache.refresh(package)
    for provided, in_tree, user_wide in kernel_cache.cache_folders(package):
        assert (provided / kernel_cache.STAMP).exists() and (in_tree / kernel_cache.STAMP).exists()
        assert not user_wide.exists()
        (in_tree / "g-2.py311.nbi").write_bytes(b"fresh")
    assert not kernel_cache.refresh(package)
    assert all((in_tree / "g-2.py311.nbi").exists() for _, in_tree, _ in kernel_cache.cache_folders(package))


def test_a_new_or_renamed_file_counts_as_a_change(package):
    before = kernel_cache.sources_hash(package)
    (package / "sub" / "callee.py").rename(package / "sub" / "other.py")
    assert kernel_cache.sources_hash(package) != before
