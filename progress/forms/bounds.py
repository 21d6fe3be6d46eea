"""Bounds every form keeps, so what a form accepts is also what the database stores and the code can compute.

Dates: the supervision of a 2020 notice has nothing before 2000 or after 2100, and a date near
year 1 or 9999 overflows the moment anything adds a day to it. Free text: bounded, so a pasted
megabyte is a message beside the field instead of a slow page.
"""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)
TEXT_MAX_CHARS = 5000
ID_MAX = 2**31 - 1


def positive_int(text: str | None) -> int | None:
    """A number typed into a URL or a file (an id, a row): ASCII digits within a database integer,
    else None. ``str.isdigit`` alone accepts "²" and "①", which ``int`` then refuses."""
    if text and text.isascii() and text.isdigit() and 0 < int(text) <= ID_MAX:
        return int(text)
    return None


def check_date(value: datetime.date) -> None:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise forms.ValidationError(
            _("日期须在 %(earliest)s 至 %(latest)s 之间。"),
            params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
            code="date_range",
        )


def check_year(year: int) -> None:
    if not EARLIEST_DATE.year <= year <= LATEST_DATE.year:
        raise forms.ValidationError(
            _("年份须在 %(earliest)s 至 %(latest)s 之间。"),
            params={"earliest": EARLIEST_DATE.year, "latest": LATEST_DATE.year},
            code="year_range",
        )


def bound_dates(form: forms.BaseForm) -> None:
    """Every date field of the form refuses dates outside 2000-2100; the browser's picker says so too."""
    for field in form.fields.values():
        if isinstance(field, forms.DateField) and check_date not in field.validators:
            field.validators.append(check_date)
            field.widget.attrs.setdefault("min", EARLIEST_DATE.isoformat())
            field.widget.attrs.setdefault("max", LATEST_DATE.isoformat())
