"""The staff of a bank at work, as locust virtual users (``make loadtest`` runs them).

``LOADTEST_LOGINS`` names the JSON that ``bankcrm demo --json`` prints: the users log in as
its staff, each class as one role, in the proportions of a branch network (account managers
the most). Every page is asked for without following redirects, so that a session that
ended (a redirect to the login page) counts as an error, not as a quick page.
"""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task
from locust.clients import ResponseContextManager
from locust.env import Environment

LOGINS_VARIABLE = "LOADTEST_LOGINS"
LOCAL_HOST = "127.0.0.1"
HTML = {"accept": "text/html"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
CUSTOMER_LINK = re.compile(r'href="/customers/(\d+)"')
COMPLAINT_PAGE = re.compile(r"^/complaints/(\d+)$")
LIST_PAGES = 10
"""The list task opens one of the first pages at random: staff rarely page further."""
SEARCH_TERMS = ("王伟", "李娜", "张敏", "刘洋", "陈静", "杨帆", "C00001", "C00012")
"""What staff type into the customer picker: common names and the start of a number."""
COMPLAINT_TEXT = "客户反映手机银行转账失败但账户已扣款,要求尽快查明并退回款项。"


@events.init.add_listener
def refuse_other_hosts(environment: Environment, **_: Any) -> None:
    """A load test is an attack on whoever serves the host: only this machine may be it."""
    if urlsplit(environment.host or "").hostname != LOCAL_HOST:
        raise SystemExit(f"the load test runs against http://{LOCAL_HOST}:PORT only")


def _logins(role: str) -> list[dict[str, str]]:
    payload = json.loads(Path(os.environ[LOGINS_VARIABLE]).read_text(encoding="utf-8"))
    logins = [login for login in payload["logins"] if login["role"] == role]
    if not logins:
        raise RuntimeError(f"{os.environ[LOGINS_VARIABLE]} has no {role} login")
    return logins


def _what_went_wrong(answer: ResponseContextManager) -> str:
    """The status and where it redirects to, or the connection error when none came back."""
    if answer.status_code == 0:
        return repr(answer.error)
    return f"{answer.status_code} {answer.headers.get('location', '')}".rstrip()


class Staff(HttpUser):
    """A member of staff: logs in once, then lists, searches and opens customers."""

    abstract = True
    role = ""
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.customer_ids: list[int] = []
        login = random.choice(_logins(self.role))
        form = self.client.get("/login", name="/login", headers=HTML)
        found = CSRF.search(form.text)
        with self.client.post(
            "/login",
            name="/login",
            data={
                "username": login["username"],
                "password": login["password"],
                "csrf_token": found.group(1) if found else "",
                "next": "/customers",
            },
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 303 or answer.headers.get("location") != "/customers":
                answer.failure(f"{login['username']} was not logged in ({answer.status_code})")
        self.customer_list()

    def page(self, url: str, name: str) -> str:
        """The HTML of ``url``, or an empty string after recording a failure."""
        with self.client.get(
            url, name=name, headers=HTML, allow_redirects=False, catch_response=True
        ) as answer:
            if answer.status_code != 200:
                answer.failure(_what_went_wrong(answer))
                return ""
            return answer.text

    def form_post(
        self, url: str, name: str, data: dict[str, str], leads_to: re.Pattern[str]
    ) -> re.Match[str] | None:
        """Post a page's form; the address it redirects to, matched against ``leads_to``, or
        None after recording a failure."""
        with self.client.post(
            url, name=name, data=data, headers=HTML, allow_redirects=False, catch_response=True
        ) as answer:
            location = answer.headers.get("location", "")
            arrived = leads_to.match(location)
            if answer.status_code != 303 or arrived is None:
                answer.failure(_what_went_wrong(answer))
            return arrived

    @task(4)
    def customer_list(self) -> None:
        html = self.page(f"/customers?page={random.randint(1, LIST_PAGES)}", "/customers")
        seen = {int(found) for found in CUSTOMER_LINK.findall(html)}
        self.customer_ids = sorted(set(self.customer_ids) | seen)

    @task(3)
    def customer_search(self) -> None:
        with self.client.get(
            "/customers/search",
            params={"q": random.choice(SEARCH_TERMS)},
            name="/customers/search",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 200:
                answer.failure(_what_went_wrong(answer))

    @task(6)
    def customer_360(self) -> None:
        if self.customer_ids:
            customer = random.choice(self.customer_ids)
            self.page(f"/customers/{customer}", "/customers/[id] (360)")

    @task(2)
    def healthz(self) -> None:
        self.page("/healthz", "/healthz")


class Analyst(Staff):
    """Staff who read the segment matrix and the churn warnings as well."""

    abstract = True

    @task(2)
    def segments(self) -> None:
        self.page("/segments", "/segments")

    @task(2)
    def churn_warnings(self) -> None:
        self.page("/churn", "/churn")


class AccountManager(Analyst):
    role = "account_manager"
    weight = 4


class BranchManager(Analyst):
    role = "branch_manager"
    weight = 2


class MarketingAnalyst(Analyst):
    role = "marketing_analyst"
    weight = 2


class ComplaintOfficer(Staff):
    """Registers the complaints that come in and takes each one on."""

    role = "quality_officer"
    weight = 2

    @task(3)
    def intake_and_accept(self) -> None:
        form = self.page("/complaints/new", "/complaints/new")
        token = CSRF.search(form)
        if token is None:
            return
        intake = {"channel": "phone", "severity": "medium", "text": COMPLAINT_TEXT}
        if self.customer_ids:
            intake["customer_id"] = str(random.choice(self.customer_ids))
        created = self.form_post(
            "/complaints/new",
            "/complaints/new",
            {**intake, "csrf_token": token.group(1)},
            leads_to=COMPLAINT_PAGE,
        )
        if created is None:
            return
        complaint = created.group(1)
        case = self.page(f"/complaints/{complaint}", "/complaints/[id]")
        version = VERSION.search(case)
        if version is None:
            return
        self.form_post(
            f"/complaints/{complaint}/transitions",
            "/complaints/[id]/transitions",
            {"action": "accept", "version": version.group(1), "csrf_token": token.group(1)},
            leads_to=re.compile(rf"^/complaints/{complaint}$"),
        )
