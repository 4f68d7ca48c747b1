"""Atomic output: write beside the target, then rename, so no reader ever sees half a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def atomic_path(target: str | Path, *, mode: int | None = None, durable: bool = False) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; rename it over the target on success.

    `mode`: the file's permissions (default: an ordinary file's, by the umask). `durable`: the
    bytes and the rename reach the disk before this returns (fsync of the file, then its folder),
    for state a crash must not lose, such as the server's tokens."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix + ".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        if durable:
            _fsync_file(tmp)
        os.chmod(tmp, 0o666 & ~_umask() if mode is None else mode)  # mkstemp creates 0600
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable:
        fsync_dir(target.parent)


def fsync_dir(path: str | Path) -> None:
    """Make a folder's entries (a rename, a new link, a removal) durable; best effort where a
    system cannot sync a folder."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fsync_file(path: str | Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_refusal(target: str | Path) -> tuple[str, Path] | None:
    """Why `atomic_path` could not write `target`, checked before any work is done: (problem code,
    the folder concerned), or None when it can.

    A read-only file or folder is refused even where the system would let this user through (an
    administrator, root): its owner marked it so. The folder is also tried for real with an empty
    temporary file, which catches read-only mounts and network shares whose permissions lie.
    """
    target = Path(target)
    if target.is_dir():
        return "output_is_folder", target
    folder = target.parent
    while not folder.exists() and folder != folder.parent:  # atomic_path creates the missing folders
        folder = folder.parent
    if target.exists() and not _writable(target):
        return "output_file_read_only", folder
    if not folder.is_dir() or not _writable(folder):
        return "output_folder_read_only", folder
    try:
        fd, probe = tempfile.mkstemp(prefix=".fourgood-", suffix=".tmp", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError:
        return "output_folder_read_only", folder
    return None


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and bool(path.stat().st_mode & 0o222)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def save_workbook_atomic(workbook: Any, target: str | Path) -> Path:
    with atomic_path(target) as tmp:
        workbook.save(tmp)
    return Path(target)


def write_text_atomic(target: str | Path, text: str) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_bytes_atomic(target: str | Path, data: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)
