"""Reading a file that input names: only a regular file, and at most a bounded number of bytes. A
named pipe, a device or a socket would block or never end (`/dev/zero`), so it is refused at once."""

from __future__ import annotations

import os
import stat
from pathlib import Path


class Unreadable(Exception):
    """Why a file could not be read, in a few words (no file name: the caller adds it)."""


def read_regular_file(path: Path, limit: int) -> bytes:
    """At most `limit + 1` bytes of the regular file `path` (one more than allowed, so a caller can tell
    that the file is over the limit)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except IsADirectoryError:
        raise Unreadable("is a directory, not a file") from None
    except OSError as error:
        what = "folder" if os.path.isdir(path) else "file"
        raise Unreadable(f"cannot read {what}: {error.strerror or error}") from None
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise Unreadable("is a directory, not a file")
        if not stat.S_ISREG(mode):
            raise Unreadable("is not a regular file (a named pipe, device or socket): not read")
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
    except OSError as error:
        raise Unreadable(f"cannot read file: {error.strerror or error}") from None
    finally:
        os.close(descriptor)
