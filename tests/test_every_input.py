"""No input gives a server error: every form and every page's query parameters, driven by Hypothesis.

The targets are found, not listed: every route of the URL resolver is opened as each role, and
every form on every page (its fields, types and choices), every query parameter a page's
links and filter forms use, is driven with generated strings, numbers, dates and files,
mixed with the inputs that broke the product before (NUL bytes, over-long strings, dates
0001-9999, huge integers, ``0000-01``, ``9999Q4``). Any 5xx fails, and so does any exception
in a view. Run on PostgreSQL (CI): its limits are the ones that matter.
"""

import datetime
import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.discovery import World, routes
from tests.progress.ledger_helpers import PDF_BYTES

pytestmark = pytest.mark.django_db

# Bounded: the whole file stays within about two minutes on the CI machine.
EXAMPLES_PER_TARGET = int(os.environ.get("EVERY_INPUT_EXAMPLES", "12"))
ROLES = ["sasac", "liaison", "leader"]

NASTY = [
    "",
    " ",
    "\x00",
    "期\x00望",
    "x" * 101,
    "长" * 300,
    "a" * 5000,
    "0000-01",
    "0000-00",
    "9999-12",
    "10000-01",
    "2026-13",
    "9999Q4",
    "0000Q1",
    "2026Q5",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "-1",
    "0",
    "101",
    "99999999999999999999999999",
    "-99999999999999999999999999",
    "1e308",
    "1e309",
    "NaN",
    "Infinity",
    "0.000000001",
    "１２",
    "<script>alert(1)</script>",
    "'; DROP TABLE progress_milestone; --",
    "../../etc/passwd",
    "%",
    "?",
    "=cmd|' /C calc'!A0",
]
DATES = st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31))
NUMBERS = st.one_of(
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(str),
)
TEXT = st.text(max_size=400)


def value_for(kind: str, options: list[str]):
    typed = {
        "date": DATES.map(datetime.date.isoformat),
        "month": st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(0, 10000), st.integers(0, 13)),
        "number": NUMBERS,
        "checkbox": st.sampled_from(["on", "", "true", "0"]),
    }.get(kind)
    choices = [st.sampled_from(NASTY), TEXT, NUMBERS, DATES.map(datetime.date.isoformat)]
    if typed is not None:
        choices.insert(0, typed)
    if options:
        choices.insert(0, st.sampled_from(options))
    return st.one_of(*choices)


FILES = st.one_of(
    st.builds(
        lambda name, content: SimpleUploadedFile(name, content),
        st.sampled_from(["进展.pdf", "a.docx", "x.xlsx", "说明.txt", "no-ext", "a" * 300 + ".pdf", "\x00.pdf"]),
        st.one_of(st.binary(max_size=2048), st.just(PDF_BYTES), st.just(b"PK\x03\x04" + b"\x00" * 40)),
    ),
    st.just(""),
)


@dataclass
class Form:
    method: str
    action: str
    fields: dict = field(default_factory=dict)  # name -> (kind, options)
    other_actions: list = field(default_factory=list)  # a submit button's formaction


class PageParser(HTMLParser):
    """The forms of a page (fields, types, choices) and the query parameters its links use."""

    def __init__(self, url: str):
        super().__init__()
        self.url = url
        self.forms: list[Form] = []
        self.link_params: set[str] = set()
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = urljoin(self.url, attrs.get("action") or attrs.get("hx-post") or attrs.get("hx-get") or self.url)
            method = (attrs.get("method") or ("post" if "hx-post" in attrs else "get")).lower()
            self._form = Form(method, action)
            self.forms.append(self._form)
        elif tag == "a" and attrs.get("href"):
            self.link_params |= {key for key, _ in parse_qsl(urlsplit(attrs["href"]).query, keep_blank_values=True)}
        elif self._form is not None and tag in ("input", "textarea", "select") and attrs.get("name"):
            kind = "textarea" if tag == "textarea" else "select" if tag == "select" else attrs.get("type", "text")
            if kind in ("submit", "button", "image", "reset"):
                return
            options = [attrs["value"]] if kind in ("hidden", "radio", "checkbox") and attrs.get("value") else []
            previous = self._form.fields.get(attrs["name"], (kind, []))
            self._form.fields[attrs["name"]] = (kind, previous[1] + options)
            if tag == "select":
                self._select = attrs["name"]
        elif tag == "option" and self._form is not None and self._select:
            kind, options = self._form.fields[self._select]
            options.append(attrs.get("value", ""))
        elif tag == "button" and self._form is not None:
            if attrs.get("name"):
                self._form.fields.setdefault(attrs["name"], ("select", []))[1].append(attrs.get("value", ""))
            if attrs.get("formaction"):
                self._form.other_actions.append(urljoin(self.url, attrs["formaction"]))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


