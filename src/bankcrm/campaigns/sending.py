"""Campaign messages leaving the bank, one member at a time: e-mail through the bank's SMTP
relay, text messages through its SMS gateway (the HTTP contract is in
``docs/sms-gateway.md``), and a CSV file for the channels that have no system to call (app
push, WeChat, phone and branch lists), which other tools or people take from there.

:func:`send_all` paces the sends to ``messages_per_second``, tries a transient failure
again after a doubling wait, records an outcome for every member and stops with the
campaign. Nothing here touches the database: the campaign service stores the outcomes.
"""

from __future__ import annotations

import contextlib
import csv
import math
import re
import smtplib
import ssl
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import IO, Protocol, Self

import httpx

from bankcrm.core import clock as bank_clock
from bankcrm.core.config import SendingSettings
from bankcrm.core.enums import SendStatus
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.workbook import csv_cell

CHANNEL_NAMES = ("email", "sms", "app", "wechat", "phone", "branch")
STOPPED = "campaign stopped"
"""The reason recorded for members not sent to because the campaign was stopped."""
FILE_COLUMNS = ("customer_id", "address", "subject", "body", "reference")


class SendError(Exception):
    """A message the channel did not accept."""


class TransientSendError(SendError):
    """Worth another try: the relay or gateway was unreachable, timed out, was busy (SMTP 4xx)
    or overloaded (HTTP 429 and 5xx)."""


class PermanentSendError(SendError):
    """Another try would fail the same way: a refused recipient (SMTP 5xx), a request the
    gateway rejects (HTTP 4xx other than 429), a malformed address."""


@dataclass(frozen=True)
class Message:
    customer_id: int
    address: str
    """An e-mail address or a mobile number, as the channel needs."""
    subject: str | None
    """None for a text message."""
    body: str
    reference: str
    """The campaign's code: the same for every member."""

    @property
    def member_reference(self) -> str:
        """Unique per campaign and member, and the same on every try, so that a provider
        can tell a retried send from a new one."""
        return f"{self.reference}-{self.customer_id}"


@dataclass(frozen=True)
class SendOutcome:
    customer_id: int
    status: SendStatus
    attempts: int
    provider_ref: str | None = None
    """The relay's Message-ID or the gateway's message id, when sent."""
    error: str | None = None


@dataclass(frozen=True)
class SendSummary:
    sent: int
    failed: int
    skipped: int


class Channel(Protocol):
    """A way out for messages; used as a context manager around one batch, so that a
    connection is opened once and closed at the end."""

    name: str

    def send(self, message: Message) -> str:
        """Hands the message over and returns the provider's reference for it; raises
        :class:`TransientSendError` or :class:`PermanentSendError`."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc_info: object) -> None: ...


class _MovingWindow:
    """At most ``limit`` sends in any ``window`` seconds of the injected clock.

    The ``limits`` library keeps the same kind of window, but its storage reads the wall clock
    itself and counts whole messages per whole period; a campaign's pace must follow the
    clock it is given, so that tests move time instead of waiting, and a rate below one a
    second becomes one send per ``1 / rate`` seconds. A rate above one is rounded down: the
    relay's limit is a ceiling, never to be passed within any second."""

    def __init__(
        self, per_second: float, *, sleep: Callable[[float], None], clock: Callable[[], float]
    ) -> None:
        self.window = max(1.0, 1.0 / per_second)
        self.limit = max(1, math.floor(per_second * self.window))
        self._sleep = sleep
        self._clock = clock
        self._starts: deque[float] = deque()

    def wait(self) -> None:
        now = self._forget_old()
        while len(self._starts) >= self.limit:
            self._sleep(self._starts[0] + self.window - now)
            now = self._forget_old()
        self._starts.append(now)

    def _forget_old(self) -> float:
        now = self._clock()
        while self._starts and self._starts[0] <= now - self.window:
            self._starts.popleft()
        return now


