"""Local receivers for the reminder channels: an SMTP server and an HTTP server on 127.0.0.1 that
record exactly what arrived and can misbehave on purpose (refuse, fail, hang, answer slowly,
never greet). The unit tests and the fault drill (tests/faults/) use them."""

import dataclasses
import json
import re
import socket
import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MESSAGE_ID = re.compile(rb"^Message-ID: (\S+)\r?$", re.M | re.I)


@dataclasses.dataclass
class HTTPRequest:
    path: str
    query: dict
    headers: dict
    body: bytes
    at: float

    def json(self):
        return json.loads(self.body)


class _HTTPHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        receiver: HTTPReceiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = urlsplit(self.path)
        request = HTTPRequest(parts.path, parse_qs(parts.query), dict(self.headers), body, time.monotonic())
        with receiver.lock:
            receiver.received.append(request)
        if not receiver.gate.wait(receiver.hold_seconds):
            return  # held past its patience: the connection just closes
        status, answer = receiver.answer(request)
        if receiver.drip_seconds:
            # Headers one byte at a time: no single read waits long, the whole answer takes ages.
            head = f"HTTP/1.1 {status} X\r\nContent-Length: {len(answer)}\r\n\r\n".encode()
            try:
                for byte in head:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(receiver.drip_seconds)
                self.wfile.write(answer)
            except OSError:
                return
        else:
            self.send_response(status)
            for name, value in receiver.extra_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
        with receiver.lock:
            receiver.answered.append((request, status))

    def log_message(self, *args):
        pass


class HTTPReceiver:
    """``status`` and ``body`` decide the answer (or ``respond(request) -> (status, bytes)``);
    clear ``gate`` to hold requests after reading them; ``drip_seconds`` slows the answer down."""

    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _HTTPHandler)
        self.server.daemon_threads = True
        self.server.receiver = self
        self.lock = threading.Lock()
        self.received: list[HTTPRequest] = []
        self.answered: list[tuple[HTTPRequest, int]] = []
        self.status = 200
        self.body = b'{"errcode": 0, "errmsg": "ok"}'
        self.extra_headers: dict[str, str] = {}
        self.respond = None
        self.gate = threading.Event()
        self.gate.set()
        self.hold_seconds = 60.0
        self.drip_seconds = 0.0
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def reset(self) -> None:
        with self.lock:
            self.received.clear()
            self.answered.clear()
        self.status, self.body, self.extra_headers, self.respond = 200, b'{"errcode": 0, "errmsg": "ok"}', {}, None
        self.drip_seconds = 0.0
        self.gate.set()

    def answer(self, request: HTTPRequest) -> tuple[int, bytes]:
        if self.respond is not None:
            return self.respond(request)
        return self.status, self.body

    def close(self):
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()


@dataclasses.dataclass
class Mail:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message_id(self) -> str:
        found = MESSAGE_ID.search(self.data)
        return found.group(1).decode() if found else ""


class _SMTPHandler(socketserver.StreamRequestHandler):
    def handle(self):
        receiver: SMTPReceiver = self.server.receiver
        opened = time.monotonic()
        try:
            self._converse(receiver)
        except OSError:
            pass
        finally:
            with receiver.lock:
                receiver.sessions.append(time.monotonic() - opened)

    def _reply(self, receiver, line: str) -> None:
        if receiver.line_delay:
            time.sleep(receiver.line_delay)
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def _converse(self, receiver):
        while not receiver.greets.is_set():
            # A server that accepts and never greets; stop when the client gives up.
            self.request.settimeout(0.2)
            try:
                if self.request.recv(1, socket.MSG_PEEK) == b"":
                    return
            except TimeoutError:
                continue
        self.request.settimeout(None)
        self._reply(receiver, "220 localhost ESMTP test receiver")
        sender, recipients = "", []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode(errors="replace").strip()
            upper = command.upper()
            if upper.startswith("EHLO"):
                self._reply(receiver, "250-localhost\r\n250 8BITMIME")
            elif upper.startswith("HELO"):
                self._reply(receiver, "250 localhost")
            elif upper.startswith("MAIL FROM:"):
                sender, recipients = command[10:].strip(" <>"), []
                self._reply(receiver, "250 OK")
            elif upper.startswith("RCPT TO:"):
                address = command[8:].strip(" <>")
                if address in receiver.refuse:
                    self._reply(receiver, f"{receiver.refuse[address]} recipient refused")
                else:
                    recipients.append(address)
                    self._reply(receiver, "250 OK")
            elif upper == "DATA":
                self._reply(receiver, "354 End data with <CR><LF>.<CR><LF>")
                data = b""
                while True:
                    chunk = self.rfile.readline()
                    if not chunk:
                        return
                    if chunk in (b".\r\n", b".\n"):
                        break
                    data += chunk
                mail = Mail(sender, recipients, data)
                with receiver.lock:
                    receiver.data_received.append(mail)
                if not receiver.gate.wait(receiver.hold_seconds):
                    return
                self._reply(receiver, "250 OK queued")
                with receiver.lock:
                    receiver.messages.append(mail)
            elif upper in ("RSET", "NOOP"):
                self._reply(receiver, "250 OK")
            elif upper == "QUIT":
                self._reply(receiver, "221 Bye")
                return
            else:
                self._reply(receiver, "502 Command not implemented")


class _ThreadingTCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SMTPReceiver:
    """``messages``: mails it accepted (answered 250 after DATA); ``data_received``: every complete
    message it read, accepted or not. ``refuse`` maps addresses to an SMTP reply code;
    ``line_delay`` delays every reply; clear ``greets`` for a server that never says hello;
    clear ``gate`` to hold the 250 after DATA."""

    def __init__(self, port: int = 0):
        self.server = _ThreadingTCPServer(("127.0.0.1", port), _SMTPHandler)
        self.server.receiver = self
        self.lock = threading.Lock()
        self.messages: list[Mail] = []
        self.data_received: list[Mail] = []
        self.sessions: list[float] = []
        self.refuse: dict[str, int] = {}
        self.line_delay = 0.0
        self.greets = threading.Event()
        self.greets.set()
        self.gate = threading.Event()
        self.gate.set()
        self.hold_seconds = 60.0
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
            self.data_received.clear()
            self.sessions.clear()
        self.refuse.clear()
        self.line_delay = 0.0
        self.greets.set()
        self.gate.set()

    def close(self):
        self.greets.set()
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()
