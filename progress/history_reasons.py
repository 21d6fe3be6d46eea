"""Why a change was made, as stored in the history: a key, read in the reader's language.

A reason is stored as its message key, the Chinese source text under which every translation
is filed (``gettext_noop`` marks it for makemessages), with its parameters as JSON when it has
any: ``审核通过`` or ``{"key": "退回:%(c)s", "c": "请补充名单"}``. The history page renders it
with ``render_reason`` in the language of whoever reads it. A reason a person typed (a
revision note) is stored and shown as typed. Migration 0024 turned the texts stored before
into keys.
"""

import json

from django.utils.translation import gettext, pgettext_lazy

from progress.models import RequestKind

# Keys whose wording elsewhere in the UI (a button, a column) reads wrong in a history line.
HISTORY_WORDING = {
    "报送": pgettext_lazy("history reason", "报送"),
    "批准": pgettext_lazy("history reason", "批准"),
    "审核通过": pgettext_lazy("history reason", "审核通过"),
    "签发": pgettext_lazy("history reason", "签发"),
    "签收": pgettext_lazy("history reason", "签收"),
    "提出%(kind)s": pgettext_lazy("history reason", "提出%(kind)s"),
    "撤回%(kind)s": pgettext_lazy("history reason", "撤回%(kind)s"),
}

# Parameters stored as a key and shown by their label: a request's kind.
LABELLED_PARAMETERS = {"kind": RequestKind}


def stored_reason(key: str, **params) -> str:
    """The stored form of a history reason; ``key`` is a ``gettext_noop`` message."""
    if not params:
        return key
    return json.dumps({"key": key, **{name: str(value) for name, value in params.items()}}, ensure_ascii=False)


def parse_reason(stored: str) -> tuple[str, dict[str, str]] | None:
    """(key, parameters) of a stored reason with parameters, else None."""
    if not stored.startswith('{"key"'):
        return None
    try:
        data = json.loads(stored)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("key"), str):
        return None
    key = data.pop("key")
    # Stored by stored_reason as strings; a row edited by hand may hold numbers or nulls.
    return key, {name: "" if value is None else str(value) for name, value in data.items()}


def render_reason(stored: str | None) -> str:
    """A stored reason in the active language (a typed reason as it was typed)."""
    if not stored:
        return ""
    parsed = parse_reason(stored)
    if parsed is None:
        return _translated(stored)
    key, params = parsed
    # A reason may quote another (an approved request's reason is the plan revision's note).
    shown = {name: render_reason(value) if parse_reason(value) else value for name, value in params.items()}
    for name, choices in LABELLED_PARAMETERS.items():
        if name in shown and shown[name] in choices.values:
            shown[name] = str(choices(shown[name]).label)
    try:
        return _translated(key) % shown
    except (KeyError, ValueError, TypeError):
        pass
    try:
        return key % params
    except (KeyError, ValueError, TypeError):
        # A parameter missing or a stray "%": show what is stored rather than fail the history page.
        return stored


def _translated(key: str) -> str:
    return str(HISTORY_WORDING.get(key) or gettext(key))
