"""Files a command writes whole or not at all: written beside the real one, then renamed over it. What
is no regular file (a terminal, /dev/null, a pipe, /dev/stdout) is written to, never replaced."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path


def write_whole(path: Path, chunks: Iterable[str]) -> str | None:
    """`chunks` as the UTF-8 content of `path` (a name that is not UTF-8 keeps its bytes), through a
    file beside it renamed over it, with the permissions an existing file had; None when written,
    otherwise why not, and `path` is as it was."""
    temporary: str | None = None
    try:
        try:
            status: os.stat_result | None = path.stat()
        except FileNotFoundError:
            status = None
        if status is not None and not stat.S_ISREG(status.st_mode):
            with open(path, "w", encoding="utf-8", errors="surrogateescape") as stream:
                stream.writelines(chunks)
            return None
        target = Path(os.path.realpath(path))  # a link's target is written, not the link replaced
        mode = status.st_mode & 0o7777 if status is not None else None
        handle, temporary = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".", prefix=".preflight-")
        with os.fdopen(handle, "w", encoding="utf-8", errors="surrogateescape") as stream:
            stream.writelines(chunks)
        os.chmod(temporary, mode if mode is not None else 0o666 & ~_umask())
        os.replace(temporary, target)
        temporary = None
        return None
    except OSError as error:
        return error.strerror or str(error)
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
