"""The one way the tool writes a file: a temporary file in the same folder, then `os.replace`.

A reader (or a crash, a full disk, Ctrl-C) never leaves half a file: either the old file stands untouched or the
new one is complete. On any failure the temporary file is removed and the error goes on to the caller.
Golden snapshots (golden.py) and the files of `new-period` (scaffold.py) are written here.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: str | os.PathLike, content: str | bytes, encoding: str = "utf-8") -> None:
    """Write `content` (text is encoded as UTF-8, newlines as given) to `path` atomically."""
    path = Path(path)
    data = content.encode(encoding) if isinstance(content, str) else bytes(content)
    path.parent.mkdir(parents=True, exist_ok=True)
    # same folder: os.replace is atomic only within one file system
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())     # the bytes are on disk before the name points at them
        os.chmod(temporary, 0o666 & ~_umask())   # mkstemp makes 0600; the result is an ordinary file
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
