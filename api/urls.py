from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularJSONAPIView

from api.views import account, catalogue, milestones, notifications, pages, reports, requests, summary

app_name = "api"

v1 = [
    path("", account.Root.as_view(), name="root"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("docs/", pages.docs, name="docs"),
    path("me/", account.Me.as_view(), name="me"),
    path("summary/", summary.Summary.as_view(), name="summary"),
    path("enterprises/", catalogue.EnterpriseList.as_view(), name="enterprise-list"),
    path("enterprises/<slug:code>/", catalogue.EnterpriseDetail.as_view(), name="enterprise-detail"),
    path("directives/", catalogue.DirectiveList.as_view(), name="directive-list"),
    path("directives/<int:directive_id>/", catalogue.DirectiveDetail.as_view(), name="directive-detail"),
    path("assignments/", catalogue.AssignmentList.as_view(), name="assignment-list"),
    path("assignments/<int:assignment_id>/", catalogue.AssignmentDetail.as_view(), name="assignment-detail"),
    path("milestones/", milestones.MilestoneList.as_view(), name="milestone-list"),
    path("milestones/<int:milestone_id>/", milestones.MilestoneDetail.as_view(), name="milestone-detail"),
    path("milestones/<int:milestone_id>/reports/", reports.MilestoneReports.as_view(), name="milestone-reports"),
    path("milestones/<int:milestone_id>/requests/", requests.MilestoneRequests.as_view(), name="milestone-requests"),
    path("requests/", requests.RequestList.as_view(), name="request-list"),
    path("requests/<int:request_id>/", requests.RequestDetail.as_view(), name="request-detail"),
    path("requests/<int:request_id>/approve/", requests.RequestApprove.as_view(), name="request-approve"),
    path("requests/<int:request_id>/refuse/", requests.RequestRefuse.as_view(), name="request-refuse"),
    path("requests/<int:request_id>/cancel/", requests.RequestCancel.as_view(), name="request-cancel"),
    path("reports/", reports.ReportList.as_view(), name="report-list"),
    path("reports/<int:report_id>/", reports.ReportDetail.as_view(), name="report-detail"),
    path("reports/<int:report_id>/accept/", reports.ReportAccept.as_view(), name="report-accept"),
    path("reports/<int:report_id>/return/", reports.ReportReturn.as_view(), name="report-return"),
    path("evidence/<int:evidence_id>/", reports.EvidenceDownload.as_view(), name="evidence-download"),
    path("notifications/", notifications.NotificationList.as_view(), name="notification-list"),
    path("notifications/read-all/", notifications.NotificationReadAll.as_view(), name="notification-read-all"),
    path(
        "notifications/<int:notification_id>/read/",
        notifications.NotificationRead.as_view(),
        name="notification-read",
    ),
    re_path(r"^.*$", pages.not_found),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("tokens/", pages.token_list, name="tokens"),
    path("tokens/<int:token_id>/revoke/", pages.token_revoke, name="token_revoke"),
]
