"""Group robots: a WeCom (企业微信) group robot and a DingTalk (钉钉) custom robot.

Both take one markdown message per event, whoever the notice was for, with the milestone's
link. Their documented formats:

- WeCom: POST the robot's address (``…/cgi-bin/webhook/send?key=…``) with
  ``{"msgtype": "markdown", "markdown": {"content": …}}``; content at most 4096 bytes.
- DingTalk: POST ``…/robot/send?access_token=…&timestamp=<ms>&sign=<sig>`` with
  ``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}``, where ``sig`` is the
  URL-encoded Base64 of HMAC-SHA256(secret, "<timestamp>\\n<secret>") — the "加签" mode.

Both answer HTTP 200 with ``{"errcode": 0, …}`` on success. A robot's own rate limit (20
messages a minute; WeCom 45009, DingTalk 130101) pauses the channel for a minute without using
up a try; "system busy" (-1) is retried; any other error code (a removed robot, a wrong key or
signature) waits for SASAC. Text that users typed
(titles, urge messages) is shown as text: markdown's own characters become their full-width
forms, so a milestone title cannot turn into a link.
"""

import base64
import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs, quote_plus, urlsplit

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from progress.reminders.channels.base import Channel, Deadline, PermanentError, Throttled, TransientError
from progress.reminders.channels.webhook import post_json
from progress.reminders.models import Delivery

SYSTEM_BUSY = -1
# A monthly report reminder lists the milestones still missing a report, at most this many.
ROBOT_LISTED = 10
WECOM_MAX_BYTES = 4096
DINGTALK_MAX_BYTES = 5000
MARKDOWN_SPECIALS = str.maketrans(
    {
        "[": "［",
        "]": "］",
        "(": "（",
        ")": "）",
        "<": "＜",
        ">": "＞",
        "*": "＊",
        "_": "＿",
        "#": "＃",
        "`": "｀",
        "~": "～",
        "|": "｜",
        "\\": "＼",
        "!": "！",
    }
)
FOOTER = gettext_lazy("青岛市国资委 · 工业互联网任务督办系统")


def plain(text: str) -> str:
    """User text shown as text inside markdown, on one line."""
    return " ".join(str(text).translate(MARKDOWN_SPECIALS).split())


def markdown_message(delivery: Delivery, max_bytes: int) -> tuple[str, str]:
    """(title, markdown) for a robot, in the product's language, within ``max_bytes``."""
    notification = delivery.notification
    payload = notification.payload
    with translation.override(settings.LANGUAGE_CODE):
        title = plain(notification.subject)
        facts = []
        if payload.get("enterprise"):
            facts.append(_("企业:%(value)s") % {"value": plain(payload["enterprise"])})
        if payload.get("milestone_title"):
            facts.append(_("时间节点:%(value)s") % {"value": plain(payload["milestone_title"])})
        if payload.get("due_date"):
            facts.append(_("到期日:%(value)s") % {"value": plain(payload["due_date"])})
        if payload.get("message"):
            facts.append(_("催办说明:%(value)s") % {"value": plain(payload["message"])})
        listed = [plain(item["title"]) for item in payload.get("milestones", [])[:ROBOT_LISTED]]
        if listed and payload.get("count", 0) > len(listed):
            listed.append(_("……共 %(count)s 项") % {"count": payload["count"]})
        link = f"[{_('查看详情')}]({payload.get('url') or settings.SITE_URL})"
        footer = str(FOOTER)
    head = f"**{title}**\n\n"
    tail = (
        "".join(f"\n\n> {fact}" for fact in facts)
        + "".join(f"\n\n- {title}" for title in listed)
        + f"\n\n{link}\n\n{footer}"
    )
    body = "\n\n".join(plain(line) for line in notification.body.splitlines() if line.strip())
    room = max_bytes - len((head + tail).encode())
    if len(body.encode()) > room:
        body = body.encode()[: max(room - 3, 0)].decode(errors="ignore") + "…"
    return title, head + body + tail


def robot_answer(answer, label: str, throttle_code: int) -> None:
    try:
        errcode = int(json.loads(answer.body or b"{}").get("errcode", -2))
    except (ValueError, TypeError, AttributeError):
        raise PermanentError("robot:answer", f"{label} did not answer as a robot does") from None
    if errcode == 0:
        return
    if errcode == throttle_code:
        raise Throttled(f"robot:{errcode}", f"{label} allows 20 messages a minute ({errcode})")
    if errcode == SYSTEM_BUSY:
        raise TransientError(f"robot:{errcode}", f"{label} is busy ({errcode})")
    raise PermanentError(f"robot:{errcode}", f"{label} refused the message (errcode {errcode})")


def _require_query(url: str, name: str, message: str) -> None:
    if not parse_qs(urlsplit(url).query).get(name):
        raise forms.ValidationError(message)


class WeComRobotChannel(Channel):
    name = Delivery.Channel.WECOM
    label = gettext_lazy("企业微信群机器人")
    queue = "reminders.wecom"
    configurable = True
    per_event = True
    url_help = gettext_lazy(
        "在企业微信群中添加群机器人后复制的 Webhook 地址,形如 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…;"
        "每条提醒在群里发一条 markdown 消息。"
    )
    THROTTLE_CODE = 45009

    def check_url(self, url: str) -> None:
        _require_query(url, "key", _("企业微信群机器人地址须带有 key 参数(…/webhook/send?key=…)。"))

    def send(self, delivery, *, config, deadline: Deadline) -> None:
        _title, content = markdown_message(delivery, WECOM_MAX_BYTES)
        answer = post_json(
            config.url,
            {"msgtype": "markdown", "markdown": {"content": content}},
            headers={},
            deadline=deadline,
            label="WeCom robot",
        )
        robot_answer(answer, "WeCom robot", self.THROTTLE_CODE)


def dingtalk_signature(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


class DingTalkRobotChannel(Channel):
    name = Delivery.Channel.DINGTALK
    label = gettext_lazy("钉钉群机器人")
    queue = "reminders.dingtalk"
    configurable = True
    per_event = True
    secret_required = True
    url_help = gettext_lazy(
        "钉钉群“自定义机器人”的 Webhook 地址,形如 https://oapi.dingtalk.com/robot/send?access_token=…;"
        "每条提醒在群里发一条 markdown 消息。安全设置建议选“加签”;如用“自定义关键词”,请设为“督办”。"
    )
    secret_help = gettext_lazy("机器人安全设置选择“加签”时显示的密钥(SEC 开头)。留空则保持原密钥不变。")
    THROTTLE_CODE = 130101

    def check_url(self, url: str) -> None:
        _require_query(url, "access_token", _("钉钉机器人地址须带有 access_token 参数(…/robot/send?access_token=…)。"))

    def signed_url(self, url: str, secret: str, timestamp_ms: int | None = None) -> str:
        timestamp_ms = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
        return f"{url}&timestamp={timestamp_ms}&sign={dingtalk_signature(secret, timestamp_ms)}"

    def send(self, delivery, *, config, deadline: Deadline) -> None:
        title, text = markdown_message(delivery, DINGTALK_MAX_BYTES)
        answer = post_json(
            self.signed_url(config.url, config.secret) if config.url else "",
            {"msgtype": "markdown", "markdown": {"title": title, "text": text}},
            headers={},
            deadline=deadline,
            label="DingTalk robot",
        )
        robot_answer(answer, "DingTalk robot", self.THROTTLE_CODE)
