"""Terminal output: colour only on a terminal (and never with NO_COLOR), a
progress bar only on a terminal, so that pipes and logs stay plain text."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from typing import TextIO

COLOURS = {"red": "31", "green": "32", "yellow": "33", "bold": "1", "dim": "2"}


class Style:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.enabled = (stream or sys.stdout).isatty() and not os.environ.get("NO_COLOR")

    def __call__(self, text: str, colour: str) -> str:
        return f"\033[{COLOURS[colour]}m{text}\033[0m" if self.enabled else text


def fail(message: str) -> None:
    print(f"aftersales: {message}", file=sys.stderr)


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


ECHO_WIDTH = 80


def echo(text: str) -> str:
    """A code, serial or argument the user gave, as a message repeats it:
    clipped to ``ECHO_WIDTH`` characters, so that a scanner stuck on repeat or
    a file pasted into a prompt cannot flood the terminal or the log."""
    return clip(text, ECHO_WIDTH)


def table(headers: Sequence[str] | None, rows: Sequence[Sequence[str]], *, right: Sequence[int] = (),
          widest: int = 32, indent: str = "") -> list[str]:
    """Columns aligned with two spaces between them; the columns numbered in
    ``right`` (amounts) aligned right; cells longer than ``widest`` clipped
    (the commands' --json and --csv output have the full values)."""
    cells = [[clip(cell, widest) for cell in row] for row in ([headers] if headers else []) + list(rows)]
    if not cells:
        return []
    widths = [max(len(row[column]) for row in cells) for column in range(len(cells[0]))]
    return [indent + "  ".join(cell.rjust(width) if column in right else cell.ljust(width)
                               for column, (cell, width) in enumerate(zip(row, widths))).rstrip()
            for row in cells]


def plain_amount(value: float, thousands: bool = False) -> str:
    """At least two decimals, more when the amount has them (currencies with
    three); no float noise: 1234.5 -> "1234.50", 0.1 + 0.2 -> "0.30"."""
    value = round(value, 6)
    whole, decimals = f"{abs(value):.6f}".split(".")
    if thousands:
        whole = f"{int(whole):,}"
    return f"{'-' if value < 0 else ''}{whole}.{decimals.rstrip('0').ljust(2, '0')}"


class Progress:
    """``label  ######.....  3000/10000  1234/s`` redrawn in place on stderr."""

    WIDTH = 30

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() and total > 0
        self.started = time.monotonic()

    def advance(self, count: int) -> None:
        self.done += count
        if not self.enabled:
            return
        filled = self.WIDTH * self.done // self.total
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(f"\r{self.label}  {bar}  {self.done}/{self.total}  {rate:,.0f}/s")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
