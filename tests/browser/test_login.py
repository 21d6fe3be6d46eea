"""A person signs in with a browser and sees who they are signed in as."""

import pytest

from enterprises.models import Role
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

SITE_TITLE = "市属企业工业互联网任务督办"


@pytest.mark.parametrize(
    ("user_fixture", "role"),
    [("sasac", Role.SASAC_STAFF), ("leader", Role.LEADER), ("liaison", Role.LIAISON)],
)
def test_each_role_signs_in_and_sees_its_role_in_the_header(
    request, page, live_server, log_in, screenshot, user_fixture, role
):
    user = request.getfixturevalue(user_fixture)

    log_in(user.username, PASSWORD)

    assert page.url == f"{live_server.url}/"
    assert SITE_TITLE in page.title()
    assert page.locator("[data-testid=user-role]").inner_text().strip() == str(role.label)
    screenshot(f"home-{role.value}")


def test_liaison_header_names_its_enterprise(page, log_in, liaison, enterprise):
    log_in(liaison.username, PASSWORD)

    assert page.locator("nav").get_by_text(enterprise.short_name, exact=True).is_visible()


def test_wrong_password_shows_an_error_and_stays_on_the_login_page(page, live_server, log_in, screenshot, sasac):
    log_in(sasac.username, "not-the-password")

    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    error = page.locator(".alert-danger")
    assert error.is_visible()
    assert error.inner_text().strip()
    assert page.locator("[data-testid=user-role]").count() == 0
    screenshot("login-failed")


def test_pages_load_nothing_from_outside_the_app(page, live_server, log_in, sasac):
    requested, failed = [], []
    page.on("request", lambda req: requested.append(req.url))
    page.on("response", lambda res: res.status >= 400 and failed.append(f"{res.status} {res.url}"))

    log_in(sasac.username, PASSWORD)
    page.wait_for_load_state("networkidle")

    outside = [url for url in requested if not url.startswith((live_server.url, "data:", "blob:"))]
    assert outside == []
    assert failed == []
    # The app's own copies of Bootstrap and htmx loaded and took effect.
    assert any(url.endswith("/bootstrap.min.css") for url in requested)
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px"  # Bootstrap's reboot
    assert page.evaluate("typeof window.bootstrap") == "object"
    assert page.evaluate("typeof window.htmx") == "object"
