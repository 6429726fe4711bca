"""Atomic, durable writes: a file or a folder appears whole, or not at all, and what it replaces is kept until
the new one is in place. Used by every writer (results, plans, simulations, batch tables, ledger exports)."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from .errors import BadInput


class RestoreFailed(BadInput):
    """The new folder could not be put in place, nor the previous one back; the message says where it is."""


def sync(f) -> None:
    f.flush()
    os.fsync(f.fileno())


def sync_dir(folder: Path) -> None:
    """Make renames and new entries in ``folder`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_file(path: Path, write: Callable[[str], None]) -> None:
    """``write(temporary_path)`` beside ``path``, synced, with the user's usual mode, then renamed to ``path``;
    on any failure the temporary file is removed and ``path`` is untouched."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.absolute().parent)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~umask())
        os.replace(tmp, path)
        sync_dir(path.absolute().parent)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def swap_in(tmp: Path, out: Path) -> None:
    """Rename the finished folder ``tmp`` to ``out``; an existing ``out`` is moved aside first, put back if the
    rename fails, and deleted only once the new folder is in place."""
    if not out.exists():
        os.rename(tmp, out)
        sync_dir(out.parent)
        return
    holder = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old = holder / "r"
    try:
        os.rename(out, old)
    except BaseException:
        os.rmdir(holder)
        raise
    try:
        os.rename(tmp, out)
    except BaseException as exc:
        try:
            os.rename(old, out)
        except OSError as restore:
            raise RestoreFailed(f"cannot put the new folder in place ({exc}) nor the previous one back "
                                f"({restore}); the previous one is kept in {old}") from exc
        try:
            os.rmdir(holder)  # empty again; rmdir never deletes anything a user had
        except OSError:
            pass
        raise
    sync_dir(out.parent)
    shutil.rmtree(holder, ignore_errors=True)
