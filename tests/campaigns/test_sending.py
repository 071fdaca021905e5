"""Sending against a real SMTP server and a real HTTP gateway stub on 127.0.0.1; time is
moved by a fake clock, so pacing and retry waits cost no real seconds."""

from __future__ import annotations

import csv
import json
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from bankcrm.campaigns.sending import (
    STOPPED,
    FileChannel,
    Message,
    PermanentSendError,
    SendOutcome,
    SmsGatewayChannel,
    SmtpChannel,
    channel_for,
    mobile_number,
    send_all,
)
from bankcrm.core.config import SendingSettings
from bankcrm.core.exceptions import ValidationFailed

SUBJECT = "尊敬的客户：您的专属理财优惠"
BODY = "您好，张先生！\n本月起，大额存单利率上浮至 2.15%。详询您的客户经理。\n退订回复 TD"
SENDER = "招商营销中心 <campaigns@bank.example.cn>"
TOKEN = "gateway-token-for-tests"


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


class Outcomes(list[SendOutcome]):
    def __call__(self, outcome: SendOutcome) -> None:
        self.append(outcome)


def never() -> bool:
    return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def email(customer_id: int, address: str) -> Message:
    return Message(customer_id, address, SUBJECT, BODY, "CMP-2026-07")


def text(customer_id: int, address: str = "13800138000") -> Message:
    return Message(customer_id, address, None, BODY, "CMP-2026-07")


# --- SMTP -----------------------------------------------------------------------------------


