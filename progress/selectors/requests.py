"""Reads of requests (延期、变更、撤销、销号): a milestone's, the queue's, and how they read.

A request stores the milestone's values before and as asked as JSON (dates as ISO text);
``as_json`` writes them, ``proposed_values`` and ``describe_changes`` read them back.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from progress.models import Milestone, MilestoneRequest, ProgressReport, RequestKind, RequestState, ReviewState
from progress.selectors.display import field_display


def as_json(value) -> object:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _from_json(name: str, value):
    return Milestone._meta.get_field(name).to_python(value)


def proposed_values(request: MilestoneRequest) -> dict:
    """The values the request asks for, as the milestone's field types (dates as dates)."""
    return {name: _from_json(name, value) for name, value in request.proposed.items()}


@dataclass(frozen=True)
class RequestedChange:
    label: str
    original: str
    proposed: str


def describe_changes(request: MilestoneRequest) -> list[RequestedChange]:
    """Each value the request would change, the original commitment beside what is asked, as people read them."""
    return [
        RequestedChange(
            label=str(Milestone._meta.get_field(name).verbose_name),
            original=field_display(Milestone, name, _from_json(name, request.original.get(name))),
            proposed=field_display(Milestone, name, _from_json(name, value)),
        )
        for name, value in request.proposed.items()
    ]


def pending_request(milestone: Milestone) -> MilestoneRequest | None:
    return milestone.requests.filter(state=RequestState.PENDING).select_related("filed_by").first()


def requests_of_milestone(milestone: Milestone) -> list[MilestoneRequest]:
    """Every request about the milestone, newest first, each with ``changes`` to show."""
    requests = list(
        milestone.requests.select_related("filed_by", "decided_by").prefetch_related("evidence").order_by("-filed_at")
    )
    for request in requests:
        request.changes = describe_changes(request)
    return requests


def _for_cards(requests: QuerySet[MilestoneRequest]) -> QuerySet[MilestoneRequest]:
    """What a request's card shows, in a fixed number of queries: its milestone with the accepted
    report and the reports still waiting for review, its filer and its evidence."""
    return requests.select_related(
        "milestone__assignment__enterprise",
        "milestone__assignment__directive",
        "milestone__accepted_report",
        "filed_by",
    ).prefetch_related(
        "evidence",
        Prefetch(
            "milestone__reports",
            queryset=ProgressReport.objects.filter(review_state=ReviewState.PENDING).order_by("period"),
            to_attr="pending_reports",
        ),
    )


def pending_requests(requests: QuerySet[MilestoneRequest], *, closures: bool) -> QuerySet[MilestoneRequest]:
    """The queue's pending closure requests (``closures``) or extension / change / withdrawal
    requests, oldest first."""
    queue = requests.filter(state=RequestState.PENDING)
    queue = queue.filter(kind=RequestKind.CLOSURE) if closures else queue.exclude(kind=RequestKind.CLOSURE)
    return _for_cards(queue).order_by("filed_at", "id")


def request_card(request_id: int) -> MilestoneRequest:
    """One request as its card shows it (after a decision was refused), with ``changes``."""
    request = _for_cards(MilestoneRequest.objects.filter(pk=request_id)).get()
    request.changes = describe_changes(request)
    return request
