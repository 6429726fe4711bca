"""The files an instance names, checked before anything is opened: a regular file under a size limit.

``os.stat`` decides (it follows symbolic links), so a folder, a named pipe (FIFO), a device such as ``/dev/zero``
or a socket is refused by what it is, and a path with a NUL byte, one too long for the file system or a symbolic
link loop is refused with a message instead of an exception. Nothing here reads a file's content except
:func:`read_bounded`, which opens without blocking and reads at most the limit.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

#: Largest instance TOML file accepted (bytes); documented in docs/instance-format.md.
MAX_INSTANCE_BYTES = 10_000_000
#: Largest series file (CSV or Parquet) accepted (bytes); documented in docs/instance-format.md.
MAX_SERIES_BYTES = 1_000_000_000
#: Deepest nesting of tables and arrays in an instance TOML (an instance needs 5: a curve's pair in a unit).
MAX_NESTING = 32

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def shown(path: str | Path, keep: int = 100) -> str:
    """``path`` as a message shows it: control characters escaped (a NUL as ``\\x00``), a long path shortened in
    the middle."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(path))
    if len(text) > keep:
        text = f"{text[:keep // 2]}...{text[-keep // 2:]} ({len(str(path)):,} characters)"
    return text


def size_text(n: int) -> str:
    """``10,000,000 bytes (10 MB)``."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= scale:
            return f"{n:,} bytes ({n / scale:g} {unit})"
    return f"{n:,} bytes"


def _not_regular(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "not a file")
    return f"is {kind}, not a regular file"


def _size_problem(size: int, limit: int) -> str | None:
    if size > limit:
        return f"is {size_text(size)}, over the limit of {size_text(limit)}"
    return None


def file_problem(path: str | Path, limit: int) -> str | None:
    """Why ``path`` cannot be read as an input file (a phrase such as ``does not exist`` or ``is a folder, not a
    regular file``), or None when it is a regular file of at most ``limit`` bytes. Never opens it."""
    text = str(path)
    if "\x00" in text:
        return "has a NUL byte (\\x00) in its path"
    try:
        st = os.stat(text)
    except FileNotFoundError:
        return "does not exist"
    except NotADirectoryError:
        return "does not exist (a part of its path is a file, not a folder)"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a symbolic link loop (its links lead back to themselves)"
        if exc.errno == errno.ENAMETOOLONG:
            return f"has a path too long for the file system ({len(text):,} characters)"
        if exc.errno == errno.EACCES:
            return "cannot be read: permission denied"
        return f"cannot be read: {exc.strerror or exc}"
    except ValueError as exc:   # anything else os.stat refuses to look up
        return f"has a path that cannot be looked up: {exc}"
    return _not_regular(st.st_mode) or _size_problem(st.st_size, limit)


def read_bounded(path: str | Path, limit: int) -> tuple[bytes | None, str | None]:
    """The content of ``path`` (checked by :func:`file_problem` first), or why it cannot be read.

    Opened without blocking and checked again once open, so a file swapped for a pipe in between cannot hang the
    read; at most ``limit`` + 1 bytes are read, so a file growing in between cannot exhaust memory."""
    problem = file_problem(path, limit)
    if problem:
        return None, problem
    try:
        fd = os.open(str(path), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror or exc}"
    try:
        problem = _not_regular(os.fstat(fd).st_mode)
        if problem:
            return None, problem
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror or exc}"
    finally:
        os.close(fd)
    if total > limit:
        return None, f"is over the limit of {size_text(limit)}"
    return b"".join(chunks), None


def nesting(value: object) -> int:
    """How deep tables and arrays nest in ``value`` (a parsed TOML document is 1), without recursion."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if depth > MAX_NESTING:   # deep enough to refuse; no need to walk the rest
            return depth
        todo.extend((c, depth + 1) for c in children)
    return deepest