class Relay:
    """An aiosmtpd handler: keeps what it receives, answers RCPT from a script per address."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.rcpt_answers: dict[str, list[str]] = {}
        self.rcpt_tries: Counter[str] = Counter()
        self.sessions = 0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        self.rcpt_tries[address] += 1
        script = self.rcpt_answers.get(address)
        if script:
            return script.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        received = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(received, EmailMessage)
        self.received.append(received)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


@pytest.fixture
def relay() -> Iterator[tuple[Relay, int]]:
    handler = Relay()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def smtp_settings(port: int, **overrides: Any) -> SendingSettings:
    return SendingSettings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_sender=SENDER,
        retry_seconds=0.5,
        timeout_seconds=5,
        **overrides,
    )


def sent_at() -> datetime:
    return datetime(2026, 7, 1, 9, 30, tzinfo=UTC)


def test_email_arrives_in_chinese_on_one_connection(
    relay: tuple[Relay, int], fake_time: FakeTime
) -> None:
    handler, port = relay
    settings = smtp_settings(port)
    outcomes = Outcomes()
    messages = [email(101, "zhang.wei@example.cn"), email(102, "li.na@example.cn")]
    with SmtpChannel(settings, now=sent_at) as channel:
        summary = send_all(
            channel,
            messages,
            settings=settings,
            should_stop=never,
            record=outcomes,
            sleep=fake_time.sleep,
            clock=fake_time.clock,
        )
    assert (summary.sent, summary.failed, summary.skipped) == (2, 0, 0)
    assert handler.sessions == 1
    first = handler.received[0]
    assert first["From"] == SENDER
    assert first["To"] == "zhang.wei@example.cn"
    assert first["Subject"] == SUBJECT
    assert first.get_content().replace("\r\n", "\n").rstrip("\n") == BODY
    assert first["Date"].datetime == sent_at()
    assert first["Message-ID"].strip() == outcomes[0].provider_ref
    assert "CMP-2026-07-101" in first["Message-ID"]
    assert handler.envelopes[0] == ("campaigns@bank.example.cn", ["zhang.wei@example.cn"])
    assert [(o.customer_id, o.status, o.attempts) for o in outcomes] == [
        (101, "sent", 1),
        (102, "sent", 1),
    ]


def test_refused_recipient_fails_at_once_and_the_batch_goes_on(
    relay: tuple[Relay, int], fake_time: FakeTime
) -> None:
    handler, port = relay
    handler.rcpt_answers["gone@example.cn"] = ["550 5.1.1 No such user"] * 5
    settings = smtp_settings(port)
    outcomes = Outcomes()
    with SmtpChannel(settings) as channel:
        summary = send_all(
            channel,
            [email(1, "gone@example.cn"), email(2, "here@example.cn")],
            settings=settings,
            should_stop=never,
            record=outcomes,
            sleep=fake_time.sleep,
            clock=fake_time.clock,
        )
    assert (summary.sent, summary.failed) == (1, 1)
    refused = outcomes[0]
    assert (refused.status, refused.attempts) == ("failed", 1)
    assert refused.error is not None and "550" in refused.error
    assert handler.rcpt_tries["gone@example.cn"] == 1
    assert fake_time.sleeps == []
    assert handler.sessions == 1


def test_busy_recipient_is_tried_again_and_sent(
    relay: tuple[Relay, int], fake_time: FakeTime
) -> None:
    handler, port = relay
    handler.rcpt_answers["busy@example.cn"] = ["451 4.3.0 Try again later"]
    settings = smtp_settings(port)
    outcomes = Outcomes()
    with SmtpChannel(settings) as channel:
        send_all(
            channel,
            [email(7, "busy@example.cn")],
            settings=settings,
            should_stop=never,
            record=outcomes,
            sleep=fake_time.sleep,
            clock=fake_time.clock,
        )
    assert (outcomes[0].status, outcomes[0].attempts) == ("sent", 2)
    assert handler.rcpt_tries["busy@example.cn"] == 2
    assert fake_time.sleeps == [0.5]
    assert len(handler.received) == 1


def test_unreachable_relay_is_retried_with_doubling_waits(fake_time: FakeTime) -> None:
    settings = smtp_settings(free_port(), max_attempts=3)
    outcomes = Outcomes()
    with SmtpChannel(settings) as channel:
        send_all(
            channel,
            [email(1, "zhang.wei@example.cn")],
            settings=settings,
            should_stop=never,
            record=outcomes,
            sleep=fake_time.sleep,
            clock=fake_time.clock,
        )
    assert (outcomes[0].status, outcomes[0].attempts) == ("failed", 3)
    assert outcomes[0].error is not None and "unreachable" in outcomes[0].error
    assert fake_time.sleeps == [0.5, 1.0]


def check_login(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    accepted = isinstance(auth_data, LoginPassword) and (
        auth_data.login,
        auth_data.password,
    ) == (b"crm", b"Kou-Ling-2026")
    # handled=False: the server itself answers a refusal with 535.
    return AuthResult(success=accepted, handled=False)


@pytest.mark.parametrize(("password", "status"), [("Kou-Ling-2026", "sent"), ("wrong", "failed")])
def test_relay_login(password: str, status: str, fake_time: FakeTime) -> None:
    handler = Relay()
    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=check_login,
        auth_require_tls=False,
    )
    controller.start()
    try:
        settings = smtp_settings(port, smtp_username="crm", smtp_password=password)
        outcomes = Outcomes()
        with SmtpChannel(settings) as channel:
            send_all(
                channel,
                [email(1, "zhang.wei@example.cn")],
                settings=settings,
                should_stop=never,
                record=outcomes,
                sleep=fake_time.sleep,
                clock=fake_time.clock,
            )
    finally:
        controller.stop()
    assert (outcomes[0].status, outcomes[0].attempts) == (status, 1)
    assert len(handler.received) == (status == "sent")


@pytest.mark.parametrize("address", ["not an address", "zhang@", "a@b.cn\r\nBcc: x@y.cn", ""])
def test_malformed_email_address_is_permanent(address: str) -> None:
    channel = SmtpChannel(smtp_settings(free_port()))
    with pytest.raises(PermanentSendError, match="not an e-mail address"):
        channel.send(email(1, address))


def test_email_needs_a_sender() -> None:
    with pytest.raises(ValidationFailed):
        SmtpChannel(SendingSettings(smtp_host="127.0.0.1"))


# --- SMS gateway ----------------------------------------------------------------------------


class Gateway:
    """What the stub gateway received, and the statuses it answers with, in order (then 200)."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.statuses: list[int] = []
        self.lock = threading.Lock()


@pytest.fixture
def gateway() -> Iterator[tuple[Gateway, str]]:
    state = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with state.lock:
                state.requests.append((dict(self.headers), body))
                status = state.statuses.pop(0) if state.statuses else 200
                number = len(state.requests)
            answer = {"id": f"gw-{number}"} if status == 200 else {"error": "see status"}
            encoded = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(encoded)))
            self.end_headers()
            self.wfile.write(encoded)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/v1/messages"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def sms_settings(url: str, **overrides: Any) -> SendingSettings:
    return SendingSettings(
        sms_gateway_url=url,
        sms_gateway_token=TOKEN,
        retry_seconds=1.0,
        timeout_seconds=5,
        **overrides,
    )


