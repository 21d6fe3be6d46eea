"""An SOE's own system files its monthly ledger reports through the API, under the page's rules."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from progress.models import Evidence, IndicatorValue, Milestone, ProgressReport, ReportingPeriod
from progress.services import ledger as services
from tests import factories
from tests.progress.ledger_helpers import PDF_BYTES, last_month

pytestmark = pytest.mark.django_db

THIS_MONTH = timezone.localdate().strftime("%Y-%m")


def report_body(**overrides) -> dict:
    return {"progress": 55, "work_done": "完成平台一期部署", "next_steps": "推广至二级企业", **overrides}


def test_liaison_system_files_a_report_with_evidence_for_its_own_milestone(api_as, liaison, milestone, indicator):
    api = api_as(liaison)

    response = api.post(
        f"/api/v1/milestones/{milestone.pk}/reports/",
        {
            **report_body(),
            f"indicator_values.{indicator.pk}": "120",
            "evidence": [SimpleUploadedFile("进展说明.pdf", PDF_BYTES, content_type="application/pdf")],
        },
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["period"] == THIS_MONTH
    assert body["progress"] == 55 and body["review_state"] == "pending"
    assert body["indicator_values"] == [
        {"indicator": indicator.pk, "code": indicator.code, "name": "上云中小企业数", "unit": "家", "value": 120.0}
    ]
    [evidence] = body["evidence"]
    assert evidence["name"] == "进展说明.pdf" and evidence["content_type"] == "application/pdf"
    report = ProgressReport.objects.get(pk=body["id"])
    assert report.submitted_by == liaison
    milestone.refresh_from_db()
    # Filed is not accepted: the milestone's figure stays what SASAC accepted (issue 9).
    assert milestone.progress == 20 and milestone.latest_report_id == report.pk
    latest = api.get(f"/api/v1/milestones/{milestone.pk}/").json()["latest_report"]
    assert (latest["progress"], latest["review_state"]) == (55, "pending")
    download = api.get(evidence["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF_BYTES


def test_json_report_defaults_to_this_month(api_as, liaison, milestone):
    response = api_as(liaison).post(f"/api/v1/milestones/{milestone.pk}/reports/", report_body(), format="json")
    assert response.status_code == 201
    assert ProgressReport.objects.get().period == timezone.localdate().replace(day=1)


def test_another_enterprises_milestone_is_not_found(api_as, liaison, other_milestone):
    response = api_as(liaison).post(f"/api/v1/milestones/{other_milestone.pk}/reports/", report_body(), format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize("user_fixture", ["sasac", "leader"])
def test_sasac_and_leaders_do_not_file_reports(request, api_as, milestone, user_fixture):
    response = api_as(request.getfixturevalue(user_fixture)).post(
        f"/api/v1/milestones/{milestone.pk}/reports/", report_body(), format="json"
    )
    assert response.status_code == 403
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (report_body(progress=101), "progress"),
        (report_body(progress=-1), "progress"),
        (report_body(progress="五十"), "progress"),
        (report_body(work_done=""), "work_done"),
        (report_body(work_done="   "), "work_done"),
        (report_body(work_done="a\x00b"), "work_done"),
        (report_body(period="2026-13"), "period"),
        (report_body(period="0000-01"), "period"),
        (report_body(period="next month"), "period"),
        (report_body(indicator_values={"999999": 1}), "indicator_values"),
        (report_body(indicator_values={"abc": 1}), "indicator_values"),
        (report_body(indicator_values=[1, 2]), "indicator_values"),
        (report_body(evidence=["not a file"]), "evidence"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(api_as, liaison, milestone, body, field):
    response = api_as(liaison).post(f"/api/v1/milestones/{milestone.pk}/reports/", body, format="json")

    assert response.status_code == 400
    error = response.json()
    assert error["field"].split(".")[0] == field  # a list's or a mapping's item as evidence.0
    assert f"({error['field']})" in error["detail"] and error["errors"][0]["message"] in error["detail"]
    assert not ProgressReport.objects.exists()
    assert Milestone.objects.get(pk=milestone.pk).progress == 20


def test_the_field_is_named_by_its_translated_label(api_as, liaison, milestone):
    api = api_as(liaison)
    chinese = api.post(f"/api/v1/milestones/{milestone.pk}/reports/", report_body(progress=101), format="json")
    english = api.post(
        f"/api/v1/milestones/{milestone.pk}/reports/",
        report_body(progress=101),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert chinese.json()["detail"].startswith("进度(%)(progress):")
    assert english.json()["detail"].startswith("Progress (%) (progress): ")
    assert "100" in english.json()["errors"][0]["message"]


def test_indicator_value_out_of_range_is_refused(api_as, liaison, milestone, indicator):
    response = api_as(liaison).post(
        f"/api/v1/milestones/{milestone.pk}/reports/",
        report_body(indicator_values={str(indicator.pk): 501}),
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "indicator_values"
    assert "上云中小企业数" in response.json()["detail"]


def test_future_month_is_refused(api_as, liaison, milestone):
    next_month = (timezone.localdate().replace(day=28) + datetime.timedelta(days=5)).strftime("%Y-%m")
    response = api_as(liaison).post(
        f"/api/v1/milestones/{milestone.pk}/reports/", report_body(period=next_month), format="json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "period"


def test_renamed_executable_is_refused_and_no_file_is_kept(api_as, liaison, milestone, media_root):
    response = api_as(liaison).post(
        f"/api/v1/milestones/{milestone.pk}/reports/",
        {**report_body(), "evidence": [SimpleUploadedFile("报告.pdf", b"MZ\x90\x00 not a pdf")]},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "evidence"
    assert "报告.pdf" in response.json()["detail"]
    assert not ProgressReport.objects.exists() and not Evidence.objects.exists()
    assert not any(path.is_file() for path in media_root.rglob("*"))


def test_closed_period_is_refused_with_the_services_reason(api_as, liaison, milestone, sasac):
    ReportingPeriod.objects.create(month=last_month(), closed_at=timezone.now(), closed_by=sasac)
    response = api_as(liaison).post(
        f"/api/v1/milestones/{milestone.pk}/reports/",
        report_body(period=last_month().strftime("%Y-%m")),
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "refused"
    assert "已关账" in response.json()["detail"]
    assert not ProgressReport.objects.exists()


def test_second_report_for_the_same_month_is_refused(api_as, liaison, milestone):
    api = api_as(liaison)
    assert api.post(f"/api/v1/milestones/{milestone.pk}/reports/", report_body(), format="json").status_code == 201
    again = api.post(f"/api/v1/milestones/{milestone.pk}/reports/", report_body(progress=70), format="json")
    assert again.status_code == 409
    assert ProgressReport.objects.get().progress == 55


@pytest.mark.parametrize("status", ["closed", "withdrawn", "closure_requested"])
def test_only_open_milestones_take_reports(api_as, liaison, milestone, status):
    Milestone.objects.filter(pk=milestone.pk).update(
        status=status, closed_at=timezone.now(), withdrawn_reason="合并到其他节点"
    )
    response = api_as(liaison).post(f"/api/v1/milestones/{milestone.pk}/reports/", report_body(), format="json")
    assert response.status_code == 409 and response.json()["code"] == "refused"
    assert not ProgressReport.objects.exists()


@pytest.fixture
def filed(liaison, milestone):
    return services.report_file(milestone=milestone, by=liaison, period=last_month(), progress=30, work_done="上月进展")


def test_update_changes_only_what_is_sent(api_as, liaison, filed):
    response = api_as(liaison).patch(
        f"/api/v1/reports/{filed.pk}/", {"version": filed.version, "progress": 35}, format="json"
    )
    assert response.status_code == 200, response.json()
    filed.refresh_from_db()
    assert (filed.progress, filed.work_done, filed.version) == (35, "上月进展", 2)


def test_update_adds_evidence(api_as, liaison, filed):
    response = api_as(liaison).patch(
        f"/api/v1/reports/{filed.pk}/",
        {"version": filed.version, "evidence": [SimpleUploadedFile("b.pdf", PDF_BYTES)]},
        format="multipart",
    )
    assert response.status_code == 200
    assert [e["name"] for e in response.json()["evidence"]] == ["b.pdf"]


def test_update_without_version_is_refused(api_as, liaison, filed):
    response = api_as(liaison).patch(f"/api/v1/reports/{filed.pk}/", {"progress": 35}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "version"


def test_stale_version_is_a_conflict_listing_the_other_change(api_as, liaison, filed):
    services.report_update(report=filed, by=liaison, expected_version=filed.version, progress=40)
    response = api_as(liaison).patch(
        f"/api/v1/reports/{filed.pk}/", {"version": filed.version, "progress": 35}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "version_conflict" and body["current_version"] == 2
    assert body["changes"] == [{"field": "进度(%)", "theirs": "40", "yours": "35"}]
    assert ProgressReport.objects.get().progress == 40


def test_accepted_report_cannot_be_changed(api_as, liaison, sasac, filed):
    services.report_accept(report=filed, by=sasac, expected_version=filed.version)
    filed.refresh_from_db()
    response = api_as(liaison).patch(
        f"/api/v1/reports/{filed.pk}/", {"version": filed.version, "progress": 35}, format="json"
    )
    assert response.status_code == 409
    assert ProgressReport.objects.get().progress == 30


def test_returned_report_goes_back_to_the_queue_when_changed(api_as, liaison, sasac, filed):
    services.report_return(report=filed, by=sasac, expected_version=filed.version, comment="请补充佐证")
    filed.refresh_from_db()
    response = api_as(liaison).patch(
        f"/api/v1/reports/{filed.pk}/", {"version": filed.version, "work_done": "已补充"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["review_state"] == "pending"


def test_other_liaison_cannot_change_or_see_the_report(api_as, other_liaison, filed):
    api = api_as(other_liaison)
    assert api.get(f"/api/v1/reports/{filed.pk}/").status_code == 404
    assert api.patch(f"/api/v1/reports/{filed.pk}/", {"version": 1, "progress": 1}, format="json").status_code == 404


def test_sasac_accepts_and_returns_with_a_comment(api_as, sasac, liaison, milestone, filed):
    api = api_as(sasac)
    refused = api.post(f"/api/v1/reports/{filed.pk}/return/", {"version": 1, "comment": "  "}, format="json")
    assert refused.status_code == 400 and refused.json()["field"] == "comment"
    unversioned = api.post(f"/api/v1/reports/{filed.pk}/accept/", {}, format="json")
    assert unversioned.status_code == 400 and unversioned.json()["field"] == "version"
    returned = api.post(f"/api/v1/reports/{filed.pk}/return/", {"version": 1, "comment": "请补充佐证"}, format="json")
    assert returned.status_code == 200 and returned.json()["review_state"] == "returned"
    again = api.post(f"/api/v1/reports/{filed.pk}/accept/", {"version": 2}, format="json")
    assert again.status_code == 409
    second = services.report_file(milestone=milestone, by=liaison, progress=60, work_done="本月进展")
    stale = api.post(f"/api/v1/reports/{second.pk}/accept/", {"version": 7}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "version_conflict"
    accepted = api.post(f"/api/v1/reports/{second.pk}/accept/", {"version": 1, "comment": "同意"}, format="json")
    assert accepted.status_code == 200 and accepted.json()["review_state"] == "accepted"
    milestone.refresh_from_db()
    assert milestone.progress == 60  # accepted: now it is the milestone's figure


def test_list_is_scoped_and_filtered(api_as, liaison, sasac, filed, other_milestone):
    other = factories.ProgressReportFactory(milestone=other_milestone)
    mine = api_as(liaison).get("/api/v1/reports/").json()
    assert [r["id"] for r in mine["results"]] == [filed.pk]
    everyone = api_as(sasac).get("/api/v1/reports/").json()
    assert {r["id"] for r in everyone["results"]} == {filed.pk, other.pk}
    by_period = api_as(sasac).get("/api/v1/reports/", {"period": last_month().strftime("%Y-%m")}).json()
    assert [r["id"] for r in by_period["results"]] == [filed.pk]
    assert api_as(sasac).get("/api/v1/reports/", {"period": "2026-99"}).json()["field"] == "period"


def test_report_list_query_count_does_not_grow(api_as, sasac, milestone, django_assert_max_num_queries):
    for month in range(1, 13):
        report = factories.ProgressReportFactory(milestone=milestone, period=datetime.date(2021, month, 1))
        IndicatorValue.objects.create(report=report, indicator=factories.IndicatorFactory(), value=1)
    api = api_as(sasac)
    # token + count + page + evidence + indicator values (the token's use is written once a minute)
    api.get("/api/v1/me/")
    with django_assert_max_num_queries(5):
        assert len(api.get("/api/v1/reports/").json()["results"]) == 12


@pytest.mark.parametrize("period", ["0000-01", "1999-12", "2101-01"])
def test_a_period_outside_the_years_the_page_takes_is_refused(api_as, liaison, milestone, period):
    """The API's month field is the report form's: the same years, the same message."""
    api = api_as(liaison)
    filed = api.post(f"/api/v1/milestones/{milestone.pk}/reports/", report_body(period=period), format="json")
    assert filed.status_code == 400 and filed.json()["field"] == "period"
    assert "2000" in filed.json()["detail"]
    assert api.get("/api/v1/reports/", {"period": period}).json()["field"] == "period"
    assert not ProgressReport.objects.exists()
