"""Every page carries the security headers, and no template or page runs inline JavaScript.

Pages come from the URL resolver and templates from the template directories, so what other
developers add is checked too.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.discovery import World, routes

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
# An on*= attribute inside a tag: onclick=, onchange= ... (not data-on..., not hx-on, which htmx evaluates too).
HANDLER = re.compile(r"<[a-zA-Z][^>]*?\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.IGNORECASE | re.DOTALL)
JS_URL = re.compile(r"javascript\s*:", re.IGNORECASE)


def inline_javascript(html: str) -> list[str]:
    """What in this HTML would need 'unsafe-inline' to run."""
    problems = []
    for attrs, body in SCRIPT.findall(html):
        if body.strip() and 'type="application/json"' not in attrs:
            problems.append(f"<script> body: {body.strip()[:60]!r}")
    problems += [f"{name}= attribute" for name in HANDLER.findall(html)]
    problems += ["javascript: URL" for _ in JS_URL.findall(html)]
    return problems


def template_files() -> list[Path]:
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    base = Path(settings.BASE_DIR)
    for app in ("enterprises", "directives", "progress", "qdsasac"):
        roots.append(base / app / "templates")
    return sorted(path for root in roots if root.is_dir() for path in root.rglob("*.html"))


def test_templates_are_found():
    names = {path.name for path in template_files()}
    assert {"base.html", "charts_summary.html", "review_list.html"} <= names


@pytest.mark.parametrize("template", template_files(), ids=lambda path: str(path.relative_to(settings.BASE_DIR)))
def test_no_template_carries_inline_javascript(template):
    assert inline_javascript(template.read_text(encoding="utf-8")) == []


def test_the_inline_check_catches_what_it_is_for():
    assert inline_javascript('<button type="button" onclick="go()">x</button>')
    assert inline_javascript("<script>alert(1)</script>")
    assert inline_javascript('<a href="javascript:void(0)">x</a>')
    assert inline_javascript('<div hx-on:click="go()"></div>')
    assert not inline_javascript('<script src="/static/js/x.js"></script>')
    assert not inline_javascript('<script id="figure" type="application/json">{"data": []}</script>')


def csp_directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_csp_allows_scripts_only_from_the_app_itself(client):
    policy = csp_directives(client.get("/accounts/login/")["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy.get("default-src", [])


@pytest.fixture
def world(db):
    return World.build()


@pytest.mark.parametrize("role", ["sasac", "leader", "liaison", "other_liaison", "anonymous"])
def test_every_page_has_the_security_headers_and_no_inline_javascript(client, world, role):
    if role != "anonymous":
        client.force_login(world.users[role])
    checked = 0
    for route in routes():
        path = route.path(world.values)
        response = client.get(path)
        assert response.status_code < 500, (role, path)
        assert response.has_header("Permissions-Policy"), path
        assert "camera=()" in response["Permissions-Policy"]
        if response.has_header("Content-Security-Policy"):
            assert "'unsafe-inline'" not in csp_directives(response["Content-Security-Policy"])["script-src"]
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            assert response.has_header("Content-Security-Policy"), path
            assert inline_javascript(response.content.decode()) == [], path
        if role != "anonymous":
            # Signed-in pages, exports and evidence stay out of every cache, shared or not.
            assert "no-store" in response.get("Cache-Control", ""), (path, response.status_code)
        checked += 1
    assert checked >= 40


def test_pages_and_exports_of_a_signed_in_user_are_not_stored(client, world):
    client.force_login(world.users["sasac"])
    for path in ("/", "/board/", "/board/export.csv", "/ledger.xlsx", f"/evidence/{world.values['evidence_id']}/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path


def test_hsts_and_ssl_redirect_follow_the_environment(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/accounts/login/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    # The container's health check speaks plain HTTP to gunicorn.
    assert client.get("/healthz").status_code in (200, 503)
