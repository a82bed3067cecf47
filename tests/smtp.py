"""A real SMTP server for tests: a free local port, everything it receives kept.

It can also misbehave on purpose, as mail servers do: refuse some recipients
permanently (550) or for now (451), refuse the message at DATA, answer slowly, run a
fault at the moment a message is accepted, or be stopped (connection refused)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from collections import Counter
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any


class SmtpSink:
    """A real SMTP server on a free local port that keeps what it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []  # each message's bytes as they arrived, same order
        self.reject: set[str] = set()  # addresses answered with a permanent 550
        self.defer: set[str] = set()  # addresses answered with a temporary 451 at RCPT
        self.data_reply = ""  # e.g. "550 5.7.1 Refused": DATA answered so, nothing kept
        # Called with each message as it is accepted, before the 250 goes back: a fault
        # injected at the worst moment (the email is delivered, "sent" not yet written).
        self.on_accept: Callable[[EmailMessage], None] | None = None
        self.delay = 0.0  # seconds to wait before accepting each message
        self.sessions = 0  # SMTP conversations (EHLO) so far
        self._arrived = threading.Condition()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def down(self) -> None:
        """Stop answering: connections are refused until ``up()``."""
        self.controller.stop()

    def up(self) -> None:
        """Answer again, on the same port (a stopped controller can't restart)."""
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def mailer(self) -> dict[str, Any]:
        """This sink as an entry of Django's MAILERS setting."""
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 5},
        }

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        self.sessions += 1
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.reject:
            return "550 5.1.1 No such mailbox here"
        if address in self.defer:
            return "451 4.7.1 Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.data_reply:
            return self.data_reply
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        if self.on_accept is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.on_accept, message)
        with self._arrived:
            self.messages.append(message)
            self.raw.append(envelope.content)
            self._arrived.notify_all()
        return "250 OK"

    def raw_of(self, message: EmailMessage) -> bytes:
        """The bytes ``message`` arrived as, before any parsing."""
        return self.raw[next(i for i, m in enumerate(self.messages) if m is message)]

    def recipients(self) -> Counter[str]:
        """How many messages each address received."""
        return Counter(str(m["To"]) for m in self.messages)

    def wait_for(self, to: str, count: int = 1, timeout: float = 10) -> EmailMessage:
        """The ``count``-th message to ``to``, waiting for it to arrive."""

        def matching() -> list[EmailMessage]:
            return [m for m in self.messages if to in str(m["To"])]

        with self._arrived:
            self._arrived.wait_for(lambda: len(matching()) >= count, timeout=timeout)
        found = matching()
        assert len(found) >= count, (
            f"no email #{count} to {to}; got {[m['Subject'] for m in self.messages]}"
        )
        return found[count - 1]

    def wait_for_count(self, count: int, timeout: float = 30) -> None:
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())
