from progress.circulars.models import Circular, CircularKind, CircularStatus
from progress.instructions.models import Assignee, Instruction, InstructionStatus, InstructionUpdate
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
from progress.models.stamp import LedgerStamp
from progress.orders.models import (
    OPEN_ORDER_STATUSES,
    AnswerDecision,
    DocumentSequence,
    OrderAnswer,
    OrderEvidence,
    OrderStatus,
    SupervisionOrder,
)
from progress.reminders.models import (
    ChannelConfig,
    Delivery,
    Notification,
    NotificationKind,
    ReminderRule,
    ReminderScan,
    Urge,
)

__all__ = [
    "AnswerDecision",
    "Assignee",
    "Circular",
    "CircularKind",
    "CircularStatus",
    "DocumentSequence",
    "Instruction",
    "InstructionStatus",
    "InstructionUpdate",
    "OrderAnswer",
    "OrderEvidence",
    "OPEN_ORDER_STATUSES",
    "OrderStatus",
    "SupervisionOrder",
    "AssessmentScore",
    "AssessmentWeights",
    "ChannelConfig",
    "Delivery",
    "Evidence",
    "ImplementationPlan",
    "IndicatorValue",
    "LedgerImport",
    "LedgerSnapshot",
    "LedgerStamp",
    "Milestone",
    "MilestoneRequest",
    "MilestoneStatus",
    "Notification",
    "NotificationKind",
    "PlanStatus",
    "ProgressReport",
    "ReminderRule",
    "ReminderScan",
    "ReportingPeriod",
    "RequestKind",
    "RequestState",
    "ReviewState",
    "Urge",
]
