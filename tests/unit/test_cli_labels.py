"""Label sheets: layout geometry, the QR drawn, and what decodes back from the PDF."""

import io
import itertools

import pypdfium2
import pytest
import zxingcpp
from fakes import FakeTransport, make_gateway

from aftersales.cli import main
from aftersales.labels import (
    LAYOUTS,
    QUIET_MODULES,
    Box,
    dark_runs,
    label_parts,
    qr_matrix,
    qr_rects,
    read_serials,
    render_labels,
)
from aftersales.models import Label

URL = "http://127.0.0.1:8069/service/d/"


def make_labels(count, product="Compressor XL 3000 industrial unit"):
    return [Label(serial=f"SN-2026-{i:06d}", product=product, product_code="CMP-XL",
                  url=f"{URL}{i:032d}") for i in range(count)]


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=list(LAYOUTS))
def test_cells_fit_the_page_and_do_not_overlap(layout):
    page = Box(0, 0, layout.page_width, layout.page_height)
    cells = [layout.cell(i) for i in range(layout.per_page)]
    assert all(page.contains(cell) for cell in cells)
    for a, b in itertools.combinations(cells, 2):
        assert a.x + a.width <= b.x + 1e-6 or b.x + b.width <= a.x + 1e-6 \
            or a.y + a.height <= b.y + 1e-6 or b.y + b.height <= a.y + 1e-6
    assert layout.cell(layout.per_page) == cells[0], "the next page starts at the top left again"


def test_a4_3x8_geometry():
    layout = LAYOUTS["a4-3x8"]
    assert layout.per_page == 24
    first, last = layout.cell(0), layout.cell(23)
    assert (first.x, round(first.y + first.height, 6)) == (7.25, round(297 - 12.9, 6))
    assert round(last.x + last.width, 6) == 210 - 7.25, "the sheet's margins are symmetric"
    assert round(last.y, 6) == 12.9
    assert layout.cell(1).x - layout.cell(0).x == pytest.approx(63.5 + 2.5)


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=list(LAYOUTS))
def test_parts_stay_inside_the_label(layout):
    cell = layout.cell(4 % layout.per_page)
    parts = label_parts(layout, cell)
    assert cell.contains(parts.qr) and cell.contains(parts.text)
    assert parts.qr.width == parts.qr.height
    assert parts.qr.x + parts.qr.width < parts.text.x, "text beside the QR, not over it"
    assert parts.qr.width >= 20, "a 20 mm QR or larger scans from arm's length"


def test_runs_rebuild_the_matrix():
    matrix = qr_matrix(URL + "a" * 32)
    rebuilt = [[False] * len(matrix) for _ in matrix]
    for row, column, length in dark_runs(matrix):
        for c in range(column, column + length):
            rebuilt[row][c] = True
    assert rebuilt == matrix


def test_rects_keep_the_quiet_zone_inside_the_box():
    matrix = qr_matrix(URL + "a" * 32)
    box = Box(10, 20, 30, 30)
    module = 30 / (len(matrix) + 2 * QUIET_MODULES)
    rects = qr_rects(matrix, box)
    inner = Box(10 + QUIET_MODULES * module, 20 + QUIET_MODULES * module,
                len(matrix) * module, len(matrix) * module)
    assert all(inner.contains(rect) for rect in rects)
    assert sum(rect.width for rect in rects) == pytest.approx(module * sum(map(sum, matrix)))


def rasterize(pdf: bytes, dpi: int = 300):
    document = pypdfium2.PdfDocument(pdf)
    return [page.render(scale=dpi / 72).to_pil().convert("L") for page in document], document


def test_every_qr_on_a_sheet_decodes_to_its_url():
    labels = make_labels(26)
    buffer = io.BytesIO()
    assert render_labels(labels, LAYOUTS["a4-3x8"], buffer) == 2
    images, document = rasterize(buffer.getvalue())
    assert len(images) == 2
    decoded = [result.text for image in images for result in zxingcpp.read_barcodes(image)]
    assert sorted(decoded) == sorted(label.url for label in labels)
    text = document[0].get_textpage().get_text_range()
    assert "S/N SN-2026-000000" in text and "CMP-XL" in text and "Compressor XL" in text


def test_roll_label_decodes_at_thermal_printer_resolution():
    labels = make_labels(2)
    buffer = io.BytesIO()
    assert render_labels(labels, LAYOUTS["roll-62x29"], buffer) == 2
    images, _document = rasterize(buffer.getvalue(), dpi=203)  # a common thermal head
    assert [[r.text for r in zxingcpp.read_barcodes(image)] for image in images] == [[labels[0].url],
                                                                                     [labels[1].url]]
    width, height = images[0].size
    assert (round(width / 203 * 25.4), round(height / 203 * 25.4)) == (62, 29)


def test_skip_leaves_used_labels_blank_and_small_file():
    labels = make_labels(20)
    buffer = io.BytesIO()
    assert render_labels(labels, LAYOUTS["a4-3x8"], buffer, skip=5) == 2  # 5 + 20 > 24
    images, _document = rasterize(buffer.getvalue(), dpi=150)
    first_page = zxingcpp.read_barcodes(images[0])
    assert len(first_page) == 19
    top_row = min(result.position.top_left.y for result in first_page)
    assert all(result.position.top_left.y > top_row or result.position.top_left.x > images[0].width / 2
               for result in first_page), "the first 5 cells (row 1 and two of row 2) stay blank"
    assert len(buffer.getvalue()) / len(labels) < 1000, "vector QR: well under 1 kB per label"


