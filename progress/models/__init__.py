from progress.models.assessment import AssessmentScore, AssessmentWeights
from progress.models.imports import LedgerImport
from progress.models.ledger import (
    Evidence,
    IndicatorValue,
    Milestone,
    MilestoneStatus,
    ProgressReport,
    ReportingPeriod,
    ReviewState,
)
from progress.models.periods import LedgerSnapshot
from progress.models.plans import ImplementationPlan, PlanStatus
from progress.models.requests import MilestoneRequest, RequestKind, RequestState
from progress.reminders.models import Delivery, Notification, NotificationKind, ReminderRule, Urge

__all__ = [
    "AssessmentScore",
    "AssessmentWeights",
    "Delivery",
    "Evidence",
    "ImplementationPlan",
    "IndicatorValue",
    "LedgerImport",
    "LedgerSnapshot",
    "Milestone",
    "MilestoneRequest",
    "MilestoneStatus",
    "Notification",
    "NotificationKind",
    "PlanStatus",
    "ProgressReport",
    "ReminderRule",
    "ReportingPeriod",
    "RequestKind",
    "RequestState",
    "ReviewState",
    "Urge",
]
