"""Health of a follow-up action (an instruction or a supervision order), read like a milestone's.

red      past its due date and not done
yellow   due within the warning window, or waiting for SASAC to assign it
green    on track, or answered and waiting for SASAC's decision
closed   done (办结)
"""

import datetime

from django.utils.translation import gettext_lazy as _

from progress.health import CLOSED, GREEN, HEALTH_LABELS, RED, YELLOW, HealthRules

# A follow-up action is done (办结), not closed like a milestone (销号).
FOLLOWUP_LABELS = {**HEALTH_LABELS, CLOSED: _("已办结")}


def followup_health(
    *,
    due: datetime.date | None,
    done: bool,
    on: datetime.date,
    answered: bool = False,
    rules: HealthRules | None = None,
) -> str:
    rules = rules or HealthRules.from_settings()
    if done:
        return CLOSED
    if answered:
        return GREEN
    if due is None:
        return YELLOW
    if due < on:
        return RED
    if due <= on + datetime.timedelta(days=rules.warning_days):
        return YELLOW
    return GREEN
