"""Terminal output: colour only on a terminal (and never with NO_COLOR), a
progress bar only on a terminal, so that pipes and logs stay plain text."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

COLOURS = {"red": "31", "green": "32", "yellow": "33", "bold": "1", "dim": "2"}


class Style:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.enabled = (stream or sys.stdout).isatty() and not os.environ.get("NO_COLOR")

    def __call__(self, text: str, colour: str) -> str:
        return f"\033[{COLOURS[colour]}m{text}\033[0m" if self.enabled else text


def fail(message: str) -> None:
    print(f"aftersales: {message}", file=sys.stderr)


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
