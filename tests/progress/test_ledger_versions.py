"""Two people edit the same row: the second save is refused, nothing is overwritten, nothing is lost."""

from progress.services import ledger as services
from tests import factories
from tests.progress.ledger_helpers import report_post


def milestone_post(milestone, **overrides) -> dict:
    data = {
        "title": milestone.title,
        "description": milestone.description,
        "start_date": milestone.start_date.isoformat(),
        "due_date": milestone.due_date.isoformat(),
        "responsible_person": milestone.responsible_person,
        "version": milestone.version,
    }
    data.update(overrides)
    return data


def test_second_milestone_save_is_refused_and_shows_what_changed(client, liaison, enterprise, milestone):
    colleague = factories.liaison_user(enterprise, username="liaison-qdbeer-2")
    opened_at = milestone_post(milestone)  # both open the form at version 1
    services.milestone_update(
        milestone=milestone, by=colleague, expected_version=milestone.version, responsible_person="李娜"
    )

    client.force_login(liaison)
    response = client.post(
        f"/milestones/{milestone.pk}/edit/", {**opened_at, "responsible_person": "王强", "title": "一期上线"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="version-conflict"' in page
    assert "责任人" in page and "李娜" in page and "王强" in page  # field: theirs vs yours
    assert 'value="一期上线"' in page  # the user's input stays in the form
    milestone.refresh_from_db()
    assert milestone.responsible_person == "李娜" and milestone.title != "一期上线"  # nothing overwritten
    assert milestone.version == 2


def test_after_seeing_the_conflict_a_deliberate_resave_goes_through(client, liaison, enterprise, milestone):
    colleague = factories.liaison_user(enterprise, username="liaison-qdbeer-2")
    services.milestone_update(milestone=milestone, by=colleague, expected_version=1, responsible_person="李娜")
    client.force_login(liaison)
    response = client.post(
        f"/milestones/{milestone.pk}/edit/", milestone_post(milestone, version=1, responsible_person="王强")
    )
    assert 'name="version" value="2"' in response.content.decode()
    response = client.post(
        f"/milestones/{milestone.pk}/edit/", milestone_post(milestone, version=2, responsible_person="王强")
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.responsible_person == "王强" and milestone.version == 3


def test_second_report_save_is_refused_and_shows_what_changed(client, liaison, enterprise, milestone):
    report = services.report_file(milestone=milestone, by=liaison, progress=30, work_done="完成调研")
    colleague = factories.liaison_user(enterprise, username="liaison-qdbeer-2")
    services.report_update(report=report, by=colleague, expected_version=1, progress=45)

    client.force_login(liaison)
    response = client.post(
        f"/reports/{report.pk}/edit/", report_post(progress="35", work_done="完成调研和选型", version="1")
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="version-conflict"' in page and "进度(%)" in page and "45" in page and "35" in page
    assert "完成调研和选型" in page
    report.refresh_from_db()
    assert report.progress == 45 and report.work_done == "完成调研" and report.version == 2


def test_stale_service_call_raises_a_conflict_listing_changes(liaison, milestone):
    services.milestone_update(milestone=milestone, by=liaison, expected_version=1, title="新标题")
    try:
        services.milestone_update(milestone=milestone, by=liaison, expected_version=1, title="另一个标题")
    except services.VersionConflict as conflict:
        assert [(c.label, c.theirs, c.yours) for c in conflict.changes] == [("工作任务", "新标题", "另一个标题")]
    else:
        raise AssertionError("a stale save must be refused")
    milestone.refresh_from_db()
    assert milestone.title == "新标题"
