"""What every outside channel shares: the two kinds of failure and a send's deadline."""

import socket
import threading
import time

from progress.reminders.models import ErrorKind


class SendError(Exception):
    """A send that did not go through. ``code`` is short and stable ("http:500", "smtp:550",
    "deadline"): failures are counted by it on the rules page. ``detail`` is for the log and the
    admin; neither ever carries the receiver's own answer."""

    kind = ErrorKind.TRANSIENT

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail or code


class TransientError(SendError):
    """Trying again later may work: a timeout, a refused connection, a 5xx or 429, a 4xx SMTP reply."""


class Throttled(TransientError):
    """The receiver asks us to slow down (HTTP 429, a robot's 20-messages-a-minute limit): not a
    failed try; the channel pauses for a minute."""


class PermanentError(SendError):
    """Trying again will not help until someone changes something: a 4xx answer, a refused
    recipient, an address the outbound policy refuses, a channel nobody configured."""

    kind = ErrorKind.PERMANENT


class DeadlineExceeded(TransientError):
    def __init__(self, detail: str = ""):
        super().__init__("deadline", detail or "the send ran out of time")


class Deadline:
    """A hard limit on a whole send, not on each socket read.

    Connections register with ``guard``; when the time is up a watchdog shuts their sockets
    down, so a server that answers one byte every few seconds cannot stretch a send past the
    lease. ``remaining()`` gives what is left for a connect or a DNS lookup, and raises
    ``DeadlineExceeded`` once nothing is.
    """

    def __init__(self, seconds: float):
        self.expires_at = time.monotonic() + seconds
        self.expired = False
        self._guarded: list = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def remaining(self) -> float:
        left = self.expires_at - time.monotonic()
        if left <= 0 or self.expired:
            raise DeadlineExceeded()
        return left

    @property
    def passed(self) -> bool:
        """Whether the time is up (a socket timeout at the very end counts: its timeout was what was left)."""
        return self.expired or time.monotonic() >= self.expires_at - 0.05

    def guard(self, connection) -> None:
        """Shut ``connection.sock`` down when the deadline passes (whatever socket it holds then)."""
        with self._lock:
            self._guarded.append(connection)
            if self._timer is None:
                self._timer = threading.Timer(max(self.expires_at - time.monotonic(), 0), self._expire)
                self._timer.daemon = True
                self._timer.start()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            guarded = list(self._guarded)
        for connection in guarded:
            sock = getattr(connection, "sock", None)
            if sock is None:
                continue
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._guarded.clear()

    def __enter__(self) -> "Deadline":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Channel:
    """One way a notice reaches people. Subclasses set the attributes and implement ``send``.

    - ``name``: the ``Delivery.Channel`` value (in-app has none: the notice is its own delivery);
    - ``queue``: the broker queue its send tasks go to (one per channel, so a hung server
      starves only its own); None for in-app;
    - ``configurable``: SASAC sets it up on the rules page (a ``ChannelConfig`` row);
    - ``per_event``: a group robot gets one message per event, not one per recipient.
    """

    name: str = ""
    label = ""
    queue: str | None = None
    configurable = False
    per_event = False
    url_help = ""
    secret_help = ""
    secret_required = False

    def wants(self, *, kind: str, email: str, config) -> bool:
        """Whether a notice of ``kind`` to a person with ``email`` goes out on this channel."""
        return config is not None and config.enabled and config.carries(kind)

    def check_url(self, url: str) -> None:
        """Refuse a URL that cannot be this channel's (raise ``django.forms.ValidationError``)."""

    def send(self, delivery, *, config, deadline: Deadline) -> None:
        raise NotImplementedError
