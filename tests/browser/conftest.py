"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

What they need besides the Python requirements:

- Chromium: ``/usr/bin/chromium`` (Debian's ``chromium`` package) or the path
  in ``ASSAY_CHROMIUM``. Playwright's own browser download does not work here.
- axe-core and the Nu HTML checker, pinned in ``tests/browser/package.json``
  and installed into ``tests/browser/node_modules`` by ``make test``.
- java, for the Nu checker.

Where any is missing the tests are skipped, and ``-ra`` says why; with
``ASSAY_BROWSER_TESTS=required`` (CI sets it) they fail instead, so CI never
passes without running them.

One browser serves the whole session; each test gets a fresh context (its
own cookies). The live server needs ``transactional_db``, which empties the
database after each test, and with it the Editors and Reviewers groups the
migrations create: these tests run last, and each makes the groups again
(``editorial_groups``), as an earlier transactional test may have emptied
the database too.
"""

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import editorial_group

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
REQUIRED = os.environ.get("ASSAY_BROWSER_TESTS", "").lower() == "required"

# As the machine notes advise for headless Chromium as root on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def unavailable(reason):
    """Skip, or fail where the browser tests are required."""
    if REQUIRED:
        pytest.fail(f"{reason}; ASSAY_BROWSER_TESTS=required, so this is a failure", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser tests run last (after pytest-django's own ordering), each on a live server's database."""
    browser_items = [item for item in items if Path(str(item.path)).is_relative_to(HERE)]
    for item in browser_items:
        item.add_marker(pytest.mark.django_db(transaction=True))
    items[:] = [item for item in items if item not in browser_items] + browser_items


@pytest.fixture(autouse=True)
def editorial_groups(transactional_db):
    """The Editors and Reviewers groups with the permissions their migrations grant."""
    for name in ("Editors", "Reviewers"):
        editorial_group(name)


@pytest.fixture(scope="session")
def chromium_path():
    path = os.environ.get("ASSAY_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path or not Path(path).exists():
        unavailable("Chromium is not installed (apt-get install -y chromium, or set ASSAY_CHROMIUM)")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed (pip install -r requirements-dev.txt)")
    # Playwright's sync API keeps an event loop in this thread; Django refuses ORM calls from a
    # thread with a running loop unless told that this one is only a test driver.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def context(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def log_in(context, live_server):
    """A function that gives the browser context a session for a user, without typing the login form."""

    def log_in(user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies["sessionid"]
        context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])

    return log_in


# axe-core


@pytest.fixture(scope="session")
def axe_source():
    if not AXE_JS.exists():
        unavailable(f"axe-core is not installed in {NODE_MODULES} (make test runs npm ci there)")
    return AXE_JS.read_text(encoding="utf-8")


# axe-core's default rules (WCAG 2.0-2.2 A and AA, and best practices), plus target-size
# (WCAG 2.2 AA), which axe-core leaves off by default.
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}


def axe_violations(page, axe_source):
    """Every axe-core violation on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated by the browser's debugging protocol, which the page's strict CSP (no inline
        # script) does not govern; a <script> tag would be refused, as it should be.
        page.evaluate(axe_source + "\n;undefined")
    results = page.evaluate("async (options) => await window.axe.run(document, options)", AXE_OPTIONS)
    return results["violations"]


def describe_violations(violations):
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}) ×{len(v['nodes'])}: {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(node['target']) if node['target'] else '?'}: {node['html'][:160]}")
    return "\n".join(lines)


@pytest.fixture
def check_axe(axe_source):
    """A function of a page: a report of its axe-core violations, empty if there are none."""

    def check(page):
        violations = axe_violations(page, axe_source)
        return f"axe-core found on {page.url}:\n{describe_violations(violations)}" if violations else ""

    return check


@pytest.fixture
def assert_accessible(check_axe):
    def check(page):
        report = check_axe(page)
        assert not report, report

    return check


# The Nu HTML checker, run once per session as a local HTTP service.


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NuChecker:
    def __init__(self, url):
        self.url = url

    def errors(self, html):
        request = urllib.request.Request(  # noqa: S310 (a localhost URL built here)
            f"{self.url}?out=json",
            data=html.encode("utf-8"),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            messages = json.load(response)["messages"]
        return [m for m in messages if m["type"] in ("error", "non-document-error")]


def describe_nu_errors(errors, html):
    lines = html.splitlines()
    out = []
    for e in errors:
        line = e.get("lastLine")
        where = f"line {line}" if line else "document"
        out.append(f"{where}: {e['message']}")
        if line and line <= len(lines):
            out.append(f"    {lines[line - 1].strip()[:200]}")
    return "\n".join(out)


@pytest.fixture(scope="session")
def nu_checker():
    java = shutil.which("java")
    if not java:
        unavailable("java is not installed; the Nu HTML checker needs it")
    if not VNU_JAR.exists():
        unavailable(f"the Nu HTML checker (vnu-jar) is not installed in {NODE_MODULES}")
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [
            java,
            "-Xss4m",
            "-Dnu.validator.servlet.bind-address=127.0.0.1",
            "-cp",
            str(VNU_JAR),
            "nu.validator.servlet.Main",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).close()  # noqa: S310
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the Nu HTML checker did not start", pytrace=False)
                time.sleep(0.25)
        yield NuChecker(url)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def check_nu(nu_checker):
    """A function of an HTML text: a report of its Nu HTML checker errors, empty if there are none."""

    def check(html, where):
        errors = nu_checker.errors(html)
        return f"the Nu HTML checker found on {where}:\n{describe_nu_errors(errors, html)}" if errors else ""

    return check
