"""Reading a user's input file as text: a regular, reasonably small UTF-8 file, or one clean error.

Shared by scenario files and targets tables, so a device, a directory, a symbolic-link loop, a
byte-order mark or bytes that are not UTF-8 each get one line naming the file.
"""

from __future__ import annotations

import codecs
import errno
import stat
from pathlib import Path

from nmmsim.errors import NmmsimError

__all__ = ["MAX_INPUT_BYTES", "read_input"]

#: Largest input file read: far above any scenario or targets table, far below a runaway read.
MAX_INPUT_BYTES = 1 << 20


def read_input(path: Path, what: str, error: type[NmmsimError], *,
               limit: int = MAX_INPUT_BYTES) -> str:
    """The text of ``path``, a regular UTF-8 file of at most ``limit`` bytes (default
    `MAX_INPUT_BYTES`).

    Parameters
    ----------
    path : Path
    what : str
        What the file is, for messages ("scenario", "targets").
    error : type
        The `NmmsimError` subclass to raise.

    Raises
    ------
    NmmsimError
        ``error``, naming the file and what is wrong: missing, a symbolic-link loop, not a regular
        file (a directory, device or pipe), too large, unreadable, a UTF-8 byte-order mark, or not
        UTF-8.
    """
    try:
        info = path.stat()  # before opening: opening a pipe would block, a device never ends
    except FileNotFoundError:
        raise error(f"{path}: no such {what} file") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise error(f"{path}: symbolic link loop; give the {what} file itself") from None
        raise error(f"{path}: cannot read ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise error(f"{path}: not a regular file (a directory, device or pipe); give a {what} "
                    "file")
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror})") from None
    if len(data) > limit:
        raise error(f"{path}: larger than {limit:,} bytes; not a {what} file")
    if data.startswith(codecs.BOM_UTF8):
        raise error(f"{path}: starts with a UTF-8 byte-order mark (BOM); save it as UTF-8 "
                    "without BOM")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(f"{path}: not UTF-8 text (byte {data[exc.start]:#04x} on line {line}); save "
                    "it as UTF-8") from None
