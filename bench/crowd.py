"""A whole class at once: N visitors press Train together on one small server.

The server is pinned to one core and the browsers to the other (`taskset`), as on a small host where the app
gets one core and the visitors' browsers must not eat it. One run of this script:
1. starts the app, waits until its first page has shown, and notes the server's memory;
2. warms up with one visitor (a full lecture run), then times one visitor alone (warm solo seconds);
3. N visitors (browser contexts) open Train together and, once every page has loaded, press Train at the same
   moment (`--press-when-ready`: each as soon as its own page is ready) on the lecture preset (5 epochs), wait for
   the end, then upload one real photo on Try it and wait for the answer, then close their tab;
4. waits for the server to let the closed sessions go and notes its memory again.
Prints one JSON object. Memory and CPU are for the server's whole process tree (training workers included).
A click's answer is timed three ways: by the benchmark (click_to_answer_s: from Playwright's click call), by the
page itself (page_click_to_answer_s: from the click event to the first frame drawn with the answer), and by the
server's side of the websocket (server_answer_s). All the tabs share one browser core, so the first two also
count the other tabs' drawing; a class on their own devices would see something nearer the third.

    .venv/bin/python bench/crowd.py --visitors 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from playwright.async_api import async_playwright  # noqa: E402

from tests.appserver import ROOT, launch_chromium, running_app  # noqa: E402

PHOTOS = ROOT.parent / "shared" / "real-photos"
TICK = 0.5  # seconds between looks at a visitor's page (30 tabs looked at 4 times a second share one core)
LOOK_TIMEOUT = 120  # seconds one look at a page may take before that visitor counts as hung
FINISHED = re.compile(r"Training (finished|stopped)")
ENDED = re.compile(r"Training (finished|stopped|failed)|broke down")
EXCEPTION = "[data-testid='stException']"
SETTINGS_DRAWN = ".st-key-hp_stop_loss_on input"  # the Train page's last setting: its sidebar has been drawn
# What the page's clock (CLICK_CLOCK, below) measured: milliseconds from the click to the answer drawn.
ANSWER_TIMING = "() => window.__answerSeenAt !== undefined && {ms: window.__answerSeenAt - window.__clickAt}"
WAITING_HINTS = re.compile("Upload a picture|Take a photo|Draw something first")  # Try it's empty states
# A cheap look at one page (the whole body's text is too slow on a busy browser core): the progress bar's text,
# the alerts' texts, and how many exception boxes there are. textContent, not innerText: innerText lays the page
# out first, in every tab at every look.
# With the live feed (app.py) the bar and its words are the live chart's own (.playground-live-status).
PROGRESS = """(document.querySelector('[data-testid="stProgress"]') ||
  document.querySelector('.playground-live-status:not([hidden])'))"""
PROBE = (
    """() => {
  const progress = """
    + PROGRESS
    + """;
  const alerts = [...document.querySelectorAll('[data-testid="stAlert"]')].map(a => a.textContent).join(' | ');
  return {progress: progress ? progress.textContent.trim() : '', alerts: alerts,
          exceptions: document.querySelectorAll('[data-testid="stException"]').length};
}"""
)
# After a click on Train, an answer is a progress bar (queued or training) or an alert about training.
ANSWERED = (
    """() => !!"""
    + PROGRESS
    + """ ||
  [...document.querySelectorAll('[data-testid="stAlert"]')].some(a => /Training|trainer|busy|too big/.test(a.innerText))
  || !!document.querySelector('[data-testid="stException"]')"""
)
# The same answer timed by the page's own clock, from the click event to the first frame drawn with the answer
# in it: what a visitor sees, without the benchmark's own overhead (Playwright's checks before a click and its
# polling after it travel through one busy browser process for all the tabs).
CLICK_CLOCK = (
    """
