"""China's official working days (statutory holidays and 调休 make-up days).

The data come from the maintained ``chinesecalendar`` package. For a year the package
does not know yet, weekends are days off and a warning is logged: update the package
when the State Council publishes the next year's holidays.
"""

import datetime
import functools
import logging

import chinese_calendar

logger = logging.getLogger(__name__)

ONE_DAY = datetime.timedelta(days=1)


def is_working_day(day: datetime.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        logger.warning("chinesecalendar has no data for %s; counting weekends only", day.year)
        return day.weekday() < 5


def working_day_on_or_before(day: datetime.date) -> datetime.date:
    """Where a reminder nominally due on ``day`` lands: that day, or the working day before."""
    while not is_working_day(day):
        day -= ONE_DAY
    return day


@functools.lru_cache(maxsize=4096)
def first_working_day_after(day: datetime.date) -> datetime.date:
    day += ONE_DAY
    while not is_working_day(day):
        day += ONE_DAY
    return day


def days_landing_on(today: datetime.date) -> list[datetime.date]:
    """The nominal days whose reminders are sent on ``today``.

    On a working day: today and the days off that follow it (their reminders move back to
    today). On a day off: none, since those reminders went out on the working day before.
    """
    if not is_working_day(today):
        return []
    days = [today]
    day = today + ONE_DAY
    while not is_working_day(day):
        days.append(day)
        day += ONE_DAY
    return days
