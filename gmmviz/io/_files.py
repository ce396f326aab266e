"""File helpers shared by the readers and writers of :mod:`gmmviz.io`.

Suffix checks, whole-file reads, atomic writes and safe ``.npz`` opening: the parts of reading
and writing that do not depend on what the file holds. Every problem is reported as
``ValueError("<path>: <what is wrong>")``, like the rest of the I/O code.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import secrets
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "NPZ_ERRORS",
    "NotAnArchive",
    "PathLike",
    "atomic_writer",
    "check_suffix",
    "corrupt_npz_error",
    "open_npz",
    "read_nonempty",
]

PathLike = str | os.PathLike

#: What :func:`open_npz` and reading the arrays of an archive can raise for a bad file.
NPZ_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    ValueError,
    OSError,
    EOFError,
    KeyError,
)


def check_suffix(path: Path, allowed: Sequence[str], what: str) -> str:
    """Lower-case suffix of ``path``; ``ValueError`` naming the allowed ones otherwise."""
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise ValueError(
            f"{path}: unsupported {what} file type {suffix or '(no suffix)'!r}; "
            f"use one of {', '.join(allowed)}"
        )
    return suffix


def read_nonempty(path: Path) -> bytes:
    """The bytes of ``path``; ``ValueError`` if there are none."""
    with open(path, "rb") as fh:
        raw = fh.read()
    if not raw:
        raise ValueError(f"{path}: the file is empty")
    return raw


def _create_temporary(path: Path) -> tuple[int, str]:
    """Create and open a new, uniquely named file next to ``path``; ``(fd, name)``.

    Unlike :func:`tempfile.mkstemp` (always mode 0600), the file is created with mode 0666
    minus the process umask, like any file a program writes (0644 under umask 022), so the
    export that replaces ``path`` is an ordinary file other users can read when the umask says
    so. ``O_EXCL`` makes the name ours alone.
    """
    directory = path.parent if str(path.parent) else Path(".")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        name = str(directory / f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(name, flags, 0o666), name
        except FileExistsError:
            continue
    raise FileExistsError(f"{path}: could not create a temporary file next to it")


@contextlib.contextmanager
def atomic_writer(path: Path, mode: str) -> Iterator[Any]:
    """Open a temporary file next to ``path`` and move it over ``path`` only on success.

    ``mode`` is ``"w"`` (UTF-8 text, newlines written as given) or ``"wb"``. A crash or an
    exception while writing leaves any existing file untouched and no partial file behind.
    The file gets the permissions of a newly created file: 0666 minus the umask.

    Raises
    ------
    IsADirectoryError
        If ``path`` is a directory (checked first: the error of the final move would name
        the temporary file).
    """
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a directory, not a file", str(path))
    fd, tmp_name = _create_temporary(path)
    try:
        kwargs = {"encoding": "utf-8", "newline": ""} if "b" not in mode else {}
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


class NotAnArchive(ValueError):
    """The bytes are a valid file of another kind (a .npy array), not an .npz archive."""


def open_npz(raw: bytes, path: Path) -> Any:
    """``np.load`` of ``raw`` (no pickles) that insists on an .npz archive."""
    loaded = np.load(io.BytesIO(raw), allow_pickle=False)
    if not hasattr(loaded, "files"):
        raise NotAnArchive(f"{path}: a .npy array, not an .npz archive")
    return loaded


def corrupt_npz_error(exc: BaseException, path: Path) -> ValueError:
    """The ``ValueError`` to raise for ``exc`` (one of :data:`NPZ_ERRORS`) from ``path``."""
    if isinstance(exc, NotAnArchive):
        return exc
    return ValueError(
        f"{path}: not a readable .npz archive ({type(exc).__name__}: {exc}); "
        "the file may be truncated or corrupt"
    )
