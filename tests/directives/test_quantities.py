"""Indicator values read as an office writes them: whole counts, no padded decimals."""

from decimal import Decimal

import pytest

from directives.models import format_quantity


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (Decimal("0.00"), "个", "0个"),
        (Decimal("6.00"), "家", "6家"),
        (Decimal("1200.00"), "台", "1,200台"),
        (Decimal("85.50"), "%", "85.5%"),
        (Decimal("100.00"), "%", "100%"),
        (Decimal("20000.00"), "万元", "20,000万元"),
        (Decimal("12.35"), "万元", "12.35万元"),
        (Decimal("350.00"), "人次", "350人次"),
        (Decimal("3.00"), "场", "3场"),
        (None, "个", "—"),
    ],
)
def test_values_are_formatted_by_their_unit(value, unit, shown):
    assert format_quantity(value, unit) == shown