def send_all(
    channel: Channel,
    messages: Iterable[Message],
    *,
    settings: SendingSettings,
    should_stop: Callable[[], bool],
    record: Callable[[SendOutcome], None],
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> SendSummary:
    """Sends ``messages`` in order and calls ``record`` once for each, whatever became of it.

    Every try waits for its turn within ``messages_per_second``. A transient failure is tried
    again, up to ``max_attempts`` tries, after ``retry_seconds`` and then twice as long each
    time. ``should_stop`` is asked before every try: once it answers true, nothing more is
    sent and every remaining member is recorded as skipped with the reason
    :data:`STOPPED`."""
    pace = _MovingWindow(settings.messages_per_second, sleep=sleep, clock=clock)
    counts: Counter[SendStatus] = Counter()
    stopped = False
    for message in messages:
        if not stopped and should_stop():
            stopped = True
        if stopped:
            outcome = SendOutcome(message.customer_id, SendStatus.SKIPPED, 0, error=STOPPED)
        else:
            outcome = _send_one(channel, message, settings, pace, should_stop, sleep)
            stopped = outcome.status is SendStatus.SKIPPED
        record(outcome)
        counts[outcome.status] += 1
    return SendSummary(
        sent=counts[SendStatus.SENT],
        failed=counts[SendStatus.FAILED],
        skipped=counts[SendStatus.SKIPPED],
    )


def _send_one(
    channel: Channel,
    message: Message,
    settings: SendingSettings,
    pace: _MovingWindow,
    should_stop: Callable[[], bool],
    sleep: Callable[[float], None],
) -> SendOutcome:
    customer_id = message.customer_id
    delay = settings.retry_seconds
    attempt = 1
    while True:
        pace.wait()
        try:
            provider_ref = channel.send(message)
        except PermanentSendError as error:
            return SendOutcome(customer_id, SendStatus.FAILED, attempt, error=str(error))
        except TransientSendError as error:
            if attempt == settings.max_attempts:
                return SendOutcome(customer_id, SendStatus.FAILED, attempt, error=str(error))
            sleep(delay)
            if should_stop():
                return SendOutcome(customer_id, SendStatus.SKIPPED, attempt, error=STOPPED)
            delay *= 2
            attempt += 1
        else:
            return SendOutcome(customer_id, SendStatus.SENT, attempt, provider_ref=provider_ref)


class SmtpChannel:
    """E-mail through the bank's SMTP relay, on one connection for the whole batch; a
    transient failure drops the connection and the next try opens a fresh one."""

    name = "email"

    def __init__(
        self,
        settings: SendingSettings,
        *,
        now: Callable[[], datetime] = bank_clock.utcnow,
    ) -> None:
        if not settings.smtp_sender:
            raise ValidationFailed(
                "campaign e-mail needs a sender address", field="campaigns.sending.smtp_sender"
            )
        self._settings = settings
        self._now = now
        self._sender_domain = parseaddr(settings.smtp_sender)[1].rpartition("@")[2]
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        # A relay that already hung up needs no goodbye; the socket is closed below.
        with contextlib.suppress(OSError):
            smtp.quit()
        smtp.close()

    def send(self, message: Message) -> str:
        email = self._compose(message)
        try:
            self._connection().send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()))
            raise self._failure(code, reply) from error
        except smtplib.SMTPResponseException as error:
            raise self._failure(error.smtp_code, error.smtp_error) from error
        except smtplib.SMTPNotSupportedError as error:
            raise PermanentSendError(f"SMTP relay: {error}") from error
        except OSError as error:
            self.close()
            raise TransientSendError(f"SMTP relay unreachable: {error!r}") from error
        return str(email["Message-ID"])

    def _compose(self, message: Message) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self._settings.smtp_sender
        email["To"] = _email_address(message.address)
        if message.subject:
            email["Subject"] = message.subject
        email["Date"] = format_datetime(self._now())
        email["Message-ID"] = make_msgid(
            idstring=message.member_reference, domain=self._sender_domain
        )
        email.set_content(message.body)
        return email

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            settings = self._settings
            smtp = smtplib.SMTP(
                settings.smtp_host, settings.smtp_port, timeout=settings.timeout_seconds
            )
            try:
                if settings.smtp_starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if settings.smtp_username:
                    smtp.login(settings.smtp_username, settings.smtp_password)
            except BaseException:
                smtp.close()
                raise
            self._smtp = smtp
        return self._smtp

    def _failure(self, code: int, reply: bytes | str) -> SendError:
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
        if 400 <= code < 500:
            self.close()
            return TransientSendError(f"SMTP {code} {text}")
        return PermanentSendError(f"SMTP {code} {text}")