@dataclass(frozen=True)
class Target:
    method: str
    path: str
    fields: tuple  # ((name, kind, (options...)), ...)

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path} [{', '.join(name for name, _, _ in self.fields)}]"


def discover_targets(client, world: World) -> list[Target]:
    targets: dict[tuple, Target] = {}

    def add(method, path, fields):
        key = (method, path, tuple(sorted(fields)))
        merged = tuple(sorted((name, kind, tuple(options)) for name, (kind, options) in fields.items()))
        targets.setdefault(key, Target(method, path, merged))

    for route in routes():
        path = route.path(world.values)
        response = client.get(path)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        parser = PageParser(f"http://testserver{path}")
        parser.feed(response.content.decode())
        query = {name: ("text", []) for name in parser.link_params}
        for form in parser.forms:
            if form.method == "get":
                query.update(form.fields)
            else:
                for url in (form.action, *form.other_actions):
                    action = urlsplit(url)
                    # Signing out would end the run's session; it takes no input anyway.
                    if action.netloc == "testserver" and action.path != reverse("logout"):
                        add("post", action.path, form.fields)
        # Every page's query parameters: those its links and filters use, and a few every list reads.
        for name in ("page", "sort", "period", "quarter", "enterprise", "q"):
            query.setdefault(name, ("text", []))
        add("get", path, query)
    return sorted(targets.values(), key=lambda target: target.label)


def send(client, target: Target, payload: dict, htmx: bool = False) -> None:
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    # A savepoint per request: a database error surfaces as itself, not as a broken transaction.
    with transaction.atomic():
        if target.method == "get":
            response = client.get(target.path, payload, **headers)
        else:
            response = client.post(target.path, payload, **headers)
    assert response.status_code < 500, (target.label, payload, response.status_code)


def drive(client, target: Target, data, htmx: bool) -> None:
    payload = {}
    for name, kind, options in target.fields:
        if kind == "file":
            payload[name] = data.draw(FILES, label=name)
        elif data.draw(st.booleans(), label=f"send {name}"):
            payload[name] = data.draw(value_for(kind, list(options)), label=name)
    send(client, target, payload, htmx)


def sweep(client, target: Target) -> None:
    """Each input that broke the product before, in every field of the target at once."""
    for value in NASTY:
        send(client, target, {name: value for name, kind, _ in target.fields if kind != "file"})


@pytest.fixture
def world(db):
    return World.build()


def explore(client, target: Target) -> None:
    """Hypothesis: generated values in the target's fields, a bounded number of times."""

    @settings(
        max_examples=EXAMPLES_PER_TARGET,
        deadline=None,
        database=None,
        derandomize=bool(os.environ.get("CI")),
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data(), htmx=st.booleans())
    def run(data, htmx):
        drive(client, target, data, htmx)

    run()


@pytest.mark.parametrize("role", ROLES)
def test_no_input_to_any_form_or_list_page_gives_a_server_error(client, world, role):
    client.force_login(world.users[role])
    targets = discover_targets(client, world)
    assert len(targets) >= 10, [t.label for t in targets]
    for target in targets:
        sweep(client, target)
        explore(client, target)


def test_the_probe_inputs_that_broke_it_before_get_clear_answers(client, world):
    """The probe's concrete cases, each once, with the answer a person would get."""
    client.force_login(world.users["sasac"])
    for path in (
        "/reviews/?enterprise=%00",
        "/board/?enterprise=%00&q=%00",
        "/assessment/?quarter=9999Q4",
        "/assessment/?quarter=0000Q1",
        f"/enterprises/{world.values['code']}/ledger.xlsx?period=0000-01",
        "/ledger.xlsx?period=0000-01",
        "/periods/0000-01/close/",
    ):
        with transaction.atomic():
            response = client.get(path)
        assert response.status_code < 500, path
