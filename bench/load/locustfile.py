"""KPI Portal load test: officers, heads and HR staff of the generated agency at work.

    .venv/bin/locust -f bench/load/locustfile.py --host http://127.0.0.1:8120 \\
        --headless -u 10 -r 5 -t 60s

(bench/load/run.py starts the server, runs this at 10 and 50 users and
prints the figures.) The accounts and their password come from
bench/out/load-users.json, written by `python -m bench.load.setup`; each
simulated user is a different person. Every user logs in through the login
form (CSRF token from the page), finds their own plan, then loops over a mix:

- officers (weight 80): their plan, their results page and saving one KPI's
  result (htmx POST with the page's CSRF token and the result's version),
  their achievement form as .xlsx, the home page;
- heads (weight 15): the team page, the tree and its htmx children, their own
  plan, saving one of their own results;
- HR (weight 5): the tree of the whole department and its htmx children, unit
  pages, the reports page (the whole-agency report itself is a background
  job, not part of the mix).

A request counts as failed when the status is not the expected one, when the
page sends the user back to the login form, or when a result save answers
with an error message.

Environment: LOAD_USERS_FILE (default bench/out/load-users.json),
LOAD_WAIT (think time between tasks in seconds, "min,max", default "1,2"),
LOAD_EXTRA_OUT (a JSON file to write, when locust quits, the users started
per class and the percentiles of every request but the log-in ones, over
the whole run and over the steady state, from the moment the last user had
logged in: a password check costs the server a deliberate ~0.5 s of CPU,
so a crowd logging in at once queues everything behind it).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from pathlib import Path

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

USERS_FILE = Path(
    os.environ.get("LOAD_USERS_FILE")
    or Path(__file__).resolve().parent.parent / "out" / "load-users.json"
)
WAIT = tuple(float(x) for x in os.environ.get("LOAD_WAIT", "1,2").split(","))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HTMX = {"HX-Request": "true"}

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PLAN_RE = re.compile(r"/kpi/plan/(\d+)/$")
CARD_SPLIT = 'class="card mb-3 kpi-card"'
ACTION_RE = re.compile(r'action="(/appraisal/plan/\d+/kpi/\d+/result/)"')
VERSION_RE = re.compile(r'name="version" value="(\d+)"')
CHILDREN_RE = re.compile(r'hx-get="(/org/tree/\d+/children/(?:\?people=1)?)"')
UNIT_RE = re.compile(r'href="(/org/unit/\d+/)"')
# Discovered tree and unit links kept per user (a browser session opens a few).
MAX_LINKS = 200
LOGIN_REQUESTS = {"login page", "login"}
EXTRA_OUT = os.environ.get("LOAD_EXTRA_OUT")
# (start time, response time) of every request but the log-in ones.
_page_times: list[tuple[float, float]] = []
_started: dict[str, int] = {}
_failed_logins: list[str] = []
# When the last simulated user had logged in: the steady state starts there.
_all_logged_in = [0.0]


@events.request.add_listener
def _collect(name, response_time, start_time=0.0, exception=None, **_kwargs):
    if name not in LOGIN_REQUESTS and exception is None:
        _page_times.append((start_time, response_time))


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@events.quitting.add_listener
def _write_extra(**_kwargs):
    if not EXTRA_OUT:
        return

    def summary(times: list[float]) -> dict:
        return {
            "count": len(times),
            "p50": _percentile(times, 0.50),
            "p95": _percentile(times, 0.95),
            "p99": _percentile(times, 0.99),
        }

    steady = [t for start, t in _page_times if start >= _all_logged_in[0]]
    extra = {
        "users": _started,
        "failed_logins": _failed_logins,
        "pages": summary([t for _start, t in _page_times]),
        "steady": summary(steady),
    }
    Path(EXTRA_OUT).write_text(json.dumps(extra, indent=1), encoding="utf-8")


def _accounts() -> dict:
    if not USERS_FILE.exists():
        raise SystemExit(f"{USERS_FILE} is missing: run `python -m bench.load.setup` first")
    return json.loads(USERS_FILE.read_text(encoding="utf-8"))


ACCOUNTS = _accounts()
_next_account = {role: itertools.count() for role in ("officer", "head", "hr")}


class PortalUser(FastHttpUser):
    abstract = True
    role = ""
    wait_time = between(*WAIT)
    # One connection per user, as a browser keeps one to the server.
    concurrency = 1

    def on_start(self) -> None:
        names = ACCOUNTS[self.role]
        self.username = names[next(_next_account[self.role]) % len(names)]
        _started[type(self).__name__] = _started.get(type(self).__name__, 0) + 1
        self.tree_links: list[str] = []
        self.unit_links: list[str] = []
        self.login()
        self.plan = self.find_plan()
        _all_logged_in[0] = max(_all_logged_in[0], time.time())

    # Helpers -------------------------------------------------------------

    def page(self, url: str, name: str, *, htmx: bool = False, expect: str = "") -> str:
        """GET a page that must answer 200 (not a redirect to the login form); its text."""
        with self.client.get(
            url,
            name=name,
            headers=HTMX if htmx else None,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            text = response.text or ""
            if response.status_code != 200:
                where = response.headers.get("Location", "") if response.headers else ""
                response.failure(f"HTTP {response.status_code} {where}".strip())
            elif expect and expect not in text:
                response.failure(f"{expect!r} not on the page")
            else:
                response.success()
            return text

    def login(self) -> None:
        text = self.page("/login/", "login page")
        token = CSRF_RE.search(text)
        if token is None:
            raise StopUser
        form = {
            "csrfmiddlewaretoken": token.group(1),
            "username": self.username,
            "password": ACCOUNTS["password"],
            "next": "",
        }
        with self.client.post(
            "/login/", data=form, name="login", allow_redirects=False, catch_response=True
        ) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code != 302 or "/login/" in location:
                response.failure(f"login refused: HTTP {response.status_code}")
                _failed_logins.append(self.username)
                raise StopUser
            response.success()
        self.page("/", "home")

    def find_plan(self) -> int:
        """The user's own plan in the current round (indicators:my_plan redirects to it)."""
        with self.client.get(
            "/kpi/", name="my plan (redirect)", allow_redirects=False, catch_response=True
        ) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            found = PLAN_RE.search(location)
            if response.status_code != 302 or found is None:
                response.failure(f"no plan for {self.username}: HTTP {response.status_code}")
                raise StopUser
            response.success()
            return int(found.group(1))

    def remember_links(self, text: str) -> None:
        for pattern, links in ((CHILDREN_RE, self.tree_links), (UNIT_RE, self.unit_links)):
            for link in pattern.findall(text):
                if link not in links and len(links) < MAX_LINKS:
                    links.append(link)

    # What users do ---------------------------------------------------------

    def view_plan(self) -> None:
        self.page(f"/kpi/plan/{self.plan}/", "plan", expect='id="plan-page"')

    def enter_result(self) -> None:
        """Open the results page, then save one KPI's result as the page's htmx form does."""
        # Every plan of the load data is approved in a tracking round: a
        # results page without result forms is a failure, not a skip.
        text = self.page(f"/appraisal/plan/{self.plan}/", "results", expect='name="version"')
        cards = []
        for card in text.split(CARD_SPLIT)[1:]:
            action, version = ACTION_RE.search(card), VERSION_RE.search(card)
            if action and version:
                cards.append((action.group(1), version.group(1), 'name="milestones_done"' in card))
        token = CSRF_RE.search(text)
        if not cards or token is None:
            return  # the page itself failed (counted above) or offers no form
        action, version, milestone = random.choice(cards)
        form = {
            "csrfmiddlewaretoken": token.group(1),
            "version": version,
            "note": f"บันทึกผลโดยการทดสอบโหลด ({self.username})",
        }
        if milestone:
            form["milestones_done"] = str(random.randint(0, 5))
        else:
            form["actual"] = str(random.randint(0, 120))
        with self.client.post(
            action,
            data=form,
            name="result save",
            headers={**HTMX, "Referer": self.client.base_url + action},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            body = response.text or ""
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif "alert-danger" in body or "alert-success" not in body:
                response.failure("the result was not saved")
            else:
                response.success()

    def tree(self) -> None:
        self.remember_links(self.page("/org/", "tree", expect="org-tree"))

    def tree_children(self) -> None:
        if not self.tree_links:
            self.tree()
        if self.tree_links:
            link = random.choice(self.tree_links)
            self.remember_links(self.page(link, "tree children (htmx)", htmx=True))


class Officer(PortalUser):
    weight = 80
    role = "officer"

    @task(4)
    def plan_page(self):
        self.view_plan()

    @task(3)
    def results(self):
        self.enter_result()

    @task(1)
    def form_download(self):
        with self.client.get(
            f"/appraisal/plan/{self.plan}/form.xlsx",
            name="form download (.xlsx)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            kind = response.headers.get("Content-Type", "") if response.headers else ""
            if response.status_code != 200 or not kind.startswith(XLSX):
                response.failure(f"HTTP {response.status_code} {kind}")
            elif not (response.content or b"").startswith(b"PK"):
                response.failure("not an .xlsx file")
            else:
                response.success()

    @task(2)
    def home(self):
        self.page("/", "home")


class Head(PortalUser):
    weight = 15
    role = "head"

    @task(3)
    def team(self):
        self.page("/kpi/team/", "team")

    @task(1)
    def tree_page(self):
        self.tree()

    @task(3)
    def children(self):
        self.tree_children()

    @task(2)
    def plan_page(self):
        self.view_plan()

    @task(1)
    def results(self):
        self.enter_result()


class HR(PortalUser):
    weight = 5
    role = "hr"

    @task(2)
    def tree_page(self):
        self.tree()

    @task(4)
    def children(self):
        self.tree_children()

    @task(2)
    def unit(self):
        if not self.unit_links:
            self.tree_children()
        if self.unit_links:
            self.page(random.choice(self.unit_links), "unit")

    @task(1)
    def reports(self):
        self.page("/appraisal/reports/", "reports page")
