"""Browser journeys: Playwright driving Debian's Chromium against a live server.

Run with `make e2e` (installs the `chromium` package when missing). Screenshots
go to docs/screenshots/, where the user guides pick them up.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

# Playwright's sync API runs an event loop in this thread; the ORM calls made
# by the test itself (fixtures, assertions) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


# Pages answer fast; a swap that takes longer than this is a bug worth a failure.
expect.set_options(timeout=10_000)

# Chromium logs a CSP violation as a console error; the page's own event also
# says which directive (style-src-attr, script-src-attr...) and which line, so
# the watcher reports that too. (Init scripts are not subject to the CSP.)
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " blocked "
    + (event.blockedURI || "inline") + " at " + (event.sourceFile || event.documentURI)
    + ":" + event.lineNumber + (event.sample ? " (" + event.sample + ")" : ""));
});
"""

# axe-core (npm, pinned in package.json) checks every page a journey visits:
# injected into every tab of every watched context, it runs when a page has
# loaded and again after htmx swaps (debounced), and reports each serious or
# critical violation as a console error, which the watcher turns into a
# failure like any JavaScript error. Journeys get it without asking.
# E2E_AXE=0 turns it off (to look at something else first).
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_RUNNER = """
(function () {
  if (window.top !== window) return;
  var timer = null, seen = {};
  function report(results) {
    results.violations.forEach(function (v) {
      if (v.impact !== "serious" && v.impact !== "critical") return;
      var where = v.nodes.slice(0, 3).map(function (n) { return n.target.join(" "); }).join(", ");
      var key = v.id + " " + where;
      if (seen[key]) return;
      seen[key] = true;
      var why = (v.nodes[0].any[0] || v.nodes[0].all[0] || v.nodes[0].none[0] || {}).message || "";
      console.error("axe " + v.impact + ": " + v.id + " (" + v.help + ") on " + location.pathname
        + " at " + where + (v.nodes.length > 3 ? " and " + (v.nodes.length - 3) + " more" : "")
        + (why ? " - " + why : ""));
    });
  }
  function run() {
    timer = null;
    window.__axeRun = (window.__axeRun || Promise.resolve()).then(function () {
      return window.axe.run(document, { resultTypes: ["violations"] }).then(report);
    }).catch(function () {});
  }
  function later() { if (timer) clearTimeout(timer); timer = setTimeout(run, 400); }
  window.addEventListener("load", later);
  document.addEventListener("htmx:afterSettle", later);
  window.__axeSettled = function () {
    return new Promise(function (resolve) { setTimeout(resolve, timer ? 450 : 0); })
      .then(function () { return window.__axeRun; });
  };
})();
"""


