"""Milestones' commitments as they stood on a past day.

A milestone's due date, start date and withdrawal change after its plan is approved only through
a request that SASAC approves (supervision rule 1), and the request keeps the values it replaced
(``MilestoneRequest.original``). So the past reads the commitment of that day: a due date
extended later was still the old one then, and a milestone withdrawn later was still tracked.
Without this, every extension granted today would rewrite last month's overdue count in the
leaders' trend, the period comparison and the circular.

The readers count most milestones in SQL on their current columns and pass the few with a
later decision (``LaterDecisions.ids``) through ``LaterDecisions.as_of`` in Python.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet

from progress.models import MilestoneRequest, MilestoneStatus, RequestKind, RequestState

COMMITMENT_FIELDS = ("due_date", "start_date")
# What these readers need of a milestone to place it on a past day.
FACT_FIELDS = ("id", "due_date", "start_date", "status", "created_at", "closed_at")


@dataclass(frozen=True)
class Commitment:
    tracked: bool
    due_date: datetime.date
    start_date: datetime.date


@dataclass(frozen=True)
class LaterDecisions:
    """Approved extensions, changes and withdrawals decided at or after a moment, per milestone, oldest first."""

    by_milestone: dict[int, list[tuple[datetime.datetime, str, dict]]]

    @classmethod
    def since(cls, moment: datetime.datetime, milestones: QuerySet | None = None) -> "LaterDecisions":
        requests = MilestoneRequest.objects.filter(
            state=RequestState.APPROVED,
            kind__in=[RequestKind.EXTENSION, RequestKind.CHANGE, RequestKind.WITHDRAWAL],
            decided_at__gte=moment,
        )
        if milestones is not None:
            requests = requests.filter(milestone__in=milestones.order_by().values("pk"))
        by_milestone: dict[int, list] = defaultdict(list)
        for milestone_id, decided_at, kind, original in requests.order_by("decided_at", "pk").values_list(
            "milestone_id", "decided_at", "kind", "original"
        ):
            by_milestone[milestone_id].append((decided_at, kind, original))
        return cls(dict(by_milestone))

    def ids(self) -> list[int]:
        return sorted(self.by_milestone)

    def as_of(self, row: dict, *, end_of_day: datetime.datetime) -> Commitment:
        """The commitment of ``row`` (a milestone's ``FACT_FIELDS``) at ``end_of_day``.

        The first decision after that moment to touch a field holds the value the field had then.
        """
        values = {name: row[name] for name in COMMITMENT_FIELDS}
        tracked = row["status"] != MilestoneStatus.WITHDRAWN
        seen: set[str] = set()
        for decided_at, kind, original in self.by_milestone.get(row["id"], ()):
            if decided_at < end_of_day:
                continue
            if kind == RequestKind.WITHDRAWAL:
                tracked = True
                continue
            for name in COMMITMENT_FIELDS:
                if name in original and name not in seen:
                    seen.add(name)
                    values[name] = datetime.date.fromisoformat(original[name])
        return Commitment(tracked=tracked, **values)


def was_overdue(row: dict, commitment: Commitment, *, day: datetime.date, end_of_day: datetime.datetime) -> bool:
    """The readers' rule in Python: tracked, it existed on ``day``, due before it, not closed by its end."""
    return (
        commitment.tracked
        and row["created_at"] < end_of_day
        and commitment.due_date < day
        and (row["closed_at"] is None or row["closed_at"] >= end_of_day)
    )
