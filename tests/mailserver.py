"""A real SMTP server for the tests (aiosmtpd on 127.0.0.1), which can be stopped and started
again on the same port to play an outage. Import the `smtp_server` fixture into a test module."""
import email
import email.policy
import socket
import threading
import time

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler:
    def __init__(self, server: "SmtpServer"):
        self.server = server

    async def handle_RCPT(self, smtp_server, session, envelope, address, rcpt_options):
        if address in self.server.refused:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp_server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.server.lock:
            self.server.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.messages: list[email.message.EmailMessage] = []
        self.refused: set[str] = set()
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    def start(self) -> None:
        # A new controller each time: the same port comes back after an outage.
        for attempt in range(50):
            try:
                self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
                self._controller.start()
                return
            except OSError:  # the port is still being released
                time.sleep(0.1)
        raise RuntimeError(f"cannot start the SMTP server on port {self.port}")

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp_server(app, monkeypatch):
    """A running SMTP server, and the app's MAIL_* settings pointing at it for this test."""
    server = SmtpServer()
    server.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    monkeypatch.setitem(app.config, "MAIL_USERNAME", None)
    monkeypatch.setitem(app.config, "MAIL_PASSWORD", None)
    monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", "hwaas@example.com")
    yield server
    server.stop()
