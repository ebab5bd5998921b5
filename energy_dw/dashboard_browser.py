"""Drive the dashboards in headless Chromium: serve the app, open a page, wait for its full render,
read its cards, set its filters. Shared by the browser tests (tests/browser/) and the render
benchmark (`python -m energy_dw.bench_dashboard`).

Chromium is Debian's (`/usr/bin/chromium`, or $CHROMIUM), driven by Playwright's Python package
through `executable_path`: no browser is downloaded. The flags keep it off the network (the
machine's network is closed; without them Chromium's background connections are refused).

"Rendered" means: the websocket delivered the end of the script run (Streamlit's
`script_finished` message, counted here in Python so a fast run cannot be missed), and then the
page shows no running indicator, no stale element, no skeleton, a page title, and every chart and
data frame has drawn its canvas or SVG.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.pages import PAGES as _PAGES

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "dashboard" / "app.py"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
# how often the render check runs while a page draws (each check makes Chromium lay out the page)
POLL_MS = 25
# url path -> the title the navigation gives the page (dashboard/pages.py; the page's <h1> is its
# own, set by the view), every page but home, in the navigation's order.
PAGES = {url: page.title for url, page in _PAGES.items()}
# Input widgets a person can change; a page's filters are the ones of these that have a key.
WIDGETS = (
    "stSlider",
    "stSelectSlider",
    "stMultiSelect",
    "stSelectbox",
    "stDateInput",
    "stRadio",
    "stCheckbox",
    "stToggle",
    "stTextInput",
    "stNumberInput",
    "stSegmentedControl",
    "stPills",
    "stButtonGroup",
)

RENDERED_JS = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return 'no app';
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return 'not connected';
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return 'script running';
  if (document.querySelector('[data-testid="stStatusWidget"]')) return 'status widget';
  if (document.querySelector('[data-testid="stSkeleton"]')) return 'skeleton';
  if (document.querySelector('[data-stale="true"]')) return 'stale elements';
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main || !main.querySelector('h1')) return 'no title';
  // drawn: what a person can see now (not in a closed expander or another tab)
  const shown = e => e.offsetParent !== null && e.getClientRects().length > 0
    && !e.closest('details:not([open])');
  for (const chart of main.querySelectorAll(
      '[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]')) {
    if (shown(chart) && !chart.querySelector('canvas, svg')) return 'chart not drawn';
  }
  for (const frame of main.querySelectorAll('[data-testid="stDataFrame"]')) {
    if (shown(frame) && !frame.querySelector('canvas')) return 'frame not drawn';
  }
  return '';
}
"""

CARDS_JS = """
() => Array.from(document.querySelectorAll('[data-testid="stMain"] [data-testid="stMetric"]'))
  .map(m => [
    (m.querySelector('[data-testid="stMetricLabel"]')?.innerText ?? '').trim(),
    (m.querySelector('[data-testid="stMetricValue"]')?.innerText ?? '').trim(),
  ])
"""

FILTERS_JS = """
(kinds) => {
  const found = [];
  for (const box of document.querySelectorAll('[data-testid="stMain"] [class*="st-key-"]')) {
    const key = Array.from(box.classList).find(c => c.startsWith('st-key-'));
    const kind = kinds.find(k => box.querySelector(`[data-testid="${k}"]`));
    if (key && kind) found.push([key.slice('st-key-'.length), kind]);
  }
  return found;
}
"""

ERRORS_JS = """
() => {
  const out = [];
  for (const e of document.querySelectorAll('[data-testid="stException"]'))
    out.push('exception: ' + e.innerText.slice(0, 500));
  for (const e of document.querySelectorAll('[data-testid="stAlertContentError"]'))
    out.push('error: ' + e.innerText.slice(0, 500));
  // a URL the app does not serve: Streamlit runs the default page under a dialog
  for (const e of document.querySelectorAll('[data-testid="stDialog"]'))
    if (/page not found/i.test(e.innerText)) out.push('dialog: ' + e.innerText.slice(0, 200));
  return out;
}
"""


REVEAL_JS = """
(box) => {
  // the outermost inactive tab panel around the widget: mark the tab that opens it
  let panel = null;
  for (let e = box; e; e = e.parentElement)
    if (e.matches('[data-testid="stTabPanel"][data-st-inactive]')) panel = e;
  if (!panel) return false;
  const tabs = panel.closest('[data-testid="stTabs"]');
  const own = sel => Array.from(tabs.querySelectorAll(sel))
    .filter(e => e.closest('[data-testid="stTabs"]') === tabs);
  const index = own('[data-testid="stTabPanel"]').indexOf(panel);
  const tab = own('[data-testid="stTab"]')[index];
  if (!tab) return false;
  tab.setAttribute('data-reveal-tab', '1');
  return true;
}
"""


