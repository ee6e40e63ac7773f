"""Chinese product names on the labels: a font that can draw them, Traditional or
Simplified, in the PDF's text layer, inked on the page and kept inside the cell."""

import io
import shutil
import subprocess

import pypdf
import pypdfium2
import pytest
from fakes import FakeTransport, make_gateway
from reportlab.lib.units import mm

from aftersales.cli import main
from aftersales.labels import LAYOUTS, Box, chinese_preference, font_for, label_parts, render_labels
from aftersales.models import Label

URL = "http://127.0.0.1:8069/service/d/"
SIMPLIFIED = "网络摄像机 BG-200"
TRADITIONAL = "網路攝影機 BG-200"
NAMES = pytest.mark.parametrize(("name", "font"),
                                [(SIMPLIFIED, "STSong-Light"), (TRADITIONAL, "MSung-Light")],
                                ids=["simplified", "traditional"])
DPI = 200


@pytest.fixture(autouse=True)
def no_chinese_locale(monkeypatch):
    """The characters decide unless a test sets a Chinese locale."""
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def chinese_fonts_installed() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    listed = subprocess.run([fc_list, ":lang=zh", "file"], capture_output=True, text=True, check=False)
    return bool(listed.stdout.strip())


needs_chinese_font = pytest.mark.skipif(
    not chinese_fonts_installed(),
    reason="no Chinese font on this machine (fc-list :lang=zh lists none, e.g. install fonts-noto-cjk): "
           "the labels reference Adobe's CID fonts without embedding them, so the renderer has no glyphs",
)


def print_labels(tmp_path, products, *args):
    """`aftersales labels` on one serial per product name, as a user runs it; the PDF's bytes."""
    serials = [f"SN-{i}" for i in range(len(products))]
    by_serial = dict(zip(serials, products))

    def get_service_labels(ids, serials=(), picking=None, sale_order=None):
        return {"labels": [{"serial": s, "product": by_serial[s], "product_code": False,
                            "url": f"{URL}{s:0>32}"} for s in serials], "unknown": []}

    gateway = make_gateway(FakeTransport({("stock.lot", "get_service_labels"): get_service_labels}))
    output = tmp_path / "labels.pdf"
    assert main(["labels", *serials, *args, "-o", str(output)], connect=lambda: gateway) == 0
    return output.read_bytes()


def base_fonts(pdf: bytes) -> set[str]:
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    return {font.get_object()["/BaseFont"].lstrip("/") for font in page["/Resources"]["/Font"].values()}


def dark_pixels(image, layout, box: Box, height_pt: float) -> int:
    """Dark pixels in the top ``height_pt`` points of ``box`` (mm, PDF origin bottom left)."""
    scale = DPI / 25.4
    left, right = round(box.x * scale), round((box.x + box.width) * scale)
    top = round((layout.page_height - box.y - box.height) * scale)
    bottom = top + round(height_pt / 72 * DPI)
    region = image.crop((left, top, right, bottom))
    return sum(count for value, count in enumerate(region.histogram()) if value < 128)


@NAMES
def test_a_chinese_name_is_in_the_pdf_text_in_a_font_of_its_script(tmp_path, name, font):
    pdf = print_labels(tmp_path, [name])
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert name in text and "S/N SN-0" in text
    assert font in base_fonts(pdf)


@needs_chinese_font
@NAMES
def test_a_chinese_name_is_inked_on_the_label(tmp_path, name, font):
    layout = LAYOUTS["a4-3x8"]
    ideographs = name.split()[0]
    pdf = print_labels(tmp_path, [name, "", ideographs])
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=DPI / 72).to_pil().convert("L")
    name_line = 9 * 1.1 + 2  # the first line's height and its descenders, in points
    named, unnamed, alone = (dark_pixels(image, layout, label_parts(layout, layout.cell(position)).text,
                                         name_line) for position in (0, 1, 2))
    assert unnamed == 0, "the region holds the name line only: blank without a name"
    # Each of these ideographs inks 170 to 220 px at 200 dpi where the glyphs are drawn.
    assert alone > 5 * 120, f"the five ideographs are drawn ({alone} dark pixels), not left blank"
    assert named > alone, "and the Latin part beside them"