(() => {
  const answered = """
    + ANSWERED
    + """;
  document.addEventListener('click', (event) => {
    if (!event.target.closest('.st-key-train_button') || window.__clickAt !== undefined) return;
    window.__clickAt = performance.now();
    const look = () => {
      if (answered()) { requestAnimationFrame(() => { window.__answerSeenAt = performance.now(); }); }
      else { requestAnimationFrame(look); }
    };
    requestAnimationFrame(look);
  }, true);
})();
"""
)


# -- The server's process tree, from /proc ------------------------------------------------


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    todo += [int(child) for child in children.read().split()]
        except OSError:
            pass
    return pids


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024
    except (OSError, StopIteration):
        return 0.0


def tree_rss_mb(pid: int) -> float:
    total = 0
    for member in _tree(pid):
        try:
            with open(f"/proc/{member}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of the live tree, plus what its finished children used (reaped into the parents' counts)."""
    ticks = 0
    for index, member in enumerate(_tree(pid)):
        try:
            with open(f"/proc/{member}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
            if index == 0:
                ticks += int(fields[13]) + int(fields[14])  # cutime, cstime of the server
        except OSError:
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


def web_cpu_seconds(pid: int) -> float:
    """CPU time of the web process alone (its threads), without the training workers."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Sampler:
    """Samples the server tree's memory twice a second in the background; keeps the peaks (all, web process)."""

    def __init__(self, pid: int):
        self.pid, self.peak, self.peak_web, self._task = pid, 0.0, 0.0, None
        self.peak_parts: list[float] = []  # each process's MB at the peak, the web process first

    async def _loop(self):
        while True:
            parts = [_rss_mb(member) for member in _tree(self.pid)]
            if sum(parts) > self.peak:
                self.peak, self.peak_parts = sum(parts), [round(part, 1) for part in parts if part]
            self.peak_web = max(self.peak_web, parts[0])
            await asyncio.sleep(0.5)

    def start(self):
        self._task = asyncio.get_running_loop().create_task(self._loop())

    def stop(self):
        self._task.cancel()


# -- One visitor --------------------------------------------------------------------------


async def count_exceptions(page) -> int:
    return await page.locator(EXCEPTION).count() + await page.get_by_text("This app has encountered an error").count()


class SocketClock:
    """The times (browser network clock) at which a page's websocket frames went out and came in, via CDP.

    The server's part of a click's answer is from the click's request leaving the browser to the last frame of
    the burst that answers it; the rest of click-to-answer is the browser's own work (and, here, its queue for
    the one core that all the visitors' tabs share)."""

    BURST_GAP = 0.25  # seconds without a frame that end the answer to one request

    def __init__(self):
        self.sent: list[float] = []
        self.received: list[float] = []

    async def attach(self, context, page) -> None:
        cdp = await context.new_cdp_session(page)
        cdp.on("Network.webSocketFrameSent", lambda event: self.sent.append(event["timestamp"]))
        cdp.on("Network.webSocketFrameReceived", lambda event: self.received.append(event["timestamp"]))
        await cdp.send("Network.enable")

    def server_answer_seconds(self, sent_before: int) -> float | None:
        """For the first request sent after `sent_before` requests: seconds until its reply burst ended."""
        if len(self.sent) <= sent_before:
            return None
        request = self.sent[sent_before]
        replies = sorted(t for t in self.received if t >= request)
        if not replies:
            return None
        end = replies[0]
        for t in replies[1:]:
            if t - end > self.BURST_GAP:
                break
            end = t
        return round(end - request, 3)


async def visit(
    browser, url: str, photo: Path | None, timeout: float, together: asyncio.Barrier | None = None, later: float = 0
) -> dict:
    """Open Train, press Train (with the others, when `together` is given, `later` seconds after them), wait for
    the end; then upload a photo on Try it. Returns what was seen."""
    context = await browser.new_context(viewport={"width": 1280, "height": 1400})
    page = await context.new_page()
    page.set_default_timeout(timeout * 1000)  # 30 tabs on one browser core: even a link click can take a while
    result = {"finished": False, "exceptions": 0}
    clock = SocketClock()
    sockets = []  # the page's websockets to the app: more than one is a reconnection
    opened = time.perf_counter()
    # When each websocket opened and closed, and why the page says it closed (Streamlit's frontend logs
    # "WebSocket onclose: code=..., reason=..." and reconnects); seconds since this visitor opened the page.
    socket_events: list[str] = []

    def on_socket(socket) -> None:
        if "_stcore/stream" not in socket.url:
            return
        sockets.append(socket)
        socket_events.append(f"open {time.perf_counter() - opened:.1f}")
        socket.on("close", lambda _: socket_events.append(f"close {time.perf_counter() - opened:.1f}"))

    def on_console(message) -> None:
        if re.search(r"[Ww]eb[Ss]ocket|timed out", message.text):
            socket_events.append(f"{message.text[:120]} @{time.perf_counter() - opened:.1f}")

    page.on("websocket", on_socket)
    page.on("console", on_console)
    try:
        await clock.attach(context, page)
        await context.add_init_script(CLICK_CLOCK)
        await page.goto(url, timeout=timeout * 1000)  # a class opening at once loads slowly on one browser core
        button = page.locator(".st-key-train_button button:not([disabled])").first
        try:
            await button.wait_for(timeout=timeout * 1000)
            if together is not None:
                # Loaded as a visitor sees it: the settings too, which follow the first view. Pressing while ten
                # tabs on one core still draw their sidebars was measured to put every answer behind them (14-28 s
                # instead of 2.4-5.4 s); a visitor on their own device waits at most one sidebar (about a second).
                await page.locator(SETTINGS_DRAWN).wait_for(state="attached", timeout=timeout * 1000)
        finally:
            if together is not None:
                await together.wait()  # "now everybody press Train": after every page has loaded (or failed to)
        await asyncio.sleep(0.5 + later)  # let the frames of the page's own first run arrive before the click
        sent_before = len(clock.sent)
        clicked = time.perf_counter()
        await button.click()
        # The page clocks the answer itself; this only collects it, seldom: polling every tab every 50 ms was
        # measured to add 1-2 s to every tab's answer on the shared browser core, and polling at every animation
        # frame far more (10 tabs drawing 60 frames a second).
        timing = await page.wait_for_function(ANSWER_TIMING, timeout=timeout * 1000, polling=500)
        result["click_to_answer_s"] = round(time.perf_counter() - clicked, 2)
        result["server_answer_s"] = clock.server_answer_seconds(sent_before)
        result["page_click_to_answer_s"] = round((await timing.json_value())["ms"] / 1000, 3)
        result["clicked_at"] = clicked
        result["clicked_after_s"] = round(clicked - opened, 1)
        started, waits_seen, seen = None, [], {"progress": "", "alerts": ""}
        deadline = clicked + timeout
        while time.perf_counter() < deadline:
            # page.evaluate has no timeout of its own: a tab that stops answering must not hold the benchmark
            seen = await asyncio.wait_for(page.evaluate(PROBE), timeout=LOOK_TIMEOUT)
            if started is None and seen["progress"].startswith("Epoch "):
                started = time.perf_counter()
            if "queue" in seen["progress"]:
                waits_seen.append(seen["progress"])
            if ENDED.search(seen["alerts"]):
                break
            await asyncio.sleep(TICK)
        ended = time.perf_counter()
        result["finished"] = bool(FINISHED.search(seen["alerts"]))
        if not result["finished"]:
            result["ended_with"] = (seen["alerts"] or seen["progress"])[:300]  # what that visitor was told
        reported = re.search(r"Training (?:finished|stopped): .*?\((\d+) s\)", seen["alerts"])
        result["reported_training_s"] = int(reported.group(1)) if reported else None
        result["queue_wait_s"] = round((started or ended) - clicked, 2)
        result["training_s"] = round(ended - (started or clicked), 2)
        result["click_to_end_s"] = round(ended - clicked, 2)
        result["ended_at"] = ended
        result["ended_after_s"] = round(ended - opened, 1)
        result["queue_messages"] = waits_seen[:1] + waits_seen[-1:]
        result["exceptions"] += await count_exceptions(page)

        # A page that lost its session (its websocket away longer than the server keeps sessions) starts afresh.
        result["fresh_page_after_run"] = await page.get_by_text("Press Train to start").count() > 0
        if photo is not None:
            await page.get_by_role("link", name="Try it").click()
            await page.get_by_role("tab", name="Upload").click(timeout=timeout * 1000)
            uploaded = time.perf_counter()
            await page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(photo))
            # An answer is the model's verdict or a plain explanation (a photo where nothing stands out, say).
            answer = page.locator("[data-testid='stAlert']").filter(has_not_text=WAITING_HINTS)
            await answer.first.wait_for(timeout=120_000)
            result["photo_answer_s"] = round(time.perf_counter() - uploaded, 2)
            socket_events.append(f"photo uploaded {uploaded - opened:.1f}, answered {time.perf_counter() - opened:.1f}")
            text = await answer.first.inner_text()
            result["photo_answer"] = "verdict" if "The model is" in text else text[:80]
            result["exceptions"] += await count_exceptions(page)
    except Exception as error:  # a visitor that hangs or breaks is a result, not a crash of the benchmark
        result["error"] = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
        try:
            result["exceptions"] += await count_exceptions(page)
            await page.screenshot(path=str(ROOT / "artifacts" / f"crowd-error-{id(result)}.png"), full_page=True)
        except Exception:
            pass
    finally:
        # Closing the tab closes its websocket too: only what happened before this counts as a reconnection.
        socket_events.append(f"tab closing {time.perf_counter() - opened:.1f}")
        result["websocket_reconnections"] = max(0, len(sockets) - 1)
        result["websocket_events"] = list(socket_events) if len(sockets) > 1 else []
        await context.close()
    return result


