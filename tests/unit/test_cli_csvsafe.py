"""The one CSV writer: Excel's dialect, atomic, and no cell a spreadsheet would run as a formula."""

import csv
from decimal import Decimal

import pytest

from aftersales.csvsafe import CsvFile, escape, unescape


@pytest.mark.parametrize("text", ["=1+1", "+33 6", "-2", "@SUM(A1)", "\tx", "\rx",
                                  '=HYPERLINK("http://evil","x")'])
def test_text_a_spreadsheet_would_run_is_prefixed_with_a_quote(text):
    assert escape(text) == "'" + text
    assert unescape(escape(text)) == text


@pytest.mark.parametrize("text", ["", "SN-1", "Acme = Ltd", " =1", "'quoted", "1.5", "x-1"])
def test_other_text_is_left_alone(text):
    assert escape(text) == text
    assert unescape(text) == text


@pytest.mark.parametrize("text", ["'=1", "''-2", "'@x"])
def test_text_that_already_looks_escaped_round_trips(text):
    assert escape(text) == "'" + text
    assert unescape(escape(text)) == text


@pytest.mark.parametrize("number", [-5, -5.5, Decimal("-1234.50"), 0])
def test_numbers_the_tool_writes_stay_numbers(number):
    assert escape(number) is number


def test_csv_file_escapes_every_text_cell_and_keeps_numbers(tmp_path):
    path = tmp_path / "out.csv"
    with CsvFile(path, delimiter=";") as target:
        target.writerow(["=cmd", "-3", Decimal("-3.00"), None, 'say "hi"'])
        target.commit()
    with path.open(newline="", encoding="utf-8") as handle:
        assert list(csv.reader(handle, delimiter=";")) == [["'=cmd", "'-3", "-3.00", "", 'say "hi"']]


def test_csv_file_left_without_commit_leaves_nothing(tmp_path):
    with CsvFile(tmp_path / "out.csv") as target:
        target.writerow(["a"])
    assert list(tmp_path.iterdir()) == []