def send_texts(
    url: str, messages: list[Message], fake_time: FakeTime, **overrides: Any
) -> Outcomes:
    settings = sms_settings(url, **overrides)
    outcomes = Outcomes()
    with SmsGatewayChannel(settings) as channel:
        send_all(
            channel,
            messages,
            settings=settings,
            should_stop=never,
            record=outcomes,
            sleep=fake_time.sleep,
            clock=fake_time.clock,
        )
    return outcomes


def test_text_is_posted_as_json_with_the_bearer_token(
    gateway: tuple[Gateway, str], fake_time: FakeTime
) -> None:
    state, url = gateway
    outcomes = send_texts(url, [text(301, "138 0013 8000")], fake_time)
    assert (outcomes[0].status, outcomes[0].provider_ref) == ("sent", "gw-1")
    headers, body = state.requests[0]
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["Content-Type"] == "application/json"
    assert body == {"to": "+8613800138000", "text": BODY, "reference": "CMP-2026-07-301"}


def test_unavailable_gateway_is_tried_again_with_the_same_reference(
    gateway: tuple[Gateway, str], fake_time: FakeTime
) -> None:
    state, url = gateway
    state.statuses = [503]
    outcomes = send_texts(url, [text(302)], fake_time)
    assert (outcomes[0].status, outcomes[0].attempts, outcomes[0].provider_ref) == (
        "sent",
        2,
        "gw-2",
    )
    assert [body["reference"] for _, body in state.requests] == ["CMP-2026-07-302"] * 2
    assert fake_time.sleeps == [1.0]


def test_throttled_send_is_tried_again(gateway: tuple[Gateway, str], fake_time: FakeTime) -> None:
    state, url = gateway
    state.statuses = [429, 429]
    outcomes = send_texts(url, [text(303)], fake_time, max_attempts=3)
    assert (outcomes[0].status, outcomes[0].attempts) == ("sent", 3)
    assert [body["reference"] for _, body in state.requests] == ["CMP-2026-07-303"] * 3
    assert fake_time.sleeps == [1.0, 2.0]


def test_rejected_request_fails_without_another_try(
    gateway: tuple[Gateway, str], fake_time: FakeTime
) -> None:
    state, url = gateway
    state.statuses = [400]
    outcomes = send_texts(url, [text(304)], fake_time)
    assert (outcomes[0].status, outcomes[0].attempts) == ("failed", 1)
    assert outcomes[0].error is not None and "400" in outcomes[0].error
    assert len(state.requests) == 1
    assert fake_time.sleeps == []


def test_gateway_still_failing_after_the_last_try_is_failed(
    gateway: tuple[Gateway, str], fake_time: FakeTime
) -> None:
    state, url = gateway
    state.statuses = [502, 503]
    outcomes = send_texts(url, [text(305)], fake_time, max_attempts=2)
    assert (outcomes[0].status, outcomes[0].attempts) == ("failed", 2)
    assert outcomes[0].error is not None and "503" in outcomes[0].error


def test_malformed_number_never_reaches_the_gateway(
    gateway: tuple[Gateway, str], fake_time: FakeTime
) -> None:
    state, url = gateway
    outcomes = send_texts(url, [text(306, "010-8888")], fake_time)
    assert (outcomes[0].status, outcomes[0].attempts) == ("failed", 1)
    assert state.requests == []


@pytest.mark.parametrize(
    ("address", "number"),
    [
        ("13800138000", "+8613800138000"),
        ("138-0013-8000", "+8613800138000"),
        ("+85291234567", "+85291234567"),
        ("+86 138 0013 8000", "+8613800138000"),
    ],
)
def test_mobile_numbers_are_international(address: str, number: str) -> None:
    assert mobile_number(address) == number


@pytest.mark.parametrize("address", ["", "12345", "8613800138000", "+0123456789", "phone"])
def test_what_is_not_a_mobile_number(address: str) -> None:
    with pytest.raises(PermanentSendError):
        mobile_number(address)


# --- Stopping -------------------------------------------------------------------------------


def test_stopped_campaign_sends_nothing_more(
    gateway: tuple[Gateway, str], fake_time: FakeTime
) -> None:
    state, url = gateway
    settings = sms_settings(url)
    outcomes = Outcomes()
    with SmsGatewayChannel(settings) as channel:
        summary = send_all(
            channel,
            [text(customer) for customer in range(1, 11)],
            settings=settings,
            should_stop=lambda: sum(o.status == "sent" for o in outcomes) >= 3,
            record=outcomes,
            sleep=fake_time.sleep,
            clock=fake_time.clock,
        )
    assert (summary.sent, summary.failed, summary.skipped) == (3, 0, 7)
    assert len(state.requests) == 3
    assert [o.status for o in outcomes] == ["sent"] * 3 + ["skipped"] * 7
    assert all(o.error == STOPPED and o.attempts == 0 for o in outcomes[3:])