async def memory_after_leaving(pid: int, seconds: float) -> dict:
    """Server memory over `seconds` after the last tab closed: sessions are let go after
    server.disconnectedSessionTTL, and an idle training worker exits after PLAYGROUND_WORKER_IDLE_SECONDS."""
    samples = []
    deadline = time.perf_counter() + seconds
    while True:
        samples.append(tree_rss_mb(pid))
        if time.perf_counter() >= deadline:
            break
        await asyncio.sleep(5)
    return {"at_close_mb": round(samples[0], 1), "end_mb": round(samples[-1], 1), "web_end_mb": round(_rss_mb(pid), 1)}


async def crowd(args) -> dict:
    photos = sorted(p for p in PHOTOS.glob("*/*") if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp"))
    os.sched_setaffinity(0, {args.browser_core})  # this script and its Chromium on one core...
    prefix = ("taskset", "-c", str(args.server_core))  # ...the server on the other
    extra = ("--server.disconnectedSessionTTL", str(args.session_ttl))
    report: dict = {
        "benchmark": "crowd",
        "visitors": args.visitors,
        "epochs": 5,
        "press": (
            "when each page is ready"
            if args.press_when_ready
            else f"together, once every page has loaded, spread over {args.spread:g} s"
        ),
    }
    async with async_playwright() as playwright:
        # The visitors' browser is already open when the teacher starts the app: only the app is timed.
        # Its first tab too: a new tab's renderer costs a busy core ~0.4 s, which is the browser's, not the app's.
        browser = await launch_chromium(playwright)
        first = await browser.new_page()
        await first.goto("about:blank")
        launched = time.perf_counter()
        script = ROOT / args.script
        with running_app(prefix=prefix, extra_args=extra, env=args.env, script=script) as (url, healthy_after, server):
            await first.goto(url)
            await first.locator(".st-key-train_button button:not([disabled])").first.wait_for(timeout=120_000)
            report["seconds_to_interactive_train_page"] = round(time.perf_counter() - launched, 2)
            await first.close()
            report["rss_first_page_mb"] = round(tree_rss_mb(server.pid), 1)
            sampler = Sampler(server.pid)
            sampler.start()

            warm = await visit(browser, url, photos[0] if photos else None, args.timeout)
            solo = await visit(browser, url, photos[1] if photos else None, args.timeout)
            report["warm_up"] = {k: v for k, v in warm.items() if k != "ended_at"}
            report["warm_solo_seconds"] = solo.get("click_to_end_s")
            report["solo"] = {k: v for k, v in solo.items() if k != "ended_at"}
            await asyncio.sleep(5)
            report["rss_before_crowd_mb"] = round(tree_rss_mb(server.pid), 1)
            report["rss_before_crowd_web_mb"] = round(_rss_mb(server.pid), 1)

            cpu_before, wall_before = tree_cpu_seconds(server.pid), time.perf_counter()
            web_before = web_cpu_seconds(server.pid)
            chosen = [photos[(i + 2) % len(photos)] if photos else None for i in range(args.visitors)]
            together = None if args.press_when_ready else asyncio.Barrier(args.visitors)
            # "Now press Train": a class does within a few seconds, not the same millisecond (--spread).
            later = [args.spread * i / max(1, args.visitors - 1) for i in range(args.visitors)]
            results = await asyncio.gather(
                *(
                    visit(browser, url, photo, args.timeout, together, delay)
                    for photo, delay in zip(chosen, later, strict=True)
                )
            )
            trained_until = max((r.get("ended_at", 0) for r in results), default=0) or time.perf_counter()
            first_click = min((r["clicked_at"] for r in results if "clicked_at" in r), default=wall_before)
            cpu_after = tree_cpu_seconds(server.pid)
            web_used = web_cpu_seconds(server.pid) - web_before
            wall = time.perf_counter() - wall_before
            sampler.stop()
            report["rss_peak_mb"] = round(sampler.peak, 1)
            report["rss_peak_web_process_mb"] = round(sampler.peak_web, 1)
            report["rss_peak_per_process_mb"] = sampler.peak_parts
            await browser.close()

            after = await memory_after_leaving(server.pid, args.settle)
            report["rss_after_tabs_closed_mb"] = after["end_mb"]
            report["rss_just_after_tabs_closed_mb"] = after["at_close_mb"]
            report["rss_after_tabs_closed_web_mb"] = after["web_end_mb"]
            report["rss_after_minus_before_mb"] = round(
                report["rss_after_tabs_closed_mb"] - report["rss_before_crowd_mb"], 1
            )
            finished = [r for r in results if r["finished"]]
            makespan = max((r["click_to_end_s"] for r in finished), default=None)
            report.update(
                {
                    "finished": len(finished),
                    "makespan_s": makespan,
                    "makespan_over_ten_solo": (
                        round(makespan / (args.visitors * report["warm_solo_seconds"]), 2)
                        if makespan and report["warm_solo_seconds"]
                        else None
                    ),
                    "slowest_click_to_answer_s": max((r.get("click_to_answer_s", 0) for r in results), default=None),
                    "slowest_page_click_to_answer_s": max(
                        (r.get("page_click_to_answer_s") or 0 for r in results), default=None
                    ),
                    "slowest_server_answer_s": max((r.get("server_answer_s") or 0 for r in results), default=None),
                    "slowest_photo_answer_s": max((r.get("photo_answer_s", 0) for r in results), default=None),
                    # From the first click on Train to the last run's end: is the server computing or waiting?
                    "server_cpu_share_while_training": round(
                        (cpu_after - cpu_before) / max(1e-9, trained_until - first_click), 2
                    ),
                    "server_cpu_share_whole_crowd": round((cpu_after - cpu_before) / wall, 2),
                    "cpu_seconds_web_process": round(web_used, 1),
                    "cpu_seconds_training_workers": round(cpu_after - cpu_before - web_used, 1),
                    "exceptions_seen": sum(r["exceptions"] for r in results) + warm["exceptions"] + solo["exceptions"],
                    "visitor_errors": [r["error"] for r in results if "error" in r],
                    "websocket_reconnections": sum(r.get("websocket_reconnections", 0) for r in results),
                    "sessions_lost": sum(bool(r.get("fresh_page_after_run")) for r in results),
                    "per_visitor": [
                        {
                            k: r.get(k)
                            for k in (
                                "queue_wait_s",
                                "training_s",
                                "reported_training_s",
                                "click_to_answer_s",
                                "page_click_to_answer_s",
                                "server_answer_s",
                                "photo_answer_s",
                                "photo_answer",
                                "queue_messages",
                                "websocket_reconnections",
                                "clicked_after_s",
                                "ended_after_s",
                                "websocket_events",
                                "fresh_page_after_run",
                                "ended_with",
                            )
                        }
                        for r in results
                    ],
                    "server_log_tail": _log_tail(),
                }
            )
    return report


def _log_tail() -> list[str]:
    logs = sorted((ROOT / "artifacts").glob("streamlit-*.log"), key=lambda p: p.stat().st_mtime)
    if not logs:
        return []
    lines = logs[-1].read_text(errors="replace").splitlines()
    noise = re.compile(r"missing ScriptRunContext|absl::InitializeLog")  # said at every start, harmless
    wanted = re.compile(r"Error|Traceback|WARNING|[Ss]ession")  # failures, and sessions lost or reconnected
    return [line for line in lines if wanted.search(line) and not noise.search(line)][-10:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=10)
    parser.add_argument("--script", default="app.py", help="what `streamlit run` starts (streamlit_app.py: no feed)")
    parser.add_argument(
        "--press-when-ready",
        action="store_true",
        help="each visitor presses Train as soon as its own page is ready (the default: all together, once loaded)",
    )
    parser.add_argument(
        "--spread",
        type=float,
        default=0,
        help="seconds over which the visitors press, evenly (default 0: at the same moment)",
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds a visitor waits for its run at most")
    parser.add_argument("--server-core", type=int, default=0)
    parser.add_argument("--browser-core", type=int, default=1)
    parser.add_argument("--session-ttl", type=int, default=120, help="server.disconnectedSessionTTL, seconds")
    parser.add_argument("--settle", type=float, default=150, help="seconds to watch memory after tabs close")
    parser.add_argument("--env", type=json.loads, default={}, help="extra server environment, as JSON")
    args = parser.parse_args()
    (ROOT / "artifacts").mkdir(exist_ok=True)
    print(json.dumps(asyncio.run(crowd(args))))


if __name__ == "__main__":
    main()
