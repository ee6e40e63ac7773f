"""QR label sheets, rendered locally with reportlab.

The QR code is drawn as vector rectangles (one per horizontal run of dark
modules), so it stays crisp at any printer resolution and costs a few hundred
bytes per label. Geometry is in millimetres with PDF's origin at the bottom
left; the functions computing it are pure so the tests can check them.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import BinaryIO, NamedTuple

import qrcode
import qrcode.constants
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from aftersales.errors import EXIT_OK, EXIT_PARTIAL, EXIT_USAGE
from aftersales.gateway import Gateway
from aftersales.models import MAX_LENGTH, Label
from aftersales.output import echo, fail
from aftersales.textfile import NotUtf8, decode_utf8

QUIET_MODULES = 4  # the quiet zone the QR standard asks for, inside the QR box
# Choosing the best of the 8 mask patterns costs qrcode ~7 ms per code, four
# fifths of the work per label; any mask is valid and decodes alike, so take one.
MASK_PATTERN = 2
# Adobe's CID fonts: referenced, not embedded, so a Chinese label costs no more
# than a Latin one; the PDF reader supplies the glyphs from its own CJK font.
SIMPLIFIED_FONT = "STSong-Light"  # Adobe-GB1: every CJK Unified Ideograph, Traditional ones too
TRADITIONAL_FONT = "MSung-Light"  # Adobe-CNS1: Big5's characters, without most Simplified-only ones
TRADITIONAL_LOCALE = re.compile(r"zh[_-](tw|hk|mo|hant)(?![a-z])", re.IGNORECASE)
SIMPLIFIED_LOCALE = re.compile(r"zh[_-](cn|sg|my|hans)(?![a-z])", re.IGNORECASE)
IDEOGRAPH = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


class Box(NamedTuple):
    x: float
    y: float
    width: float
    height: float

    def contains(self, other: Box, tolerance: float = 1e-6) -> bool:
        return (other.x >= self.x - tolerance and other.y >= self.y - tolerance
                and other.x + other.width <= self.x + self.width + tolerance
                and other.y + other.height <= self.y + self.height + tolerance)


@dataclass(frozen=True)
class Layout:
    name: str
    page_width: float
    page_height: float
    columns: int
    rows: int
    label_width: float
    label_height: float
    margin_left: float = 0.0
    margin_top: float = 0.0
    gap_x: float = 0.0
    gap_y: float = 0.0
    padding: float = 2.0

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def cell(self, position: int) -> Box:
        """The label at ``position`` on its page, filled row by row from the top left."""
        row, column = divmod(position % self.per_page, self.columns)
        x = self.margin_left + column * (self.label_width + self.gap_x)
        top = self.margin_top + row * (self.label_height + self.gap_y)
        return Box(x, self.page_height - top - self.label_height, self.label_width, self.label_height)


LAYOUTS = {
    layout.name: layout
    for layout in (
        # 63.5 x 33.9 mm, the usual 24-up A4 sheet (Avery L7159 and equivalents).
        Layout("a4-3x8", 210, 297, 3, 8, 63.5, 33.9, margin_left=7.25, margin_top=12.9, gap_x=2.5),
        # 70 x 37 mm edge to edge (Avery 3474 and equivalents).
        Layout("a4-3x8-70x37", 210, 297, 3, 8, 70, 37, margin_top=0.5),
        # 62 mm thermal roll (Brother DK-11209 and the like): one label per page.
        Layout("roll-62x29", 62, 29, 1, 1, 62, 29, padding=1.5),
    )
}


class Parts(NamedTuple):
    qr: Box
    text: Box


def label_parts(layout: Layout, cell: Box) -> Parts:
    """The QR square on the left, the text beside it."""
    inner = Box(cell.x + layout.padding, cell.y + layout.padding,
                cell.width - 2 * layout.padding, cell.height - 2 * layout.padding)
    side = min(inner.height, inner.width * 0.5)
    qr = Box(inner.x, inner.y + (inner.height - side) / 2, side, side)
    gap = layout.padding / 2
    return Parts(qr, Box(qr.x + side + gap, inner.y, inner.width - side - gap, inner.height))


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR modules of ``data`` without quiet zone, dark as True."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0,
                         mask_pattern=MASK_PATTERN)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def dark_runs(matrix: Sequence[Sequence[bool]]) -> Iterator[tuple[int, int, int]]:
    """(row, first column, length) of each horizontal run of dark modules."""
    for row, cells in enumerate(matrix):
        start = None
        for column, dark in enumerate((*cells, False)):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                yield row, start, column - start
                start = None


def qr_rects(matrix: Sequence[Sequence[bool]], box: Box) -> list[Box]:
    """The dark rectangles of ``matrix`` fitted into ``box`` with the quiet zone, in mm."""
    module = box.width / (len(matrix) + 2 * QUIET_MODULES)
    top = box.y + box.height - QUIET_MODULES * module
    left = box.x + QUIET_MODULES * module
    return [Box(left + column * module, top - (row + 1) * module, length * module, module)
            for row, column, length in dark_runs(matrix)]


# -- text ----------------------------------------------------------------------------


def chinese_preference(env: Mapping[str, str] = os.environ) -> str | None:
    """"traditional" or "simplified" when the user's locale is a Chinese one
    (LC_ALL, else LC_MESSAGES, else LANG, the order POSIX reads them in):
    zh_TW, zh_HK, zh_MO, zh-Hant or zh_CN, zh_SG, zh_MY, zh-Hans; None otherwise."""
    locale = env.get("LC_ALL") or env.get("LC_MESSAGES") or env.get("LANG") or ""
    if TRADITIONAL_LOCALE.match(locale):
        return "traditional"
    if SIMPLIFIED_LOCALE.match(locale):
        return "simplified"
    return None


@lru_cache(maxsize=4096)  # a batch repeats a few product names a thousand times
def chinese_font(text: str, preference: str | None = None) -> str:
    """The CID font for text Helvetica cannot draw: Traditional or Simplified Chinese.

    MSung-Light (Traditional) only when every character is one Big5 encodes,
    all of which Adobe-CNS1 has: it lacks most Simplified-only characters
    (络, 摄, 压...), which would print as nothing. Within that, the user's
    Chinese locale decides (``preference``, from :func:`chinese_preference`);
    without one, a Traditional-only character (one GB2312, the Simplified set,
    lacks: 網, 攝, 機) makes it Traditional. Everything else, Simplified or
    mixed text, characters of neither set and non-Chinese scripts (Greek,
    Cyrillic, Polish) as before, gets STSong-Light: Adobe-GB1 maps every CJK
    Unified Ideograph, so nothing goes missing, in Simplified glyph shapes.
    """
    try:
        text.encode("big5")
    except UnicodeEncodeError:
        return _cid_font(SIMPLIFIED_FONT)
    ideographs = IDEOGRAPH.findall(text)
    if not ideographs or preference == "simplified":
        return _cid_font(SIMPLIFIED_FONT)
    if preference == "traditional" or not all(_in_gb2312(char) for char in ideographs):
        return _cid_font(TRADITIONAL_FONT)
    return _cid_font(SIMPLIFIED_FONT)


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


@cache
def _cid_font(name: str) -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(name))
    return name


def font_for(text: str, bold: bool = False, preference: str | None = None) -> str:
    """Helvetica when the text is Latin, exactly as before; a Chinese CID font
    otherwise (:func:`chinese_font`, ``preference`` its locale's choice)."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return chinese_font(text, preference)
    return "Helvetica-Bold" if bold else "Helvetica"


def fit_size(text: str, font: str, width: float, largest: float, smallest: float) -> float:
    """The largest font size (pt, in half points) at which ``text`` fits ``width`` mm."""
    size = largest
    while size > smallest and pdfmetrics.stringWidth(text, font, size) > width * mm:
        size -= 0.5
    return size


def _hard_break(line: str, font: str, size: float, limit: float) -> list[str]:
    """Cut a line with no space to break at (a long reference, Chinese text)."""
    pieces, current, used = [], "", 0.0
    for char in line:
        width = pdfmetrics.stringWidth(char, font, size)
        if current and used + width > limit:
            pieces.append(current)
            current, used = "", 0.0
        current += char
        used += width
    return [*pieces, current]


def wrap(text: str, font: str, size: float, width: float, max_lines: int) -> list[str]:
    """At most ``max_lines`` lines of ``width`` mm; an ellipsis ends a text cut short."""
    limit = width * mm
    lines = [piece for line in simpleSplit(text, font, size, limit) or [""]
             for piece in _hard_break(line, font, size, limit)]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and pdfmetrics.stringWidth(last + "…", font, size) > limit:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines


# -- rendering -------------------------------------------------------------------------


def _draw_qr(canvas: Canvas, matrix: Sequence[Sequence[bool]], box: Box) -> None:
    # One path in module units: "col row len 1 re" per run, then a single fill.
    # Integers keep the content stream short; the transform places and scales it.
    module = box.width / (len(matrix) + 2 * QUIET_MODULES)
    ops = " ".join(f"{column} {row} {length} 1 re" for row, column, length in dark_runs(matrix))
    canvas.saveState()
    canvas.translate((box.x + QUIET_MODULES * module) * mm,
                     (box.y + box.height - QUIET_MODULES * module) * mm)
    canvas.scale(module * mm, -module * mm)
    canvas.addLiteral(f"0 g {ops} f")
    canvas.restoreState()


def _draw_text(canvas: Canvas, label: Label, box: Box, preference: str | None = None) -> None:
    height_pt = box.height * mm
    y = box.y * mm + height_pt
    name_font = font_for(label.product, bold=True, preference=preference)
    name_size = 9.0 if box.height > 25 else 8.0
    for line in wrap(label.product, name_font, name_size, box.width, 3 if box.height > 25 else 2):
        y -= name_size * 1.1
        canvas.setFont(name_font, name_size)
        canvas.drawString(box.x * mm, y, line)
    if label.product_code:
        font = font_for(label.product_code, preference=preference)
        size = fit_size(label.product_code, font, box.width, 7, 4)
        y -= size * 1.25
        canvas.setFont(font, size)
        canvas.drawString(box.x * mm, y, label.product_code)
    # The serial must never be cut: it shrinks instead, and sits at the bottom.
    serial = f"S/N {label.serial}"
    font = font_for(serial, bold=True, preference=preference)
    size = fit_size(serial, font, box.width, 9, 4)
    canvas.setFont(font, size)
    canvas.drawString(box.x * mm, box.y * mm + 1.5, serial)


def render_labels(labels: Sequence[Label], layout: Layout, output: str | BinaryIO, skip: int = 0) -> int:
    """Write the PDF (a file name or a binary stream); the number of pages.
    ``skip`` leaves that many labels of the first sheet blank (a used sheet).
    Chinese text takes Traditional or Simplified glyphs after the user's locale
    when it is a Chinese one, after its own characters otherwise (:func:`chinese_font`)."""
    preference = chinese_preference()
    canvas = Canvas(output, pagesize=(layout.page_width * mm, layout.page_height * mm),
                    pageCompression=1, invariant=1)
    canvas.setTitle("Service labels")
    canvas.setCreator("aftersales")
    for index, label in enumerate(labels, start=skip):
        position = index % layout.per_page
        if position == 0 and index > skip:
            canvas.showPage()
        parts = label_parts(layout, layout.cell(position))
        _draw_qr(canvas, qr_matrix(label.url), parts.qr)
        _draw_text(canvas, label, parts.text, preference)
    if labels:
        canvas.showPage()
    canvas.save()
    return (skip + len(labels) - 1) // layout.per_page + 1 if labels else 0


# -- command ---------------------------------------------------------------------------


def read_serials(arguments: Iterable[str], file: Path | None) -> list[str]:
    """Serials in the order given, once each; a file has one per line, blank
    lines and ``#`` comments ignored."""
    lines: list[str] = list(arguments)
    if file is not None:
        stdin = str(file) == "-"
        data = sys.stdin.buffer.read() if stdin else file.read_bytes()
        text = decode_utf8(data, "stdin" if stdin else str(file))
        lines += [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    return list(dict.fromkeys(s.strip() for s in lines if s.strip()))


def order_like(labels: Sequence[Label], serials: Sequence[str]) -> list[Label]:
    """The serials named first, in the order given; the rest (a transfer's) after, by name."""
    rank = {serial: index for index, serial in enumerate(serials)}
    return sorted(labels, key=lambda label: (rank.get(label.serial, len(rank)), label.serial))


def run_labels(options: argparse.Namespace, connect: Callable[[], Gateway]) -> int:
    layout = LAYOUTS.get(options.layout)
    if layout is None:
        fail(f"unknown layout {echo(options.layout)!r}; choose one of {', '.join(LAYOUTS)}")
        return EXIT_USAGE
    if not 0 <= options.skip < layout.per_page:
        fail(f"--skip must be between 0 and {layout.per_page - 1} for {layout.name}")
        return EXIT_USAGE
    output: Path = options.output
    if output.is_dir() or not output.parent.is_dir():
        reason = "it is a directory" if output.is_dir() else f"no directory {output.parent}"
        fail(f"cannot write {output}: {reason}")
        return EXIT_USAGE
    try:
        serials = read_serials(options.serials, options.file)
    except OSError as error:
        fail(f"cannot read {options.file}: {error.strerror}")
        return EXIT_USAGE
    except NotUtf8 as error:
        fail(f"{error}; nothing was printed: save it as UTF-8 text and run it again")
        return EXIT_USAGE
    if not (serials or options.picking or options.sale_order):
        fail("name the units: serials, --file, --picking or --sale-order")
        return EXIT_USAGE
    limit = MAX_LENGTH["serial"]
    too_long = [serial for serial in serials if len(serial) > limit]
    for serial in too_long:
        fail(f"not a serial (longer than {limit} characters): {echo(serial)}")
    serials = [serial for serial in serials if len(serial) <= limit]
    if not (serials or options.picking or options.sale_order):
        fail("no label to print")
        return EXIT_PARTIAL
    result = connect().labels(serials, picking=options.picking, sale_order=options.sale_order)
    for serial in result.unknown:
        fail(f"unknown serial: {echo(serial)}")
    if not result.labels:
        fail("no label to print")
        return EXIT_PARTIAL
    labels = order_like(result.labels, serials)
    try:
        pages = render_labels(labels, layout, str(output), skip=options.skip)
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror}")
        return EXIT_USAGE
    print(f"{options.output}: {len(labels)} label(s) on {pages} page(s), layout {layout.name}")
    return EXIT_PARTIAL if result.unknown or too_long else EXIT_OK
