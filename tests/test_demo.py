"""The demo command serves the product's own pages: DEBUG off, static files through whitenoise.

Runs ``scripts/run-demo.sh`` itself, on the embedded default (SQLite and the file-system broker
in a temporary directory) and a free loopback port, and stops it at the end.
"""

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PASSWORD = "qdsasac-demo-2020"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    var = tmp_path_factory.mktemp("demo-var")
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "QDSASAC_VAR_DIR": str(var),
        # The embedded default: no server of the machine's, whatever the test run uses.
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "DEMO_PASSWORD": PASSWORD,
        "QDSASAC_EXTRAS": "test",  # the test run's own packages: setup.sh installs nothing
    }
    for name in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG"):
        env.pop(name, None)
    log = open(var / "demo.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        ["bash", "scripts/run-demo.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail("run-demo.sh stopped:\n" + (var / "demo.log").read_text(errors="replace")[-3000:])
            try:
                if requests.get(f"{url}/accounts/login/", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("the demo did not answer:\n" + (var / "demo.log").read_text(errors="replace")[-3000:])
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def sign_in(url: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{url}/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{url}/accounts/login/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{url}/accounts/login/"},
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[:500]
    return session


def test_a_missing_page_is_the_products_translated_404_not_djangos_debug_page(demo):
    answer = requests.get(f"{demo}/no-such-page/")
    assert answer.status_code == 404
    assert "页面不存在,或您无权查看。" in answer.text
    assert "URLconf" not in answer.text and "Traceback" not in answer.text


def test_a_liaison_opening_another_enterprise_sees_the_products_404(demo):
    session = sign_in(demo, "sasac")
    codes = sorted(set(re.findall(r'href="/enterprises/([a-z0-9-]+)/"', session.get(f"{demo}/board/").text)))
    assert len(codes) >= 2
    liaison = sign_in(demo, f"liaison-{codes[0]}")
    answer = liaison.get(f"{demo}/enterprises/{codes[1]}/")
    assert answer.status_code == 404
    assert "页面不存在,或您无权查看。" in answer.text and "URLconf" not in answer.text
    assert liaison.get(f"{demo}/enterprises/{codes[0]}/").status_code == 200


def test_static_files_come_from_whitenoise_with_hashed_names(demo):
    page = requests.get(f"{demo}/accounts/login/").text
    css = re.search(r'href="(/static/vendor/bootstrap/css/bootstrap\.min\.[0-9a-f]{12}\.css)"', page)
    assert css, "manifest (hashed) static names: DEBUG is off"
    answer = requests.get(demo + css.group(1))
    assert answer.status_code == 200 and "max-age" in answer.headers["Cache-Control"]


def test_the_demo_pages_carry_the_production_headers(demo):
    answer = requests.get(f"{demo}/accounts/login/")
    assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
    assert "camera=()" in answer.headers["Permissions-Policy"]
