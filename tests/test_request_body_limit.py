"""An over-long request body is refused from its declared length, before the body is read."""

import socket
import time

import pytest
from django.conf import settings

from progress.models import ProgressReport
from tests import factories
from tests.progress.ledger_helpers import report_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def milestone(enterprise):
    return factories.MilestoneFactory(assignment__enterprise=enterprise)

SIXTY_MIB = 60 * 1024 * 1024


class UnreadableBody:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_the_limit_is_above_one_evidence_file_and_below_sixty_mib():
    assert settings.EVIDENCE_MAX_BYTES <= settings.REQUEST_BODY_MAX_BYTES < SIXTY_MIB


def test_a_sixty_mib_report_is_refused_without_reading_it(client, liaison, milestone):
    client.force_login(liaison)
    response = client.generic(
        "POST",
        f"/milestones/{milestone.pk}/reports/new/",
        b"",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(SIXTY_MIB),
        **{"wsgi.input": UnreadableBody()},
    )
    assert response.status_code == 413
    body = response.content.decode()
    assert "提交的内容过大" in body and "60.0 MB" in body and "未保存任何内容" in body
    assert not ProgressReport.objects.exists()


def test_a_report_within_the_limit_goes_through(client, liaison, milestone):
    client.force_login(liaison)
    response = client.post(f"/milestones/{milestone.pk}/reports/new/", report_post())
    assert response.status_code == 302
    assert ProgressReport.objects.count() == 1


def test_the_report_form_tells_the_browser_the_limits(client, liaison, milestone):
    client.force_login(liaison)
    body = client.get(f"/milestones/{milestone.pk}/reports/new/").content.decode()
    assert f'data-max-file-bytes="{settings.EVIDENCE_MAX_BYTES}"' in body
    assert "一次提交合计不超过" in body


@pytest.mark.django_db(transaction=True)
def test_a_real_server_answers_413_before_the_body_arrives(live_server):
    """Over a socket: the headers promise 60 MiB, a few bytes follow, and the answer comes at once."""
    host, port = live_server.url.removeprefix("http://").split(":")
    request = (
        "POST /accounts/login/ HTTP/1.1\r\n"
        f"Host: {host}\r\n"
        "Content-Type: multipart/form-data; boundary=xyz\r\n"
        f"Content-Length: {SIXTY_MIB}\r\n\r\n"
        "--xyz\r\n"
    ).encode()
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        answer = connection.recv(4096).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert time.monotonic() - started < 5