PAGE_HEIGHT_JS = """
() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const block = document.querySelector('[data-testid="stMainBlockContainer"]');
  const header = document.querySelector('[data-testid="stHeader"]');
  const below = block ? block.getBoundingClientRect().height : 0;
  return Math.ceil(Math.max(main ? main.scrollHeight : 0,
                            below + (header ? header.getBoundingClientRect().height : 0)));
}
"""


class DashboardError(AssertionError):
    """The app did not start, a page did not render in time, or a widget could not be set."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@contextlib.contextmanager
def serve(
    duckdb_path: Path | str | None,
    dbt_target_path: Path | str | None,
    *,
    port: int | None = None,
    log: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 60,
) -> Iterator[Server]:
    """The app as `make dashboard` serves it (dashboard.serve: `streamlit run dashboard/app.py`
    with its modules preloaded) on 127.0.0.1 over one warehouse; always stopped after.

    No file watcher: a view edited while the app runs must not put a "source changed" prompt on
    the page under test.
    """
    port = port or free_port()
    if log is None:
        log = Path(tempfile.mkstemp(prefix="dashboard-", suffix=".log")[1])
    environment = dict(os.environ if env is None else env)
    environment.pop("DASHBOARD_TARGET", None)
    if duckdb_path is not None:
        environment["DASHBOARD_DUCKDB_PATH"] = str(duckdb_path)
    if dbt_target_path is not None:
        environment["DASHBOARD_DBT_TARGET_PATH"] = str(dbt_target_path)
    command = [
        sys.executable,
        "-m",
        "dashboard.serve",  # `streamlit run dashboard/app.py`, its modules preloaded
        "--server.headless=true",
        "--server.address=127.0.0.1",
        f"--server.port={port}",
        "--server.fileWatcherType=none",
        "--server.runOnSave=false",
        "--browser.gatherUsageStats=false",
        "--client.toolbarMode=minimal",
    ]
    with open(log, "w") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise DashboardError(
                    f"streamlit exited with {process.returncode}:\n{server.log_tail()}"
                )
            try:
                with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise DashboardError(
                    f"streamlit did not answer in {timeout:.0f} s:\n{server.log_tail()}"
                )
            time.sleep(0.2)
        yield server
    finally:
        stop(process)


def stop(process: subprocess.Popen, grace: float = 10) -> None:
    """Stop the process group the server was started in (its own session: only its children)."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def chromium_missing() -> str | None:
    """Why the browser cannot run, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: `make test-dashboard` installs Debian's chromium package"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright Python package is missing: run `make venv`"
    return None


@contextlib.contextmanager
def browser_context(playwright) -> Iterator:
    """A headless Chromium context on a fresh --user-data-dir, removed afterwards."""
    profile = Path(tempfile.mkdtemp(prefix="dashboard-chromium-"))
    context = None
    try:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
            device_scale_factor=1,
        )
        yield context
    finally:
        if context is not None:
            context.close()
        shutil.rmtree(profile, ignore_errors=True)


@dataclass
class Runs:
    """Script runs the server finished for one browser tab, counted from its websocket."""

    finished: int = 0
    failed: list[str] = field(default_factory=list)
    started_at: float = 0.0
    last_script_seconds: float = float("nan")

    def on_frame(self, payload) -> None:
        if isinstance(payload, str):
            return
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        message = ForwardMsg()
        try:
            message.ParseFromString(payload)
        except Exception:  # noqa: BLE001 - not a ForwardMsg: ignore
            return
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self.started_at = time.perf_counter()
        elif kind == "script_finished":
            status = message.script_finished
            if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                self.failed.append("compile error")
            if status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                self.finished += 1
                self.last_script_seconds = time.perf_counter() - self.started_at


class DashboardPage:
    """One browser tab on the app, counting the script runs its websocket reports."""

    def __init__(self, context, base_url: str):
        self.base_url = base_url
        self.page = context.new_page()
        self.runs = Runs()
        self.page.on(
            "websocket", lambda ws: ws.on("framereceived", lambda p: self.runs.on_frame(p))
        )

    def open(self, path: str, timeout: float = 60) -> float:
        """Navigate to /<path> and wait for the full render; return the seconds it took."""
        before = self.runs.finished
        start = time.perf_counter()
        self.page.goto(f"{self.base_url}/{path}", wait_until="commit", timeout=timeout * 1000)
        self.wait_rendered(before, timeout)
        return time.perf_counter() - start

    def go(self, path: str, timeout: float = 60) -> float:
        """Follow the navigation's link to /<path> in the same session (the filters kept, as a
        reader moving between the pages of a report); return the seconds to its full render."""
        before = self.runs.finished
        start = time.perf_counter()
        self.page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').click()
        self.wait_rendered(before, timeout)
        self.settle()
        if not self.page.url.rstrip("/").endswith(f"/{path}"):
            raise DashboardError(f"followed the link to {path}, the tab shows {self.page.url}")
        return time.perf_counter() - start

    def wait_rendered(self, runs_before: int, timeout: float = 60) -> None:
        """Wait for a script run after `runs_before` to finish, then for the DOM to settle."""
        deadline = time.monotonic() + timeout
        why = "no script run finished"
        while time.monotonic() < deadline:
            if self.runs.finished > runs_before:
                why = self.page.evaluate(RENDERED_JS)
                if not why:
                    return
            self.page.wait_for_timeout(POLL_MS)
        raise DashboardError(f"{self.page.url} did not render in {timeout:.0f} s: {why}")

    def settle(self, timeout: float = 60, quiet: float = 0.4) -> None:
        """After an interaction: wait until the reruns it caused finished and none follows."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            count = self.runs.finished
            self.page.wait_for_timeout(quiet * 1000)
            if self.runs.finished == count and not self.page.evaluate(RENDERED_JS):
                return
        raise DashboardError(f"{self.page.url} did not settle in {timeout:.0f} s")

    # what the page shows

    def title(self) -> str:
        return self.page.inner_text('[data-testid="stMain"] h1').strip()

    def cards(self) -> dict[str, str]:
        """Every st.metric of the page: label -> value text. A label twice is an error."""
        pairs = self.page.evaluate(CARDS_JS)
        labels = [label for label, _ in pairs]
        twice = sorted({label for label in labels if labels.count(label) > 1})
        if twice:
            raise DashboardError(f"{self.page.url}: card labels shown twice: {twice}")
        return dict(pairs)

    def errors(self) -> list[str]:
        """Tracebacks (stException) and error alerts on the page."""
        return self.page.evaluate(ERRORS_JS)

    def filters(self) -> dict[str, str]:
        """The page's input widgets that have a key: key -> Streamlit widget kind."""
        return dict(self.page.evaluate(FILTERS_JS, list(WIDGETS)))

    def screenshot(self, path: Path, max_height: int = 20000) -> Path:
        """The whole page as a PNG. Streamlit scrolls inside its main area, not the document, so
        the window is made as tall as the page for the shot, then set back."""
        path.parent.mkdir(parents=True, exist_ok=True)
        height = self.page.evaluate(PAGE_HEIGHT_JS)
        size = self.page.viewport_size or VIEWPORT
        tall = min(max(height, size["height"]), max_height)
        if tall > size["height"]:
            self.page.set_viewport_size({"width": size["width"], "height": tall})
            self._redrawn()
        try:
            self.page.screenshot(path=str(path), full_page=True)
        finally:
            if tall > size["height"]:
                self.page.set_viewport_size(size)
                self._redrawn()
        return path

    def _redrawn(self, timeout: float = 30) -> None:
        """After a resize (no script run): every chart and table drawn again."""
        deadline = time.monotonic() + timeout
        self.page.wait_for_timeout(300)
        while self.page.evaluate(RENDERED_JS) and time.monotonic() < deadline:
            self.page.wait_for_timeout(50)

    # setting filters, as a person would: with the mouse and the keyboard

    def widget(self, key: str):
        """The widget with this key, brought into view (its tab opened, if it is in one)."""
        box = self.page.locator(f'[data-testid="stMain"] .st-key-{key}')
        if box.count() != 1:
            raise DashboardError(f"{self.page.url}: {box.count()} widgets with key {key!r}")
        for _ in range(3):
            if box.is_visible() or not box.evaluate(REVEAL_JS):
                break
            self.page.locator("[data-reveal-tab]").click()
            self.page.evaluate(
                "() => document.querySelector('[data-reveal-tab]')"
                "?.removeAttribute('data-reveal-tab')"
            )
        box.scroll_into_view_if_needed()
        return box

    def _change(self, action) -> None:
        before = self.runs.finished
        action()
        self.wait_rendered(before)
        self.settle()

    def set_range(self, key: str, start: str, end: str) -> None:
        """A select_slider / slider range: move the thumbs with the keyboard to the option texts.

        The start thumb goes to the first option first, so the end thumb can move either way.
        """
        thumbs = self.widget(key).locator('input[type="range"]')
        if thumbs.count() != 2:
            raise DashboardError(f"slider {key}: {thumbs.count()} thumbs, a range has 2")

        def move() -> None:
            thumbs.nth(0).focus()
            thumbs.nth(0).press("Home")
            self._seek(key, thumbs.nth(1), end)
            self._seek(key, thumbs.nth(0), start)
            thumbs.nth(0).blur()

        self._change(move)
        shown = (
            thumbs.nth(0).get_attribute("aria-valuetext"),
            thumbs.nth(1).get_attribute("aria-valuetext"),
        )
        if shown != (start, end):
            raise DashboardError(f"slider {key}: asked for {(start, end)}, shows {shown}")

    def set_value(self, key: str, target: str) -> None:
        """A single-thumb select_slider / slider: move it to the option text."""
        thumb = self.widget(key).locator('input[type="range"]').first
        self._change(lambda: self._seek(key, thumb, target))

    def _seek(self, key: str, thumb, target: str) -> None:
        """Press the arrow keys until the thumb shows `target`: leftwards first, then rightwards.

        The slider sends its value once the keys stop (Streamlit debounces it): one rerun.
        """
        handle = thumb.element_handle()
        handle.focus()
        read = "e => [e.value, e.getAttribute('aria-valuetext')]"
        for direction in ("ArrowLeft", "ArrowRight"):
            while True:
                value, text = handle.evaluate(read)
                if text == target:
                    return
                self.page.keyboard.press(direction)
                if handle.evaluate(read)[0] == value:
                    break
        raise DashboardError(f"slider {key}: no option {target!r}")

    def chosen(self, key: str) -> list[str]:
        """The options a multiselect shows as chosen (its tags)."""
        tags = self.widget(key).locator(".react-aria-ComboBox [data-tag]")
        return [tags.nth(i).get_attribute("aria-label") for i in range(tags.count())]

    def choose(self, key: str, options: list[str]) -> None:
        """A multiselect: remove the chosen options, pick each of `options` by typing its text,
        then click elsewhere (the widget sends its value when it loses the focus)."""
        if self.chosen(key) == list(options):
            return

        def pick() -> None:
            box = self.widget(key)
            for tag in self.chosen(key):
                box.locator(f'.react-aria-ComboBox button[aria-label="Remove {tag}"]').click()
            field_ = box.locator('input[role="combobox"]')
            for option in options:
                field_.click()
                field_.fill(option)
                self.page.get_by_role("option", name=option, exact=True).first.click()
            self.page.keyboard.press("Escape")
            self._leave()

        self._change(pick)
        if self.chosen(key) != list(options):
            raise DashboardError(
                f"multiselect {key}: asked for {options}, shows {self.chosen(key)}"
            )

    def _leave(self) -> None:
        """Take the focus away from a widget: click the page title."""
        self.page.locator('[data-testid="stMain"] h1').first.click()

    def set_date(self, key: str, day) -> None:
        """A date_input: type the year, month and day into its segments, then leave the field."""
        box = self.widget(key)
        value = box.locator('input[type="date"]')
        if value.input_value() == day.isoformat():
            return

        def type_day() -> None:
            for kind, text in (("year", f"{day.year:04d}"), ("month", f"{day.month:02d}")) + (
                ("day", f"{day.day:02d}"),
            ):
                box.locator(f'[role="spinbutton"][data-type="{kind}"]').click()
                self.page.keyboard.type(text)
            self._leave()  # the field sends its value when it loses the focus

        self._change(type_day)
        if value.input_value() != day.isoformat():
            raise DashboardError(f"date {key}: asked for {day}, shows {value.input_value()}")

    def select(self, key: str, option: str) -> None:
        """A selectbox: open it, type the option's text and pick it."""
        field_ = self.widget(key).locator('input[role="combobox"]')
        if field_.input_value() == option:
            return

        def pick() -> None:
            field_.click()
            field_.fill(option)
            self.page.get_by_role("option", name=option, exact=True).first.click()

        self._change(pick)
        if field_.input_value() != option:
            raise DashboardError(
                f"selectbox {key}: asked for {option!r}, shows {field_.input_value()!r}"
            )


def compare_cards(shown: Mapping[str, str], expected: Mapping[str, str]) -> list[str]:
    """What differs between the cards a page shows and the warehouse's figures, one line each.

    Every expected card must be shown with exactly the expected text, and every card shown must be
    expected (a figure nobody checks is not allowed on a page). Empty: they agree.
    """
    problems = []
    for label, text in expected.items():
        if label not in shown:
            problems.append(f"{label!r}: not on the page (expected {text!r})")
        elif shown[label] != text:
            problems.append(f"{label!r}: page shows {shown[label]!r}, warehouse gives {text!r}")
    for label, text in shown.items():
        if label not in expected:
            problems.append(f"{label!r}: shown ({text!r}) but not checked against the warehouse")
    return problems
