"""Reading uploads: values as the user sees them in Excel or WPS, from whatever writer saved the file."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from progress.xlsx_reader import Limits, SpreadsheetError, read_first_sheet


def saved(workbook) -> io.BytesIO:
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def test_numbers_read_at_excels_fifteen_digits():
    workbook = openpyxl.Workbook()
    workbook.active.append([576.3200000000001, 64.20999999999999, 0.1 + 0.2, 40, -5])

    assert read_first_sheet(saved(workbook)).rows == [
        (1, [Decimal("576.32"), Decimal("64.21"), Decimal("0.3"), Decimal("40"), Decimal("-5")])
    ]


def test_dates_percentages_and_shared_rich_text():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([datetime.date(2021, 6, 30), 0.4, 45000, None, "纯文本"])
    sheet["A1"].number_format = 'yyyy"年"m"月"d"日"'
    sheet["B1"].number_format = "0%"
    sheet["C1"].number_format = "14"  # a custom code without date parts stays a number
    sheet["D1"] = CellRichText(["加粗", TextBlock(InlineFont(b=True), "部分")])

    ((line, values),) = read_first_sheet(saved(workbook)).rows

    assert values == [datetime.datetime(2021, 6, 30), "40%", Decimal("45000"), "加粗部分", "纯文本"]


def test_the_1904_date_system():
    workbook = openpyxl.Workbook()
    workbook.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    workbook.active.append([datetime.date(2021, 6, 30)])
    workbook.active["A1"].number_format = "yyyy-mm-dd"

    assert read_first_sheet(saved(workbook)).rows[0][1] == [datetime.datetime(2021, 6, 30)]


def test_empty_rows_count_towards_the_row_limit():
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "x"
    workbook.active["A12"] = "y"

    with pytest.raises(SpreadsheetError, match="表格超过 10 行"):
        read_first_sheet(saved(workbook), Limits(max_rows=10))
    assert [line for line, _values in read_first_sheet(saved(workbook), Limits(max_rows=12)).rows] == [1, 12]
