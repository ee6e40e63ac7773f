"""Every CSV file the toolkit writes goes through :class:`CsvFile`.

- Excel's dialect (a double quote in a cell doubled, cells quoted when they
  need it) with the delimiter asked for, never a dialect sniffed from a file:
  ``csv.Sniffer`` answers "no doublequote, no escapechar" for a line without
  quotes, and with that dialect a cell holding a double quote cannot be
  written at all.
- Written beside the target and renamed once complete, so a file is never
  left half-written, and the target may be the very file being read.
- A character that cannot be encoded (a lone surrogate in a server's message)
  is replaced by ``?`` rather than raised: a row is worth more than a character.
"""

from __future__ import annotations

import csv
import errno
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any


class CsvFile:
    """A CSV file being written: opened at once (so that a path that cannot be
    written fails before any work is done), renamed into place by
    :meth:`commit`, removed by :meth:`discard` or when its ``with`` block ends
    without a commit."""

    def __init__(self, path: Path, delimiter: str = ",") -> None:
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        self.path = path
        self._handle = tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", errors="replace", newline="", dir=path.parent or Path("."),
            prefix=f".{path.name}-", delete=False)
        self._writer = csv.writer(self._handle, dialect="excel", delimiter=delimiter)
        self._open = True

    def writerow(self, cells: Iterable[Any]) -> None:
        self._writer.writerow(["" if value is None else value for value in cells])

    def commit(self) -> None:
        self._handle.close()
        os.replace(self._handle.name, self.path)
        self._open = False

    def discard(self) -> None:
        if self._open:
            self._handle.close()
            Path(self._handle.name).unlink(missing_ok=True)
            self._open = False

    def __enter__(self) -> CsvFile:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.discard()