def _email_address(address: str) -> str:
    try:
        parsed = Address(addr_spec=address.strip())
    except (ValueError, IndexError, HeaderParseError):
        # IndexError: the standard parser's answer to an address ending in "@".
        raise PermanentSendError(f"not an e-mail address: {address!r}") from None
    if not parsed.domain or "." not in parsed.domain:
        raise PermanentSendError(f"not an e-mail address: {address!r}")
    return parsed.addr_spec


class SmsGatewayChannel:
    """Text messages through the bank's SMS gateway: one JSON POST per message, answered with
    the gateway's message id (the contract is ``docs/sms-gateway.md``)."""

    name = "sms"

    def __init__(self, settings: SendingSettings) -> None:
        self._url = settings.sms_gateway_url
        self._client = httpx.Client(
            timeout=settings.timeout_seconds,
            headers={"Authorization": f"Bearer {settings.sms_gateway_token}"},
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def send(self, message: Message) -> str:
        payload = {
            "to": mobile_number(message.address),
            "text": message.body,
            "reference": message.member_reference,
        }
        try:
            response = self._client.post(self._url, json=payload)
        except httpx.TransportError as error:
            raise TransientSendError(f"SMS gateway unreachable: {error!r}") from error
        status = response.status_code
        if status == 429 or status >= 500:
            raise TransientSendError(f"SMS gateway answered {status}: {response.text[:200]}")
        if not response.is_success:
            raise PermanentSendError(f"SMS gateway answered {status}: {response.text[:200]}")
        try:
            gateway_id = response.json()["id"]
        except (ValueError, KeyError, TypeError):
            gateway_id = None
        if not isinstance(gateway_id, str) or not gateway_id:
            raise PermanentSendError(
                f"SMS gateway answered {status} without a message id: {response.text[:200]}"
            )
        return gateway_id


_E164 = re.compile(r"\+[1-9]\d{6,14}")
_MAINLAND_MOBILE = re.compile(r"1\d{10}")
_NUMBER_SEPARATORS = re.compile(r"[\s()-]")


def mobile_number(address: str) -> str:
    """The number in international form (E.164): an 11-digit mainland mobile number gains
    ``+86``; any other number must already start with ``+`` and its country code."""
    number = _NUMBER_SEPARATORS.sub("", address)
    if _MAINLAND_MOBILE.fullmatch(number):
        return f"+86{number}"
    if _E164.fullmatch(number):
        return number
    raise PermanentSendError(f"not a mobile number: {address!r}")


class FileChannel:
    """Appends each message as a CSV row (:data:`FILE_COLUMNS`) for another system or a
    person to deliver. UTF-8 with a byte-order mark, so that Excel on a Chinese Windows
    opens it as UTF-8; a cell that reads as a formula is written as text."""

    name = "file"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.close()

    def send(self, message: Message) -> str:
        handle = self._open()
        writer = csv.writer(handle)
        row = (
            message.customer_id,
            message.address,
            message.subject or "",
            message.body,
            message.member_reference,
        )
        try:
            writer.writerow([csv_cell(value) for value in row])
            # A row that reached the file is a member handed over, even if the batch dies.
            handle.flush()
        except OSError as error:
            raise PermanentSendError(f"cannot write {self.path}: {error}") from error
        return self.path.name

    def _open(self) -> IO[str]:
        if self._handle is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # The codec leaves out the byte-order mark when appending to a started file.
                handle = self.path.open("a", encoding="utf-8-sig", newline="")
            except OSError as error:
                raise PermanentSendError(f"cannot write {self.path}: {error}") from error
            if handle.tell() == 0:
                csv.writer(handle).writerow(FILE_COLUMNS)
            self._handle = handle
        return self._handle


def channel_for(channel_name: str, settings: SendingSettings, export_dir: Path) -> Channel:
    """E-mail through the relay when ``smtp_host`` is set, text messages through the gateway
    when ``sms_gateway_url`` is set, and otherwise ``<export_dir>/<channel>.csv``."""
    if channel_name not in CHANNEL_NAMES:
        raise ValidationFailed(
            f"unknown channel {channel_name!r}; one of {', '.join(CHANNEL_NAMES)}",
            field="channel",
        )
    if channel_name == "email" and settings.smtp_host:
        return SmtpChannel(settings)
    if channel_name == "sms" and settings.sms_gateway_url:
        return SmsGatewayChannel(settings)
    return FileChannel(export_dir / f"{channel_name}.csv")