@NAMES
def test_a_long_chinese_name_wraps_and_stays_in_its_cell(name, font):
    layout = LAYOUTS["a4-3x8"]
    long_name = name + " 室外防水紅外線夜視高畫質專業版本" * 3
    buffer = io.BytesIO()
    render_labels([Label(serial="SN-1", product=long_name, product_code="BG-200", url=URL + "1" * 32)],
                  layout, buffer)
    page = pypdfium2.PdfDocument(buffer.getvalue())[0]
    textpage = page.get_textpage()
    lines = textpage.get_text_range().splitlines()
    assert lines[0] == name, "the name breaks at its space, as a Latin one does"
    assert lines[2].endswith("…") and len(lines) == 5, "three lines of name, cut short, then code and serial"
    box = label_parts(layout, layout.cell(0)).text
    for index in range(textpage.count_chars()):
        left, bottom, right, top = textpage.get_charbox(index)
        if right > left:  # line breaks have no box
            assert box.x * mm - 0.5 <= left and right <= (box.x + box.width) * mm + 0.5
            assert box.y * mm - 0.5 <= bottom and top <= (box.y + box.height) * mm + 0.5


@pytest.mark.parametrize(
    ("text", "preference", "font"),
    [
        ("Compressor XL 3000", None, "Helvetica-Bold"),
        ("Pompe à chaleur réversible", "traditional", "Helvetica-Bold"),
        (SIMPLIFIED, None, "STSong-Light"),
        (TRADITIONAL, None, "MSung-Light"),
        ("壓縮機「工業用」", None, "MSung-Light"),
        ("影像 BG-200", None, "STSong-Light"),  # characters both scripts share: Simplified by default
        ("影像 BG-200", "traditional", "MSung-Light"),
        (TRADITIONAL, "simplified", "STSong-Light"),
        (SIMPLIFIED, "traditional", "STSong-Light"),  # Adobe-CNS1 lacks 络 and 摄: never MSung-Light
        ("網路攝影機 网络摄像机", None, "STSong-Light"),  # mixed: the font that has both
        ("Шлюз БЖ-200", None, "STSong-Light"),  # neither Latin nor Chinese: the fallback it always had
    ],
)
def test_the_font_follows_the_script_and_the_locale(text, preference, font):
    assert font_for(text, bold=True, preference=preference) == font


@pytest.mark.parametrize(
    ("env", "preference"),
    [
        ({"LANG": "zh_TW.UTF-8"}, "traditional"),
        ({"LANG": "zh_HK.UTF-8"}, "traditional"),
        ({"LANG": "zh_Hant_TW"}, "traditional"),
        ({"LANG": "zh_CN.UTF-8"}, "simplified"),
        ({"LANG": "zh_SG"}, "simplified"),
        ({"LC_ALL": "zh_CN.UTF-8", "LANG": "zh_TW.UTF-8"}, "simplified"),
        ({"LC_MESSAGES": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "traditional"),
        ({"LANG": "en_US.UTF-8"}, None),
        ({"LANG": "zh_twx"}, None),
        ({}, None),
    ],
)
def test_chinese_preference_from_the_locale(env, preference):
    assert chinese_preference(env) == preference


def test_a_traditional_locale_prints_shared_characters_in_traditional_glyphs(tmp_path, monkeypatch):
    monkeypatch.setenv("LANG", "zh_TW.UTF-8")
    assert "MSung-Light" in base_fonts(print_labels(tmp_path, ["影像 BG-200"]))


def test_latin_labels_reference_only_helvetica(tmp_path):
    pdf = print_labels(tmp_path, ["Compressor XL 3000", "Pompe à chaleur"], "--layout", "roll-62x29")
    assert base_fonts(pdf) == {"Helvetica", "Helvetica-Bold"}
