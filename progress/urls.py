from django.urls import path

from progress.circulars import views as circular_views
from progress.instructions import views as instruction_views
from progress.orders import views as order_views
from progress.reminders import views as reminder_views
from progress.views import assessment as assessment_views
from progress.views import board as board_views
from progress.views import charts as charts_views
from progress.views import directives as directive_views
from progress.views import home, ledger, ledger_files, reviews, workspace

app_name = "progress"

urlpatterns = [
    path("", home.home, name="home"),
    # --- ledger workflow (issue 3; requests and decisions, issue 9) ---
    path("enterprises/<slug:code>/", workspace.workspace, name="workspace"),
    path("enterprises/<slug:code>/plan/", workspace.plan_edit, name="plan_edit"),
    path("enterprises/<slug:code>/plan/submit/", workspace.plan_submit, name="plan_submit"),
    path("enterprises/<slug:code>/plan/approve/", workspace.plan_review, {"decision": "approve"}, name="plan_approve"),
    path("enterprises/<slug:code>/plan/return/", workspace.plan_review, {"decision": "return"}, name="plan_return"),
    path("assignments/<int:assignment_id>/milestones/new/", ledger.milestone_create, name="milestone_create"),
    path("milestones/<int:milestone_id>/", ledger.milestone_detail, name="milestone_detail"),
    path("milestones/<int:milestone_id>/edit/", ledger.milestone_edit, name="milestone_edit"),
    path("milestones/<int:milestone_id>/withdraw/", ledger.milestone_withdraw, name="milestone_withdraw"),
    path(
        "milestones/<int:milestone_id>/request-closure/",
        ledger.milestone_request_closure,
        name="milestone_request_closure",
    ),
    path(
        "milestones/<int:milestone_id>/request-extension/",
        ledger.milestone_request_extension,
        name="milestone_request_extension",
    ),
    path("milestones/<int:milestone_id>/close/", ledger.milestone_close, name="milestone_close"),
    path("requests/<int:request_id>/approve/", ledger.request_decide, {"decision": "approve"}, name="request_approve"),
    path("requests/<int:request_id>/refuse/", ledger.request_decide, {"decision": "refuse"}, name="request_refuse"),
    path("requests/<int:request_id>/cancel/", ledger.request_cancel, name="request_cancel"),
    path("milestones/<int:milestone_id>/reopen/", ledger.milestone_reopen, name="milestone_reopen"),
    path("milestones/<int:milestone_id>/reports/new/", ledger.report_create, name="report_create"),
    path("reports/<int:report_id>/edit/", ledger.report_edit, name="report_edit"),
    path("reports/<int:report_id>/accept/", reviews.report_review, {"decision": "accept"}, name="report_accept"),
    path("reports/<int:report_id>/return/", reviews.report_review, {"decision": "return"}, name="report_return"),
    path("evidence/<int:evidence_id>/", ledger.evidence_download, name="evidence_download"),
    path("reviews/", reviews.review_list, name="review_list"),
    # --- ledger export, import, periods (issue 3) ---
    path(
        "enterprises/<slug:code>/ledger.xlsx",
        ledger_files.enterprise_ledger_export,
        {"kind": "xlsx"},
        name="enterprise_ledger_xlsx",
    ),
    path(
        "enterprises/<slug:code>/ledger.csv",
        ledger_files.enterprise_ledger_export,
        {"kind": "csv"},
        name="enterprise_ledger_csv",
    ),
    path("enterprises/<slug:code>/ledger/import/", ledger_files.ledger_import_view, name="ledger_import"),
    path(
        "enterprises/<slug:code>/ledger/import/<uuid:token>/",
        ledger_files.ledger_import_preview,
        name="ledger_import_preview",
    ),
    path(
        "enterprises/<slug:code>/ledger/import/<uuid:token>/commit/",
        ledger_files.ledger_import_commit_view,
        name="ledger_import_commit",
    ),
    path("ledger.xlsx", ledger_files.ledger_export, {"kind": "xlsx"}, name="ledger_xlsx"),
    path("ledger.csv", ledger_files.ledger_export, {"kind": "csv"}, name="ledger_csv"),
    path("periods/", ledger_files.period_list, name="period_list"),
    path("periods/<str:month>/close/", ledger_files.period_close_view, name="period_close"),
    # --- reminders and notifications (issue 4) ---
    path("notifications/", reminder_views.notification_list, name="notification_list"),
    path("notifications/read-all/", reminder_views.notification_read_all, name="notification_read_all"),
    path("notifications/<int:notification_id>/read/", reminder_views.notification_read, name="notification_read"),
    path("reminders/rules/", reminder_views.reminder_rules, name="reminder_rules"),
    path("reminders/channels/<slug:channel>/", reminder_views.reminder_channel, name="reminder_channel"),
    path("reminders/failed/resend/", reminder_views.reminder_resend, name="reminder_resend"),
    path("milestones/<int:milestone_id>/urge/", reminder_views.milestone_urge, name="milestone_urge"),
    path(
        "milestones/<int:milestone_id>/urges/<int:urge_id>/acknowledge/",
        reminder_views.urge_acknowledge,
        name="urge_acknowledge",
    ),
    # --- board, charts, assessment (issue 5) ---
    path("board/", board_views.board, name="board"),
    path("board/export.xlsx", board_views.board_export_xlsx, name="board_export_xlsx"),
    path("board/export.csv", board_views.board_export_csv, name="board_export_csv"),
    path("charts/", charts_views.charts, name="charts"),
    path("charts/periods/", charts_views.charts_periods, name="charts_periods"),
    path("directives/<int:directive_id>/", directive_views.directive_detail, name="directive_detail"),
    path("assessment/", assessment_views.assessment, name="assessment"),
    path("assessment/compute/", assessment_views.assessment_compute_view, name="assessment_compute"),
    path("assessment/weights/", assessment_views.assessment_weights, name="assessment_weights"),
    # --- instructions, supervision orders, circulars (issue 14) ---
    path("instructions/", instruction_views.instruction_list, name="instruction_list"),
    path("instructions/new/", instruction_views.instruction_create, name="instruction_create"),
    path("instructions/<int:instruction_id>/", instruction_views.instruction_detail, name="instruction_detail"),
    path("instructions/<int:instruction_id>/assign/", instruction_views.instruction_assign, name="instruction_assign"),
    path("instructions/<int:instruction_id>/updates/", instruction_views.instruction_update, name="instruction_update"),
    path("instructions/<int:instruction_id>/close/", instruction_views.instruction_close, name="instruction_close"),
    path("orders/", order_views.order_list, name="order_list"),
    path("orders/new/", order_views.order_create, name="order_create"),
    path("orders/<int:order_id>/", order_views.order_detail, name="order_detail"),
    path("orders/<int:order_id>/print/", order_views.order_print, name="order_print"),
    path("orders/<int:order_id>/sign/", order_views.order_sign, name="order_sign"),
    path("orders/<int:order_id>/answer/", order_views.order_answer, name="order_answer"),
    path("orders/<int:order_id>/close/", order_views.order_close, name="order_close"),
    path("orders/<int:order_id>/return/", order_views.order_return, name="order_return"),
    path("orders/<int:order_id>/cancel/", order_views.order_cancel, name="order_cancel"),
    path("orders/evidence/<int:evidence_id>/", order_views.order_evidence_download, name="order_evidence_download"),
    path("circulars/", circular_views.circular_list, name="circular_list"),
    path("circulars/draft/", circular_views.circular_draft, name="circular_draft"),
    path("circulars/<int:circular_id>/", circular_views.circular_detail, name="circular_detail"),
    path(
        "circulars/<int:circular_id>/circular.docx",
        circular_views.circular_download,
        {"kind": "docx"},
        name="circular_docx",
    ),
    path(
        "circulars/<int:circular_id>/circular.pdf",
        circular_views.circular_download,
        {"kind": "pdf"},
        name="circular_pdf",
    ),
    path(
        "circulars/<int:circular_id>/final.docx",
        circular_views.circular_download,
        {"kind": "final"},
        name="circular_final_docx",
    ),
    path("circulars/<int:circular_id>/final/", circular_views.circular_final, name="circular_final"),
    path("circulars/<int:circular_id>/redraft/", circular_views.circular_redraft, name="circular_redraft"),
    path("circulars/<int:circular_id>/issue/", circular_views.circular_issue, name="circular_issue"),
    path("circulars/<int:circular_id>/discard/", circular_views.circular_discard, name="circular_discard"),
]