def test_long_and_non_latin_names():
    labels = make_labels(1, product="工业空气压缩机 XL-3000 变频") + make_labels(1, product="W" * 200)
    buffer = io.BytesIO()
    render_labels(labels, LAYOUTS["a4-3x8"], buffer)
    assert b"STSong-Light" in buffer.getvalue()
    images, document = rasterize(buffer.getvalue(), dpi=200)
    assert len(zxingcpp.read_barcodes(images[0])) == 2
    text = document[0].get_textpage().get_text_range()
    assert "…" in text, "an over-long name is cut with an ellipsis"
    assert "W" * 60 not in text, "a word longer than the label is broken, not left to overflow"


def test_read_serials(tmp_path):
    path = tmp_path / "serials.txt"
    path.write_text("\ufeffSN-3\n# a comment\n\n  SN-1  \nSN-3\n")
    assert read_serials(["SN-2", "SN-1"], path) == ["SN-2", "SN-1", "SN-3"]


def labels_gateway(known):
    def get_service_labels(ids, serials=(), picking=None, sale_order=None):
        names = list(serials) + (["SN-9", "SN-8"] if picking else [])
        return {"labels": [{"serial": s, "product": "P", "product_code": False, "url": f"{URL}{s:0>32}"}
                           for s in sorted(n for n in names if n in known)],
                "unknown": [s for s in serials if s not in known]}

    transport = FakeTransport({("stock.lot", "get_service_labels"): get_service_labels})
    return transport, make_gateway(transport)


def test_labels_command(tmp_path, capsys):
    transport, gateway = labels_gateway({"SN-1", "SN-2", "SN-8", "SN-9"})
    output = tmp_path / "out.pdf"
    code = main(["labels", "SN-2", "SN-1", "NOPE", "--picking", "WH/OUT/1", "-o", str(output)],
                connect=lambda: gateway)
    assert code == 1, "an unknown serial is a failed item"
    assert "unknown serial: NOPE" in capsys.readouterr().err
    assert len(transport.calls) == 1, "one batched call for every label"
    images, _document = rasterize(output.read_bytes(), dpi=150)
    # Reading order: by row (labels are 33.9 mm = 200 px apart), then left to right.
    found = sorted(zxingcpp.read_barcodes(images[0]), key=lambda r: (r.position.top_left.y // 100,
                                                                      r.position.top_left.x))
    # Named serials first in the order given, then the transfer's.
    assert [r.text[-4:] for r in found] == ["SN-2", "SN-1", "SN-8", "SN-9"]


def test_labels_command_all_known(tmp_path, capsys):
    _transport, gateway = labels_gateway({"SN-1"})
    output = tmp_path / "out.pdf"
    assert main(["labels", "SN-1", "--layout", "roll-62x29", "-o", str(output)], connect=lambda: gateway) == 0
    assert "1 label(s) on 1 page(s), layout roll-62x29" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "name the units"),
        (["SN-1", "--layout", "a5"], "unknown layout 'a5'"),
        (["SN-1", "--skip", "24"], "--skip must be between 0 and 23"),
        (["SN-1", "--layout", "roll-62x29", "--skip", "1"], "--skip must be between 0 and 0"),
    ],
)
def test_labels_usage_errors(args, message, capsys):
    transport, gateway = labels_gateway(set())
    assert main(["labels", *args], connect=lambda: gateway) == 2
    assert message in capsys.readouterr().err
    assert transport.calls == [], "nothing asked of the server on a usage error"


def test_no_label_at_all(tmp_path, capsys):
    _transport, gateway = labels_gateway(set())
    output = tmp_path / "out.pdf"
    assert main(["labels", "NOPE", "-o", str(output)], connect=lambda: gateway) == 1
    assert not output.exists()


def test_a_serial_longer_than_any_is_reported_not_sent(tmp_path, capsys):
    transport, gateway = labels_gateway({"SN-1"})
    output = tmp_path / "out.pdf"
    assert main(["labels", "S" * 10_000, "SN-1", "-o", str(output)], connect=lambda: gateway) == 1
    err = capsys.readouterr().err
    assert "not a serial (longer than 128 characters): SSS" in err and len(err) < 200
    assert transport.calls[0][3] == {"serials": ["SN-1"]}
    assert output.exists()


def test_only_serials_longer_than_any_asks_nothing(tmp_path, capsys):
    transport, gateway = labels_gateway(set())
    assert main(["labels", "S" * 200, "-o", str(tmp_path / "out.pdf")], connect=lambda: gateway) == 1
    assert "no label to print" in capsys.readouterr().err
    assert transport.calls == []


@pytest.mark.parametrize("where", ["directory", "missing"])
def test_an_output_that_cannot_be_written_stops_before_the_server(tmp_path, capsys, where):
    transport, gateway = labels_gateway({"SN-1"})
    output = tmp_path if where == "directory" else tmp_path / "no-such-dir" / "out.pdf"
    assert main(["labels", "SN-1", "-o", str(output)], connect=lambda: gateway) == 2
    assert f"cannot write {output}" in capsys.readouterr().err
    assert transport.calls == []


def test_a_serials_file_that_is_not_utf8(tmp_path, capsys):
    transport, gateway = labels_gateway({"SN-1"})
    path = tmp_path / "serials.txt"
    path.write_bytes("SN-1\nSN-Müller\n".encode("latin-1"))
    assert main(["labels", "--file", str(path), "-o", str(tmp_path / "o.pdf")], connect=lambda: gateway) == 2
    assert f"{path}, line 2: not UTF-8 text (byte 0xFC)" in capsys.readouterr().err
    assert transport.calls == []
