"""Files on disk. Reading a file that input names: only a regular file, and at most a bounded number
of bytes (a named pipe, a device or a socket would block or never end, `/dev/zero`, so it is refused
at once). Writing a file whole or not at all: written beside the real one, then renamed over it; what
is no regular file (a terminal, /dev/null, a pipe, /dev/stdout) is written to, never replaced."""

from __future__ import annotations

import contextlib
import io
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO


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


def write_whole(path: Path, chunks: Iterable[str]) -> str | None:
    """`chunks` as the UTF-8 content of `path` (a name that is not UTF-8 keeps its bytes), as
    `replace_file` writes it (a link's target is written, not the link replaced); what is no regular
    file is written to. None when written, otherwise why not, and `path` is as it was."""
    try:
        try:
            status: os.stat_result | None = path.stat()
        except FileNotFoundError:
            status = None
        if status is not None and not stat.S_ISREG(status.st_mode):
            with open(path, "w", encoding="utf-8", errors="surrogateescape") as stream:
                stream.writelines(chunks)
            return None
    except OSError as error:
        return error.strerror or str(error)

    def write(stream: BinaryIO) -> None:
        for chunk in chunks:
            stream.write(chunk.encode("utf-8", "surrogateescape"))

    return replace_file(Path(os.path.realpath(path)), status, write)


READ_ONLY = "nobody may write it (its mode is read-only)"


def replace_file(
    target: Path, status: os.stat_result | None, write: Callable[[BinaryIO], object], original: bytes | None = None
) -> str | None:
    """The regular file `target` (whose `status` is None when there is none yet) replaced whole or not at
    all by what `write` writes: into a file beside it, given its owner and then its permissions (set-id
    bits included; a new one the umask's), renamed over it. A file with other hard links is rewritten
    where it is, so they all see it. With `original`, the bytes `target` was read as: refused when it
    no longer holds them, before and just before the rename. None when written; otherwise why not
    (one nobody may write, mode 444; one whose owner the new file could not be given; one that changed),
    and `target` is as it was."""
    if status is not None and not status.st_mode & 0o222:
        return READ_ONLY
    if original is not None and changed(target, original):
        return CHANGED_WHILE_WRITTEN
    temporary: str | None = None
    try:
        if status is not None and status.st_nlink > 1:
            buffer = io.BytesIO()
            write(buffer)
            return rewrite_in_place(
                target, buffer.getvalue(), original if original is not None else target.read_bytes()
            )
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".writing")
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            refused = keep_owner(stream.fileno(), status) if status is not None else None
            if refused is not None:
                return refused
            # after chown, which clears set-id bits
            os.fchmod(stream.fileno(), status.st_mode & 0o7777 if status is not None else 0o666 & ~umask())
        if original is not None and changed(target, original):
            return CHANGED_WHILE_WRITTEN
        os.replace(temporary, target)
        temporary = None
        return None
    except OSError as error:
        return error.strerror or str(error)
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


CHANGED_WHILE_WRITTEN = "it changed while it was being written; run again"


def keep_owner(descriptor: int, status: os.stat_result) -> str | None:
    """Give the open file `descriptor` the owner and group of the file `status` describes; None, or why
    a file written in its place would not have them."""
    if (status.st_uid, status.st_gid) == (os.geteuid(), os.getegid()):
        return None
    try:
        os.fchown(descriptor, status.st_uid, status.st_gid)
    except PermissionError:
        if status.st_uid != os.geteuid():
            return f"it belongs to user {status.st_uid}, and a file written in its place would not"
        return f"its group is {status.st_gid}, and a file written in its place could not be given it"
    return None


def changed(path: Path, original: bytes) -> bool:
    """Whether `path` no longer holds `original` (another program wrote it since it was read)."""
    try:
        return path.stat().st_size != len(original) or path.read_bytes() != original
    except OSError:
        return True


def rewrite_in_place(path: Path, data: bytes, original: bytes) -> str | None:
    """`data` written over `path` where it is (every hard link sees it): once beside it first, so a full
    disk or a file-size limit shows before the file is touched; then over it, and back to `original`
    if that still fails. None, or why not."""
    handle, trial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".writing")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
    except OSError as error:
        return error.strerror or str(error)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(trial)
    if changed(path, original):
        return CHANGED_WHILE_WRITTEN
    try:
        path.write_bytes(data)
        return None
    except OSError as error:
        with contextlib.suppress(OSError):
            path.write_bytes(original)
        return error.strerror or str(error)


def umask() -> int:
    """The process's file mode creation mask (reading it means setting it: it is set back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
