"""A user who chooses English sees the product in English; everyone else sees Simplified Chinese."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%|\{[a-z_]+\}|%\{[a-z]+\}")


@pytest.fixture(autouse=True)
def back_to_chinese():
    """LocaleMiddleware leaves the request's language active in the thread; later tests expect Chinese."""
    yield
    translation.deactivate()


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file as dicts: flags, msgctxt, msgid, msgid_plural, msgstr, msgstr[n]."""
    entries, entry, key = [], {"flags": set()}, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if "msgid" in entry:
                entries.append(entry)
            entry, key = {"flags": set()}, None
        elif line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return entries


def translations(entry: dict) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


def messages() -> list[dict]:
    return [entry for entry in parse_po(CATALOGUE) if entry["msgid"]]


def test_english_catalogue_translates_every_message():
    entries = messages()
    assert len(entries) > 500
    untranslated = [e["msgid"] for e in entries if not all(translations(e))]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_english_messages_keep_their_placeholders():
    wrong = [
        (entry["msgid"], text)
        for entry in messages()
        for text in translations(entry)
        if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(entry["msgid"]))
    ]
    assert wrong == []


def test_compiled_catalogue_matches_the_po_file():
    """The .mo is committed so that machines without gettext still speak English; it must not lag behind."""
    with COMPILED.open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog
    for entry in messages():
        key = f"{entry['msgctxt']}\x04{entry['msgid']}" if "msgctxt" in entry else entry["msgid"]
        if "msgid_plural" in entry:
            assert compiled[(key, 0)] == entry["msgstr[0]"]
            assert compiled[(key, 1)] == entry["msgstr[1]"]
        else:
            assert compiled[key] == entry["msgstr"], entry["msgid"]


def test_login_page_is_chinese_by_default(client):
    page = client.get("/accounts/login/").content.decode()
    assert "用户名" in page
    assert "Username" not in page


def test_login_page_in_english_with_the_language_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/accounts/login/").content.decode()
    assert 'lang="en"' in page
    for english, chinese in [("Sign in", "登录"), ("Username", "用户名"), ("Password", "密码")]:
        assert english in page
        assert chinese not in page


def test_login_page_in_english_for_a_browser_asking_for_english(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Username" in page
    assert "用户名" not in page


def test_sasac_home_in_english_with_the_language_cookie(client, sasac):
    client.force_login(sasac)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/").content.decode()
    for english, chinese in [
        ("Supervision desk", "督办工作台"),
        ("Open the supervision board", "打开督办看板"),
        ("Milestones needing attention", "需要关注的时间节点"),
        ("Sign out", "退出登录"),
    ]:
        assert english in page
        assert chinese not in page


def test_sasac_home_in_english_for_a_browser_asking_for_english(client, sasac):
    client.force_login(sasac)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert "Supervision desk" in page
    assert "督办工作台" not in page


def test_sasac_home_is_chinese_by_default(client, sasac):
    client.force_login(sasac)
    page = client.get("/").content.decode()
    assert "督办工作台" in page
    assert "Supervision desk" not in page


def test_choosing_english_in_the_language_switch_keeps_english(client, sasac):
    client.force_login(sasac)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "Supervision desk" in page
    assert "督办工作台" not in page


def test_signed_out_visitor_can_switch_the_language_on_the_login_page(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'name="language"' in page
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"}, follow=True)
    page = response.content.decode()
    assert "Sign in" in page
    assert "登录" not in page