def axe_scripts() -> list[str]:
    """The init scripts that run axe on each page (none with E2E_AXE=0)."""
    if os.environ.get("E2E_AXE") == "0":
        return []
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make setup` (npm ci installs axe-core)")
    return [AXE_JS.read_text(encoding="utf-8"), AXE_RUNNER]


class KnownBug(Exception):
    """A journey saw only bugs it was told about (watch.known): mark it
    xfail(strict=True, raises=KnownBug) until they are fixed; any other
    failure still fails, and the fix turns the xfail into a strict XPASS."""


class BrowserWatch:
    """Everything that went wrong in the watched browser contexts.

    JavaScript errors (console errors and uncaught exceptions), CSP
    violations, server errors (5xx), and problems a journey noted itself
    with `note()` (a missing link, a label in English) while carrying on.
    `check()` fails on the errors at once; `finish()`, at the end of a
    journey, on the problems too; the fixture finishes at teardown anyway.
    Bugs already reported are declared with `known()`: they do not stop the
    journey, and `finish()` raises KnownBug for them.
    """

    def __init__(self):
        self.errors: list[str] = []
        self.problems: list[str] = []
        # The browser asks for /favicon.ico on its own; base.html declares no
        # icon (reported as a minor bug); that 404 is neither a JS error nor CSP.
        self.allowed: list[re.Pattern] = [re.compile(r"status of 404 .*/favicon\.ico")]
        self.known_bugs: dict[str, re.Pattern] = {}
        self.known_seen: dict[str, int] = {}
        self.reported = 0
        self.raised = False  # the failure message already lists everything
        self.seen: dict[str, int] = {}
        self.seen_at: dict[str, int] = {}
        self.contexts: list = []

    def attach(self, context, who: str) -> None:
        context.add_init_script(CSP_LISTENER)
        for script in axe_scripts():
            context.add_init_script(script)
        self.contexts.append(context)
        context.on("console", lambda message: self._console(who, message))
        context.on("weberror", lambda error: self._error(who, f"uncaught {error.error}"))
        context.on("response", lambda response: self._response(who, response))

    def allow(self, pattern: str) -> None:
        """Expect (and ignore) console errors matching `pattern` (regex)."""
        self.allowed.append(re.compile(pattern))

    def known(self, bug: str, pattern: str) -> None:
        """A reported bug: errors and notes matching `pattern` (regex) are counted for it."""
        self.known_bugs[bug] = re.compile(pattern)

    def _known(self, text: str) -> bool:
        for bug, pattern in self.known_bugs.items():
            if pattern.search(text):
                self.known_seen[bug] = self.known_seen.get(bug, 0) + 1
                return True
        return False

    def note(self, problem: str) -> None:
        """A usability bug the journey works around: the journey still fails at the end."""
        if not self._known(problem):
            self.problems.append(problem)

    def _error(self, who: str, text: str) -> None:
        if any(pattern.search(text) for pattern in self.allowed) or self._known(text):
            return
        # One line per kind of error and page: the same violation on every
        # row of a table is one bug (the first line number is kept).
        key = re.sub(r"\?[^ :]*", "", f"[{who}] {text}")  # the page without its query
        key = re.sub(r":\d+(\))?$", r"\1", key)  # and without the line
        if key in self.seen:
            self.seen[key] += 1
            index = self.seen_at[key]
            self.errors[index] = re.sub(r" \(x\d+\)$", "", self.errors[index])
            self.errors[index] += f" (x{self.seen[key]})"
            return
        self.seen[key], self.seen_at[key] = 1, len(self.errors)
        self.errors.append(f"[{who}] {text}")

    def _console(self, who: str, message) -> None:
        if message.type != "error":
            return
        where = message.location or {}
        at = f" ({where.get('url', '')}:{where.get('lineNumber', '')})" if where.get("url") else ""
        # Chromium's CSP messages go on to explain nonces and hashes: the first sentence says it.
        text = message.text.split(" Either the 'unsafe-inline'")[0]
        self._error(who, f"console error: {text}{at}")

    def _response(self, who: str, response) -> None:
        if response.status >= 500:
            request = response.request
            self._error(who, f"server error {response.status} {request.method} {response.url}")

    @property
    def all(self) -> list[str]:
        return self.errors + [f"usability: {problem}" for problem in self.problems]

    def check(self) -> None:
        """Fail now on any JS error, CSP violation or server error seen since the last check.

        With E2E_KEEP_GOING=1 the journey carries on and fails at finish()
        with everything it saw (to see all of a page's bugs in one run).
        """
        if os.environ.get("E2E_KEEP_GOING"):
            return
        new = self.errors[self.reported :]
        self.reported = len(self.errors)
        if new:
            self.raised = True
            pytest.fail("Errors in the browser:\n- " + "\n- ".join(new), pytrace=False)

    def settle_axe(self) -> None:
        """Wait for the axe checks still running on the open tabs (their reports come in)."""
        for context in self.contexts:
            for tab in context.pages:
                try:
                    tab.evaluate("window.__axeSettled ? window.__axeSettled() : null")
                except PlaywrightError:  # a closed or navigating tab has nothing left to report
                    continue

    def finish(self) -> None:
        """The end of a journey: fail on errors and problems; KnownBug for known bugs only."""
        self.settle_axe()
        errors, problems = self.errors[self.reported :], self.problems
        self.reported, self.problems = len(self.errors), []
        lines = [f"error: {error}" for error in errors]
        lines += [f"usability: {problem}" for problem in problems]
        if lines:
            self.raised = True
            pytest.fail("Problems in the browser:\n- " + "\n- ".join(lines), pytrace=False)
        if self.known_seen:
            seen, self.known_seen = self.known_seen, {}
            raise KnownBug("; ".join(f"{bug} (x{count})" for bug, count in seen.items()))


@pytest.fixture
def watch(request):
    """The BrowserWatch of this journey (every tab of `page` and `person` is watched)."""
    watcher = BrowserWatch()
    request.node.browser_watch = watcher
    yield watcher
    call = getattr(request.node, "call_report", None)
    if call is None or call.passed:  # a failed journey lists the problems in its report
        watcher.finish()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_report = report
    watcher = getattr(item, "browser_watch", None)
    failed = report.when == "call" and report.failed
    if failed and watcher is not None and watcher.all and not watcher.raised:
        report.sections.append(("browser problems", "\n".join(watcher.all)))
    return report


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, the journeys' database is a file, not shared-cache memory.

    The live server answers the page's htmx requests on several threads; in
    shared-cache memory a read that meets another thread's write fails at
    once ("database table is locked: django_session"), while a file in WAL
    mode with the settings' busy timeout makes it wait, as production does.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        folder = tmp_path_factory.mktemp("journeys-db")
        database.setdefault("TEST", {})["NAME"] = str(folder / "journeys.sqlite3")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _new_context(browser, live_server, watch, who: str):
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-US",
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
        # No transitions (Bootstrap honours it): axe measures colours as they
        # settle, not halfway through a button's hover fade.
        reduced_motion="reduce",
    )
    context.set_default_timeout(10_000)
    watch.attach(context, who)
    return context


@pytest.fixture
def page(browser, live_server, watch):
    """A fresh browser tab whose browser asks for English: the app must answer in Thai."""
    context = _new_context(browser, live_server, watch, "page")
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def person(browser, live_server, watch):
    """person(username) -> a tab signed in as that person, in a browser of their own.

    Two people in one journey each get their own context (cookies, session),
    as on two computers; both are watched for errors.
    """
    contexts = []

    def sign_in(username: str):
        context = _new_context(browser, live_server, watch, username)
        contexts.append(context)
        tab = context.new_page()
        login(tab, username)
        expect(tab.get_by_role("button", name="ออกจากระบบ")).to_be_visible()
        return tab

    yield sign_in
    for context in contexts:
        context.close()


@pytest.fixture
def shot():
    """shot(page, name): save a screenshot for the guides (docs/screenshots/NAME.png).

    upto=locator: the page from the top down to the bottom of that element
    (e.g. a plan without its long history).
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, full_page: bool = True, upto=None) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        clip = None
        if upto is not None:
            bottom = upto.evaluate("el => el.getBoundingClientRect().bottom + window.scrollY")
            width = page.viewport_size["width"]
            clip = {"x": 0, "y": 0, "width": width, "height": bottom + 16}
        # caret="initial": hiding the caret leaves style="" on every input,
        # which htmx then copies when it settles a swap: a CSP violation the
        # app did not cause.
        page.screenshot(path=str(path), full_page=full_page, clip=clip, caret="initial")
        return path

    return take


def login(page, username: str, password: str = "pass-12345") -> None:  # noqa: S107
    """Sign in through the login form, as a person would."""
    page.goto("/login/")
    page.get_by_label("ชื่อผู้ใช้").fill(username)
    page.get_by_label("รหัสผ่าน").fill(password)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_load_state("networkidle")