def test_stop_during_a_retry_wait_skips_the_member(
    gateway: tuple[Gateway, str], fake_time: FakeTime
) -> None:
    state, url = gateway
    state.statuses = [503]
    settings = sms_settings(url)
    outcomes = Outcomes()
    with SmsGatewayChannel(settings) as channel:
        summary = send_all(
            channel,
            [text(1), text(2)],
            settings=settings,
            should_stop=lambda: bool(fake_time.sleeps),
            record=outcomes,
            sleep=fake_time.sleep,
            clock=fake_time.clock,
        )
    assert (summary.sent, summary.skipped) == (0, 2)
    assert len(state.requests) == 1
    assert [(o.status, o.attempts, o.error) for o in outcomes] == [
        ("skipped", 1, STOPPED),
        ("skipped", 0, STOPPED),
    ]


# --- Pace -----------------------------------------------------------------------------------


class ClockedChannel:
    """Notes the (fake) time of every send."""

    name = "clocked"

    def __init__(self, fake_time: FakeTime) -> None:
        self.fake_time = fake_time
        self.times: list[float] = []

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def send(self, message: Message) -> str:
        self.times.append(self.fake_time.now)
        return f"ref-{message.customer_id}"


def paced_times(per_second: float, count: int, fake_time: FakeTime) -> list[float]:
    channel = ClockedChannel(fake_time)
    send_all(
        channel,
        [text(customer) for customer in range(count)],
        settings=SendingSettings(messages_per_second=per_second),
        should_stop=never,
        record=Outcomes(),
        sleep=fake_time.sleep,
        clock=fake_time.clock,
    )
    return channel.times


def test_sends_keep_to_the_rate(fake_time: FakeTime) -> None:
    times = paced_times(10, 25, fake_time)
    assert len(times) == 25
    assert times[-1] - times[0] >= 2.0
    assert max(sum(start <= t < start + 1 for t in times) for start in times) <= 10


def test_a_rate_below_one_spaces_the_sends(fake_time: FakeTime) -> None:
    times = paced_times(0.5, 3, fake_time)
    assert times == [0.0, 2.0, 4.0]


def test_a_fractional_rate_is_never_exceeded(fake_time: FakeTime) -> None:
    times = paced_times(2.5, 9, fake_time)
    assert max(sum(start <= t < start + 1 for t in times) for start in times) <= 2


# --- Files and choosing ---------------------------------------------------------------------


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_file_rows_are_text_never_formulas(tmp_path: Path, fake_time: FakeTime) -> None:
    path = tmp_path / "exports" / "wechat.csv"
    first = Message(1, '=HYPERLINK("http://evil")', "@SUM(A1)", "-2+3", "CMP")
    second = Message(2, "+8613800138000", None, "您好，欢迎到网点办理。", "CMP")
    for message in (first, second):
        with FileChannel(path) as channel:
            send_all(
                channel,
                [message],
                settings=SendingSettings(),
                should_stop=never,
                record=Outcomes(),
                sleep=fake_time.sleep,
                clock=fake_time.clock,
            )
    assert path.read_bytes().count("\ufeff".encode()) == 1
    assert read_rows(path) == [
        ["customer_id", "address", "subject", "body", "reference"],
        ["1", '\'=HYPERLINK("http://evil")', "'@SUM(A1)", "'-2+3", "CMP-1"],
        ["2", "'+8613800138000", "", "您好，欢迎到网点办理。", "CMP-2"],
    ]


def test_channel_follows_the_settings(tmp_path: Path) -> None:
    configured = SendingSettings(
        smtp_host="relay.bank.example.cn",
        smtp_sender=SENDER,
        sms_gateway_url="https://sms.bank.example.cn/v1/messages",
    )
    with channel_for("email", configured, tmp_path) as channel:
        assert isinstance(channel, SmtpChannel)
    with channel_for("sms", configured, tmp_path) as channel:
        assert isinstance(channel, SmsGatewayChannel)
    with channel_for("email", SendingSettings(), tmp_path) as channel:
        assert isinstance(channel, FileChannel)
        assert channel.path == tmp_path / "email.csv"
    with channel_for("branch", configured, tmp_path) as channel:
        assert isinstance(channel, FileChannel)
    with pytest.raises(ValidationFailed):
        channel_for("fax", configured, tmp_path)
