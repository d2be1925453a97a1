"""File helpers the store and the layers beside it share."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def replace_folder(target: Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``target`` to write into; when the block ends, swap
    it in for ``target``. A failure leaves ``target`` as it was and removes the rest."""
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield staging
        retired = None
        if target.exists():
            retired = target.parent / f".{target.name}.old"
            shutil.rmtree(retired, ignore_errors=True)
            target.rename(retired)
        staging.rename(target)
        if retired is not None:
            shutil.rmtree(retired, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def atomic_write_bytes(path: Path, body: bytes) -> None:
    """Write ``body`` to a temporary file beside ``path``, then rename it over ``path``:
    a reader never sees half a file, and a failure leaves nothing behind."""
    from .errors import BoundaryLabError

    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise BoundaryLabError(f"cannot write {path}: folder {folder} does not exist")
    handle = tempfile.NamedTemporaryFile(dir=folder, prefix=f".{path.name}.", delete=False)
    try:
        with handle:
            handle.write(body)
        Path(handle.name).replace(path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
