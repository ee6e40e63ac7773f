"""The text files users hand the toolkit (a CSV to register, a list of
serials) are UTF-8. One that is not is refused with the line to look at,
1-based and counted as a text editor counts lines, not as a byte offset."""

from __future__ import annotations

from aftersales.errors import AftersalesError


class NotUtf8(AftersalesError):
    """``str()`` says where: "units.csv, line 3: not UTF-8 text (byte 0xE9)";
    the caller adds what it did not do and what to do."""

    def __init__(self, name: str, lines: list[int], byte: int) -> None:
        self.lines = lines
        first, others = lines[0], lines[1:]
        also = ""
        if others:
            shown = ", ".join(map(str, others[:3]))
            more = f" and {len(others) - 3} more" if len(others) > 3 else ""
            also = f"; also on line{'s' if len(others) > 1 else ''} {shown}{more}"
        super().__init__(f"{name}, line {first}: not UTF-8 text (byte 0x{byte:02X}){also}")


def decode_utf8(data: bytes, name: str) -> str:
    """The text of ``data`` (a UTF-8 byte order mark dropped), or NotUtf8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # A UTF-8 sequence never spans a newline, so each line can be checked alone.
    bad: list[tuple[int, int]] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as error:
            bad.append((number, raw[error.start]))
    raise NotUtf8(name, [number for number, _byte in bad], bad[0][1])
