"""Outbound HTTP for the webhook channels, safe to point at by a user of the rules page.

A URL is checked when SASAC saves it and again before every send:

- https only; plain http only with ``WEBHOOK_ALLOW_HTTP`` (an intranet gateway);
- no user name or password in the URL;
- every address the host name resolves to must be a public one: loopback, private, shared
  (100.64/10), multicast, reserved and unspecified addresses are refused, and so are
  IPv6 forms that embed such an IPv4 address. ``WEBHOOK_ALLOWED_HOSTS`` (host names, IP
  addresses, networks) lets a named intranet gateway through, and the tests' own receivers;
- link-local and cloud metadata addresses (169.254.169.254, Alibaba Cloud's 100.100.100.200,
  fd00:ec2::254) are refused even when allow-listed.

The send connects to the very address that was checked (the host name still goes in the Host
header and in TLS's SNI and certificate check), so DNS cannot answer differently between the
check and the connect. Redirects are not followed. The receiver's answer is read up to 64 KiB
for the robots' error code and is never shown to users.
"""

import concurrent.futures
import dataclasses
import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from progress.reminders.channels.base import Deadline, DeadlineExceeded, PermanentError, TransientError

MAX_ANSWER_BYTES = 64 * 1024
USER_AGENT = "qdsasac-reminders/1"
METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("100.100.100.200"),
    ipaddress.ip_address("fd00:ec2::254"),
}
NAT64 = ipaddress.ip_network("64:ff9b::/96")

MESSAGES = {
    "scheme": _("只允许 https 地址。"),
    "scheme_http": _("只允许 https 地址;内网的 http 网关须由运维人员开启 WEBHOOK_ALLOW_HTTP。"),
    "credentials": _("地址中不能包含用户名或密码。"),
    "invalid": _("地址格式不正确。"),
    "unresolved": _("无法解析主机名 %(host)s,请检查地址。"),
    "loopback": _("该地址指向本机(%(address)s),出于安全原因不允许。"),
    "private": _(
        "该地址指向内网或保留地址(%(address)s),出于安全原因不允许;如需使用内网网关,"
        "请运维人员在 WEBHOOK_ALLOWED_HOSTS 中登记。"
    ),
    "metadata": _("该地址指向链路本地或云服务器元数据地址(%(address)s),出于安全原因不允许。"),
}


class OutboundRefused(PermanentError):
    """The outbound policy refuses a URL. ``message`` is the translated sentence for the form."""

    def __init__(self, reason: str, **values):
        super().__init__(f"blocked:{reason}", f"outbound policy refuses {values or reason}")
        self.reason = reason
        self.values = values

    @property
    def message(self) -> str:
        return str(MESSAGES[self.reason]) % self.values if self.values else str(MESSAGES[self.reason])


@dataclasses.dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (``addresses``, each allowed) and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


def _allow_list() -> tuple[set[str], list]:
    names, networks = set(), []
    for entry in settings.WEBHOOK_ALLOWED_HOSTS:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(entry.lower().rstrip("."))
    return names, networks


def _embedded_ipv4(address) -> ipaddress.IPv4Address | None:
    if address.version != 6:
        return None
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refusal(host: str, address: str) -> str | None:
    """Why the policy refuses to connect to ``address`` (resolved from ``host``), or None."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    candidates = [ip] + ([embedded] if (embedded := _embedded_ipv4(ip)) else [])
    for candidate in candidates:
        if candidate in METADATA_ADDRESSES or candidate.is_link_local:
            return "metadata"
    names, networks = _allow_list()
    if host.lower() in names or any(ip in network for network in networks if network.version == ip.version):
        return None
    if any(candidate.is_loopback for candidate in candidates):
        return "loopback"
    if any(
        not candidate.is_global
        or candidate.is_private
        or candidate.is_multicast
        or candidate.is_reserved
        or candidate.is_unspecified
        for candidate in candidates
    ):
        return "private"
    return None


def resolve(host: str, port: int, timeout: float) -> list[str]:
    """The host's addresses, in the resolver's order; a literal address is its own answer.

    The lookup runs in a helper thread so that a hung resolver cannot outlast ``timeout``.
    """
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    future = pool.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    pool.shutdown(wait=False)
    try:
        infos = future.result(timeout=timeout)
    except concurrent.futures.TimeoutError:
        raise TransientError("dns", f"resolving {host} took longer than {timeout:.0f} s") from None
    except (socket.gaierror, UnicodeError) as error:
        raise TransientError("dns", f"cannot resolve {host}: {error}") from None
    return list(dict.fromkeys(info[4][0] for info in infos))


def check(url: str, *, timeout: float = 5.0) -> Target:
    """Parse ``url``, resolve its host and apply the policy.

    Raises ``OutboundRefused`` when the policy refuses the URL, ``TransientError("dns")`` when
    the host name does not resolve (now).
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise OutboundRefused("invalid") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise OutboundRefused("scheme")
    if scheme == "http" and not settings.WEBHOOK_ALLOW_HTTP:
        raise OutboundRefused("scheme_http")
    if parts.username is not None or parts.password is not None:
        raise OutboundRefused("credentials")
    if not parts.hostname:
        raise OutboundRefused("invalid")
    try:
        host = parts.hostname.encode("idna").decode("ascii") if not _is_address(parts.hostname) else parts.hostname
    except UnicodeError:
        raise OutboundRefused("invalid") from None
    port = port or (443 if scheme == "https" else 80)
    addresses = resolve(host, port, timeout)
    for address in addresses:
        if reason := refusal(host, address):
            raise OutboundRefused(reason, address=address)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=tuple(addresses))


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _connection(target: Target, address: str, deadline: Deadline) -> http.client.HTTPConnection:
    timeout = deadline.remaining()
    if target.scheme == "https":
        connection = http.client.HTTPSConnection(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)

    def connect_to_checked_address(_address, timeout, source_address=None):
        return socket.create_connection((address, target.port), timeout, source_address)

    connection._create_connection = connect_to_checked_address
    deadline.guard(connection)
    return connection


def post(url: str, body: bytes, *, headers: dict[str, str], deadline: Deadline) -> Answer:
    """POST ``body`` to ``url`` after checking it again, within ``deadline``.

    Raises ``OutboundRefused`` (permanent), ``DeadlineExceeded`` or ``TransientError`` for
    network failures; an HTTP error status is returned in the answer, not raised.
    """
    target = check(url, timeout=deadline.remaining())
    last_error: Exception | None = None
    for address in target.addresses:
        connection = _connection(target, address, deadline)
        try:
            connection.connect()
        except ssl.SSLCertVerificationError as error:
            connection.close()
            raise PermanentError("tls", f"certificate of {target.host} not accepted: {error.verify_message}") from None
        except OSError as error:
            connection.close()
            if deadline.passed:
                raise DeadlineExceeded(f"connecting to {target.host}") from None
            last_error = error
            continue
        try:
            connection.request(
                "POST",
                target.path,
                body=body,
                headers={"User-Agent": USER_AGENT, **headers},
            )
            response = connection.getresponse()
            return Answer(status=response.status, body=response.read(MAX_ANSWER_BYTES))
        except (OSError, http.client.HTTPException) as error:
            if deadline.passed:
                raise DeadlineExceeded(f"waiting for {target.host}") from None
            raise TransientError("network", f"{target.host}: {type(error).__name__}: {error}") from None
        finally:
            connection.close()
    raise TransientError("connect", f"cannot connect to {target.host}: {last_error}")
