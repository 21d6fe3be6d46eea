"""Every route of the product, found through the URL resolver, with a world to fill its parameters.

Generic tests (security headers, the property-based input test) walk these routes instead of
a list of today's pages, so a page another developer adds is covered as soon as it lands.
A parameter this module does not know gets a value that matches nothing (the page answers 404);
add its name to ``World.values`` to test the page with a real row.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from progress.circulars.figures import Period, circular_data
from progress.instructions import services as instructions
from progress.models import Circular
from progress.orders import services as orders
from progress.reminders import urges
from progress.services import ledger as services
from tests import factories
from tests.progress.ledger_helpers import PDF_BYTES, last_month

UNKNOWN_VALUES = (987654321, "unknown", "0f0f0f0f-0000-4000-8000-000000000000", "2026-01", "x")

# Django's own and third-party routes: the admin (IT's), the language switch.
SKIPPED_NAMESPACES = {"admin"}
SKIPPED_NAMES = {"set_language"}


@dataclass(frozen=True, eq=False)
class Route:
    name: str
    converters: dict = field(default_factory=dict)

    def path(self, values: dict) -> str:
        kwargs = {}
        for param, converter in self.converters.items():
            if param in values:
                kwargs[param] = values[param]
            else:
                # A value of the converter's own form that matches no row.
                kwargs[param] = next(v for v in UNKNOWN_VALUES if re.fullmatch(converter.regex, str(v)))
        return reverse(self.name, kwargs=kwargs)


def routes() -> list[Route]:
    found = []

    def walk(patterns, namespace: str, converters: dict):
        for pattern in patterns:
            own = dict(getattr(pattern.pattern, "converters", {}))
            if isinstance(pattern, URLResolver):
                if pattern.namespace in SKIPPED_NAMESPACES:
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner, {**converters, **own})
            elif isinstance(pattern, URLPattern) and pattern.name and pattern.name not in SKIPPED_NAMES:
                # Parameters given by the pattern's defaults (e.g. decision="approve") are not in the path.
                path_converters = {k: v for k, v in {**converters, **own}.items() if k not in pattern.default_args}
                found.append(Route(f"{namespace}{pattern.name}", path_converters))

    walk(get_resolver().url_patterns, "", {})
    return sorted({route.name: route for route in found}.values(), key=lambda route: route.name)


@dataclass
class World:
    """One enterprise's ledger with a row of each kind, and a user of each role."""

    users: dict
    values: dict

    @classmethod
    def build(cls) -> "World":
        enterprise = factories.EnterpriseFactory(code="qdbeer", short_name="青啤示范", sector="beer")
        other = factories.EnterpriseFactory(code="qdchem", short_name="化工示范", sector="chemicals")
        sasac = factories.sasac_user(username="sasac")
        leader = factories.leader_user(username="leader")
        liaison = factories.liaison_user(enterprise, username="liaison-qdbeer")
        other_liaison = factories.liaison_user(other, username="liaison-qdchem")
        assignment = factories.AssignmentFactory(enterprise=enterprise)
        milestone = factories.MilestoneFactory(
            assignment=assignment,
            start_date=timezone.localdate() - datetime.timedelta(days=90),
            due_date=timezone.localdate() + datetime.timedelta(days=90),
        )
        services.plan_save(enterprise=enterprise, by=liaison, expected_version=None, title="实施方案")
        report = services.report_file(
            milestone=milestone,
            by=liaison,
            period=last_month(),
            progress=30,
            work_done="上月进展",
            evidence_files=[SimpleUploadedFile("进展.pdf", PDF_BYTES)],
        )
        urge = urges.urge_milestone(milestone=milestone, by=sasac, message="请尽快报送")
        notification = liaison.notifications.first()
        instruction = instructions.instruction_create(author=leader, text="请加快进度", milestone=milestone)
        order = orders.order_issue(
            by=sasac,
            enterprise=enterprise,
            title="关于加快推进的督办",
            requirement="请报送整改措施",
            answer_due=timezone.localdate() + datetime.timedelta(days=10),
            contact_name="王督办",
            contact_phone="0532-1",
            milestones=[milestone],
            instruction=instruction,
        )
        orders.order_answer(order=order, by=liaison, text="已整改")
        # A draft circular without its files: pages and forms work on it, nothing waits for LibreOffice.
        period = Period.month(last_month())
        circular = Circular.objects.create(
            kind=period.kind,
            period_start=period.start,
            period_end=period.end,
            data=circular_data(period),
            drafted_by=sasac,
            drafted_at=timezone.now(),
        )
        return cls(
            users={"sasac": sasac, "leader": leader, "liaison": liaison, "other_liaison": other_liaison},
            values={
                "code": enterprise.code,
                "assignment_id": assignment.pk,
                "milestone_id": milestone.pk,
                "report_id": report.pk,
                "evidence_id": report.evidence.get().pk,
                "directive_id": assignment.directive_id,
                "urge_id": urge.pk,
                "notification_id": notification.pk if notification else 987654321,
                "month": last_month().strftime("%Y-%m"),
                "instruction_id": instruction.pk,
                "order_id": order.pk,
                "circular_id": circular.pk,
            },
        )
