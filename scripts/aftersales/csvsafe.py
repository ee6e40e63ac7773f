"""Every CSV file the toolkit writes goes through :class:`CsvFile`.

- No cell a spreadsheet would run as a formula (OWASP "CSV injection"): a
  text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return is written with a single quote ``'`` before it, so Excel and
  LibreOffice show it as text. Only ``str`` cells are escaped: a number the
  toolkit writes as a number (``int``, ``float``, ``Decimal``: the amounts it
  formats itself, ``-12.50``) stays a number a spreadsheet can add up, and
  nothing read from a file or a server reaches a CSV as a number unless the
  toolkit made it one. A text already starting with quotes before one of those
  characters (``'=x``) gets one more, so that :func:`unescape`, which the
  toolkit applies to every CSV it reads, gives back exactly what was escaped:
  a rejects file fed back registers ``=x``, not ``'=x``.
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

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def _runs_as_formula(text: str) -> bool:
    return text.lstrip(QUOTE)[:1] in FORMULA_STARTS


def escape(value: Any) -> Any:
    """``value`` as a cell a spreadsheet shows rather than runs (see the module's docstring)."""
    if isinstance(value, str) and _runs_as_formula(value):
        return QUOTE + value
    return value


def unescape(text: str) -> str:
    """The inverse of :func:`escape` on a cell read back."""
    return text[1:] if text[:1] == QUOTE and _runs_as_formula(text[1:]) else text


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
            "w", encoding="utf-8", errors="replace", newline="", dir=path.parent,
            prefix=f".{path.name}-", delete=False)
        self._writer = csv.writer(self._handle, dialect="excel", delimiter=delimiter)
        self._open = True

    def writerow(self, cells: Iterable[Any]) -> None:
        self._writer.writerow(["" if value is None else escape(value) for value in cells])

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
