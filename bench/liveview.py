"""The live view as one visitor sees it, on a slow machine: headless Chromium with its CPU slowed through DevTools.

`Emulation.setCPUThrottlingRate` (`--throttle`, default 4: the slowdown Lighthouse uses for its mobile audits)
slows the tab's main thread. One warm-up run first (TensorFlow loaded in the worker), then the measured run of the
lecture preset (`--epochs`, default 15) in a fresh tab of the same browser. That tab has a browser context of its
own, so nothing is in its cache: a visitor's first visit, when the browser compiles plotly.js too. `--returning`:
the warm-up runs in the measured tab's context, so the page's scripts come from its cache, compiled (a visitor
back another day). Prints one JSON object:
- first_answer_s: the click on Train -> its answer (the progress bar) drawn;
- run_s: the click -> "Training finished" drawn;
- chart_changes_per_s and longest_gap_s: read by an in-page sampler from the plot's own data, whenever Plotly
  says it drew (its plotly_afterplot and plotly_animated events) and every 200 ms
  (`.st-key-live_chart .js-plotly-plot`'s first trace), between the first change and the run's end (and
  chart_changes_per_s_mid_run: in the MID_RUN_SECONDS window below); longest_gap_at_s: where that gap began,
  seconds after the click (run_s is the run's end);
- plot_mounts: how many different plot elements the live chart had during the run (1 = mounted once);
- main_thread_busy: CDP Performance.getMetrics TaskDuration over the run's wall time (from the click to the first
  frame that shows "Training finished", in the page's own clock, with the busy counter read at that moment from
  samples taken every 0.1 s: plotly.js loaded and the first figure drawn at the start, the bench's own clicks below,
  the run's end); main_thread_busy_to_noticed: the control, the same share to when the bench noticed the alert
  (noticed_after_s later; the reading before session 20): the page's work after the alert's frame (the results' rerun)
  is not the run's; main_thread_busy_mid_run: the same over MID_RUN_SECONDS mid-run; main_thread_busy_by_part: the run
  in its parts (the click to a third of the epochs, that quiet window, the bench's clicks, the rest), seconds and busy
  share of each; sampler_busy: the control, what the sampler above adds to that share (measured on the finished page,
  with and without it): the harness's part of both. `--no-clicks` is the other control: the same run without the
  expander click and the zoom (and Playwright's polling for them);
- results_drawn_s: "Training finished" -> the results' first charts (RESULTS) drawn, what a visitor waits after
  the run; results_busy_s: the main thread's busy seconds from the alert's frame until then;
- expander_open_s: a click on the "Model summary" expander mid-run -> its content shown, as Playwright times it
  (expander_open_idle_s: the control, the same click at the same throttle before the run);
  expander_open_in_page_s and expander_open_idle_in_page_s: the same clicks timed in the page, from the input
  event's time stamp to the first frame that shows the content: what a visitor waits. The difference is
  Playwright's own part (its checks before it clicks, its polling of a busy page), not the app's;
- zoom_kept: a drag-zoom on the top panel mid-run, read back from the plot's layout after the next two updates;
- feed_draw_ms: what the live chart's own draws took during the run (script and the frame it changed; median, 90th
  percentile, how many), as live_chart.js records them: most append batch points to the lines alone;
- plot_redraw_ms: the control, one full Plotly redraw of the finished live plot (extendTraces + its frame), median
  of 5;
- websocket_kb: what the server sent the tab during the run; feed_looks and feed_kb: the live chart's own
  requests to the live feed (playground.server.live_feed) and what they brought.

    python bench/liveview.py                  # throttled 4x
    python bench/liveview.py --throttle 1     # unthrottled
    python bench/liveview.py --script streamlit_app.py   # without the live feed: the page reruns to bring news
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.appserver import ROOT, launch_chromium, server_environment  # noqa: E402

PLOT = ".st-key-live_chart .js-plotly-plot"
VIEWPORT = {"viewport": {"width": 1400, "height": 1000}}
SAMPLER_CONTROL_SECONDS = 3.0  # each of four windows on the finished page, with and without the sampler
RESULTS = ("accuracy_bars", "confusion", "cell_images")  # the results' charts a visitor sees first (their keys)
RESULTS_DRAWN = """(keys) => new Promise(resolve => {
  const look = () => keys.every(key => document.querySelector(`.st-key-${key} .js-plotly-plot .main-svg`))
    ? resolve(performance.now()) : requestAnimationFrame(look);
  look();
})"""
THIRD_LOOK_S = 0.25  # asking the page whether a third of the epochs are done, or whether the run has ended
END_SAMPLE_S = 0.1  # the busy counter's samples while the bench waits (the run's end is read between two of them)
MID_RUN_SECONDS = 5.0  # a window mid-run, nothing clicked: the live view's own cost, without the run's start or end
SAMPLER = """() => {
  const seen = new WeakSet();
  window.__live = {changes: [], mounts: 0, last: null, events: 0};
  const check = (fromEvent) => {
    if (fromEvent === true) window.__live.events += 1;
    const plot = document.querySelector('PLOT');
    if (!plot) return;
    if (!seen.has(plot)) {
      seen.add(plot);
      window.__live.mounts += 1;
      if (plot.on) ['plotly_afterplot', 'plotly_animated'].forEach(name => plot.on(name, () => check(true)));
    }
    const trace = plot._fullData && plot._fullData[0];
    const n = trace && trace.x ? trace.x.length : 0;
    const state = n ? n + ':' + trace.y[n - 1] : null;
    if (n) window.__live.x = trace.x[n - 1]; // epochs done, as the chart's x axis counts them
    if (state && state !== window.__live.last) {
      window.__live.changes.push(performance.now());
      window.__live.last = state;
    }
  };
  window.__sampler = setInterval(check, 200);
  // The run's end in the page's own clock: the first frame that shows "Training finished" (the mutation that adds
  // it is seen in the same task, its frame is the next animation frame), not when Playwright, polling a busy tab,
  // notices it: the page's end-of-run work (the results) can lie between the two.
  const finished = () => [...document.querySelectorAll("[data-testid='stAlertContentSuccess']")]
    .some(e => e.textContent.includes('Training finished'));
  const watch = new MutationObserver(() => {
    if (!finished()) return;
    watch.disconnect(); // seen once: no more calls
    requestAnimationFrame(() => { window.__live.finished = performance.now(); });
  });
  watch.observe(document.body, {childList: true, subtree: true}); // not attributes: the chart's own draws change those
}""".replace("PLOT", PLOT)
# The control: one redraw of the finished live plot (Plotly.extendTraces of one point a trace, then the frame it
# changed), at the tab's throttle. A chart changing k times a second keeps the main thread at least k times this busy.
# With the plotly.js that drew the plot (live_chart.js's own): once the results are drawn, window.Plotly is
# Streamlit's copy, whose calls on a plot the other copy drew can fail.
REDRAW = f"""async () => {{
  const plot = document.querySelector('{PLOT}');
  const Plotly = await window.__playgroundPlotly;
  const times = [];
  for (let i = 0; i < 5; i++) {{
    const x = plot.data.map(t => [t.x[t.x.length - 1]]), y = plot.data.map(t => [t.y[t.y.length - 1]]);
    const started = performance.now();
    await Plotly.extendTraces(plot, {{x, y}}, plot.data.map((_, j) => j));
    await new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)));
    times.push(performance.now() - started);
  }}
  return times.sort((a, b) => a - b)[2];
}}"""
# The expander's clicks timed in the page as well: from the input event's own time stamp (when the browser got it,
# so a busy main thread's delay counts) to the first frame in which the summary's content is shown. The
# Playwright-timed figures hold Playwright's own work besides (its checks before it clicks, and its polling of the
# page for the content, which waits behind whatever the slowed main thread is doing): the control for them.
SUMMARY_TEXT = "Each weight is a number"  # the start of the "Model summary" expander's caption
EXPANDER_WATCH = """() => {
  window.__expanderShown = [];
  const shown = () => [...document.querySelectorAll('p')].some(
    (p) => p.textContent.startsWith('SUMMARY_TEXT') && p.checkVisibility() && p.getBoundingClientRect().height > 0);
  document.addEventListener('pointerdown', (event) => {
    if (!event.target.closest('summary') || shown()) return;
    const frame = () => shown() ? window.__expanderShown.push(performance.now() - event.timeStamp)
                                : requestAnimationFrame(frame);
    requestAnimationFrame(frame);
  }, true);
}""".replace("SUMMARY_TEXT", SUMMARY_TEXT)
XRANGE = f"""() => {{
  const plot = document.querySelector('{PLOT}');
  return plot && plot._fullLayout ? [plot._fullLayout.xaxis.range.map(Number), window.__live.changes.length] : null;
}}"""


def start_server(port: int, script: str = "app.py") -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / script), "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        env={**server_environment(), "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("streamlit did not start")


def open_train(page, url: str, epochs: int) -> None:
    page.goto(f"{url}/?epochs={epochs}")  # the lecture model is the default
    page.locator(".st-key-train_button button:not([disabled])").first.wait_for(timeout=120_000)
    page.get_by_text("Loading the settings").wait_for(state="detached", timeout=60_000)
    time.sleep(1.0)


def warm_up(browser, url: str, context=None) -> None:
    """One short run, in its own context unless `context` is given (then it fills that context's cache)."""
    page = context.new_page() if context is not None else browser.new_page(**VIEWPORT)
    open_train(page, url, 1)
    page.locator(".st-key-train_button button").first.click()
    page.get_by_test_id("stAlertContentSuccess").get_by_text("Training finished").first.wait_for(timeout=180_000)
    page.close()


def wait_in_page(page, condition: str, timeout: float, sample):
    """Ask the page every THIRD_LOOK_S until `condition` (a script) gives something true, and return that: one
    cheap evaluation a look; `sample()` (the busy counter's) every END_SAMPLE_S meanwhile."""
    deadline, looked = time.monotonic() + timeout, 0.0
    while True:
        if time.monotonic() - looked >= THIRD_LOOK_S:
            looked = time.monotonic()
            value = page.evaluate(condition)
            if value:
                return value
        if time.monotonic() > deadline:
            raise TimeoutError(condition)
        time.sleep(END_SAMPLE_S)
        sample()


def busy_seconds(cdp) -> float:
    return busy_sample(cdp)[1]


def busy_sample(cdp) -> tuple[float, float]:
    """(the browser's monotonic clock in ms, the tab's main-thread busy seconds so far) from one getMetrics."""
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return metrics["Timestamp"] * 1000, metrics["TaskDuration"]


def page_clock_offset(page, cdp) -> float:
    """getMetrics' Timestamp (ms) minus the page's performance.now(): both count from the same monotonic clock, so
    this maps a time the page recorded onto the busy samples (to within the few ms the three calls take)."""
    before = page.evaluate("() => performance.now()")
    stamp, _ = busy_sample(cdp)
    after = page.evaluate("() => performance.now()")
    return stamp - (before + after) / 2


def busy_at(samples: list[tuple[float, float]], when: float) -> float:
    """The busy seconds at `when` (the browser's clock, ms), straight between the samples either side of it."""
    for (t0, b0), (t1, b1) in zip(samples, samples[1:], strict=False):
        if t0 <= when <= t1:
            return b0 + (b1 - b0) * (when - t0) / (t1 - t0) if t1 > t0 else b1
    raise ValueError("no busy samples around the run's end")


def timed_click(page, locator, done) -> float:
    """Seconds from a click to `done()` (a Playwright wait) returning."""
    started = time.perf_counter()
    locator.click()
    done()
    return time.perf_counter() - started


def try_zoom(page) -> dict:
    """Drag across the middle of the top panel, then read the x range back after the next two chart changes."""
    before = None
    while before is None:
        before = page.evaluate(XRANGE)
    box, last = None, False
    while box is None or box != last:  # None while a plot mounted afresh replaces the last one; moving while an
        last = box  # expander above it opens
        time.sleep(0.1)
        box = page.locator(f"{PLOT} .nsewdrag").first.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.3, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.45, y, steps=5)
    page.mouse.move(box["x"] + box["width"] * 0.6, y, steps=5)
    page.mouse.up()
    now = None
    while now is None:  # a plot mounted afresh at this moment has no layout yet
        now = page.evaluate(XRANGE)
    zoomed, changes = now
    ranges = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(ranges) < 2:
        now = page.evaluate(XRANGE)
        if now is None:  # the plot is being replaced this moment
            time.sleep(0.05)
            continue
        if now[1] > changes + len(ranges):
            ranges.append(now[0])
        time.sleep(0.05)
    zoomed_in = zoomed[1] - zoomed[0] < 0.9 * (before[0][1] - before[0][0])  # the drag took (not lost to a remount)
    same = all(max(abs(a - b) for a, b in zip(r, zoomed, strict=True)) < 1e-6 for r in ranges)
    kept = zoomed_in and len(ranges) == 2 and same
    zoomed = [round(v, 3) for v in zoomed]
    return {"zoomed_from": before[0], "zoomed_to": zoomed, "after_two_updates": ranges, "kept": kept}


def sampler_cost(page, cdp) -> float:
    """The control: the busy share the bench's own sampler adds to the tab (on the finished page, at the throttle):
    part of main_thread_busy (and of its mid-run window) is the harness's, not the app's."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the results are drawn first: the page quiet for a second
        before = busy_seconds(cdp)
        time.sleep(1.0)
        if busy_seconds(cdp) - before < 0.05:
            break
    shares = []
    for sampling in (True, False, True, False):
        page.evaluate(SAMPLER if sampling else "() => clearInterval(window.__sampler)")
        time.sleep(0.5)
        before, started = busy_seconds(cdp), time.perf_counter()
        time.sleep(SAMPLER_CONTROL_SECONDS)
        shares.append((busy_seconds(cdp) - before) / (time.perf_counter() - started))
    return (shares[0] + shares[2] - shares[1] - shares[3]) / 2


def percentiles(values: list[float]) -> dict | None:
    if not values:
        return None
    ordered = sorted(values)
    return {"median": ordered[len(ordered) // 2], "p90": ordered[int(0.9 * (len(ordered) - 1))], "n": len(ordered)}


def measure(browser, url: str, epochs: int, throttle: float, clicks: bool = True, returning: bool = False) -> dict:
    context = browser.new_context(**VIEWPORT)
    warm_up(browser, url, context if returning else None)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    received, feed_ids, feed_bytes = [], set(), []
    cdp.on("Network.webSocketFrameReceived", lambda event: received.append(len(event["response"]["payloadData"])))
    cdp.on(
        "Network.requestWillBeSent",
        lambda event: feed_ids.add(event["requestId"]) if "/api/live/" in event["request"]["url"] else None,
    )
    cdp.on(
        "Network.loadingFinished",
        lambda event: feed_bytes.append(event["encodedDataLength"]) if event["requestId"] in feed_ids else None,
    )
    cdp.send("Network.enable")
    open_train(page, url, epochs)
    summary = page.locator("summary", has_text="Model summary").first
    shown = page.get_by_text(SUMMARY_TEXT)
    if shown.is_visible():  # start from a closed summary, as a visitor in the middle of a run would have it
        summary.click()
        shown.wait_for(state="hidden")
    page.evaluate(SAMPLER)
    page.evaluate(EXPANDER_WATCH)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
    # The control: the same click with nothing training, at the same throttle (then closed again).
    time.sleep(1.0)
    expander_idle = timed_click(page, summary, lambda: shown.wait_for(state="visible", timeout=60_000))
    summary.click()
    shown.wait_for(state="hidden")
    time.sleep(1.0)
    received.clear()
    feed_bytes.clear()
    offset = page_clock_offset(page, cdp)
    clicked = page.evaluate("() => window.__live.clicked = performance.now()")
    samples = [busy_sample(cdp)]  # (the browser's clock in ms, busy seconds), every END_SAMPLE_S while the bench waits
    busy_before, started = samples[0][1], time.perf_counter()
    marks = [("click", started, busy_before)]  # (what had just happened, when, busy seconds so far)

    def sample() -> None:
        samples.append(busy_sample(cdp))

    def mark(what: str) -> None:
        sample()
        marks.append((what, time.perf_counter(), samples[-1][1]))

    def sampling_sleep(seconds: float) -> None:
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            time.sleep(min(END_SAMPLE_S, max(0.0, until - time.monotonic())))
            sample()

    first_answer = timed_click(
        page,
        page.locator(".st-key-train_button button").first,
        lambda: page.locator("[data-testid='stProgress'], .playground-live-bar").first.wait_for(timeout=60_000),
    )
    # Mid-run: the plot is there and a third of the epochs are done.
    # A third of the epochs done, read from the plot's own last point by the sampler, asked every THIRD_LOOK_S.
    # (Not Playwright's text search: its polling of the whole slowed page took about 5% of the main thread here,
    # 0.5 s of a 10 s window in a CPU profile, counted as the app's.)
    wait_in_page(page, f"() => window.__live.x >= {max(2, epochs // 3) - 1}", timeout=180, sample=sample)
    changes_before = page.evaluate("() => window.__live.changes.length")
    mark("start")
    mid_before, mid_started = marks[-1][2], marks[-1][1]
    sampling_sleep(MID_RUN_SECONDS)  # the live view alone, nothing clicked (a short run may end in it)
    mark("mid_run")
    mid_seconds = marks[-1][1] - mid_started
    busy_mid = (marks[-1][2] - mid_before) / mid_seconds
    changes_mid = (page.evaluate("() => window.__live.changes.length") - changes_before) / mid_seconds
    if clicks:
        expander = timed_click(page, summary, lambda: shown.wait_for(state="visible", timeout=60_000))
        zoom = try_zoom(page)
        mark("clicks")
    else:
        expander, zoom = None, {"kept": None}
    in_page = page.evaluate("() => window.__expanderShown")  # [the idle control's, the mid-run click's], in ms
    # To the end: the busy counter sampled every END_SAMPLE_S from the browser's side (no script in the page), and
    # the page asked every THIRD_LOOK_S whether it has drawn "Training finished" (the sampler's own record of it).
    finished = wait_in_page(page, "() => window.__live.finished", timeout=600, sample=sample)
    sample()
    noticed_seconds = time.perf_counter() - started  # the bench's noticing: main_thread_busy_to_noticed's end
    busy_noticed = samples[-1][1] - busy_before
    run_seconds = (finished - clicked) / 1000
    busy_finished = busy_at(samples, finished + offset)
    busy = busy_finished - busy_before
    cut = [what for what, t, _ in marks if t > started + run_seconds]  # parts a short run ended before or inside
    marks = [m for m in marks if m[0] not in cut] + [("end", started + run_seconds, busy_finished)]  # the page's clock
    results_drawn = page.evaluate(RESULTS_DRAWN, list(RESULTS))  # in the page's clock
    results_busy = busy_seconds(cdp) - busy_finished
    results_wall = time.perf_counter() - marks[-1][1]
    live = page.evaluate(
        "() => { clearInterval(window.__sampler); "
        "return {...window.__live, resends: window.__playgroundLiveResends, draws: window.__playgroundLiveDraws}; }"
    )
    sampler_busy = sampler_cost(page, cdp)
    redraw_ms = page.evaluate(REDRAW)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    context.close()
    changes = live["changes"]
    gaps = [b - a for a, b in zip(changes, changes[1:], strict=False)]
    span = (changes[-1] - changes[0]) / 1000 if len(changes) > 1 else 0.0
    return {
        "first_answer_s": round(first_answer, 3),
        # in the page's own clock: the bench's own waits (the zoom's) may outlast a short run
        "run_s": round(run_seconds, 2),
        "chart_changes": len(changes),
        "changes_seen_by_event": live.get("events", 0),  # Plotly's draw events the sampler heard
        "chart_changes_per_s": round((len(changes) - 1) / span, 2) if span else 0.0,
        "longest_gap_s": round(max(gaps) / 1000, 2) if gaps else None,
        # where in the run it began: seconds from the click, and the run's end
        "longest_gap_at_s": round((changes[gaps.index(max(gaps))] - live["clicked"]) / 1000, 2) if gaps else None,
        "plot_mounts": live["mounts"],
        "resend_requests": live.get("resends") or 0,  # the new live chart asking for everything again
        "main_thread_busy": round(busy / run_seconds, 3),
        # the control: the same share to when the bench noticed "Training finished" (the reading before session 20,
        # when Playwright's wait noticed it): the page's end-of-run work after the alert's frame counted in the run
        "main_thread_busy_to_noticed": round(busy_noticed / noticed_seconds, 3),
        "noticed_after_s": round(noticed_seconds - run_seconds, 2),
        "main_thread_busy_mid_run": round(busy_mid, 3),
        # each part of the run: the click to a third of the epochs, the quiet window, the bench's clicks (the
        # expander, the zoom and its polling), the rest to "Training finished": its seconds and busy share
        "main_thread_busy_by_part": {
            what: {"s": round(t - t0, 2), "busy": round((b - b0) / (t - t0), 3)}
            for (_, t0, b0), (what, t, b) in zip(marks, marks[1:], strict=False)
        },
        "parts_after_the_end": cut,  # a short run's: ended before these marks (their parts are left out above)
        "sampler_busy": round(sampler_busy, 3),  # the control: what the bench's own sampler costs the tab
        "chart_changes_per_s_mid_run": round(changes_mid, 2),
        "feed_draw_ms": percentiles(live.get("draws") or []),
        "plot_redraw_ms": round(redraw_ms),  # the control: one Plotly redraw of the live plot at this throttle
        # "Training finished" -> the results' first charts drawn (RESULTS), and the main thread's busy seconds meanwhile
        "results_drawn_s": round((results_drawn - live["finished"]) / 1000, 2),
        "results_busy_s": round(results_busy, 2),
        "results_busy": round(results_busy / results_wall, 3),
        "expander_open_s": round(expander, 3) if expander is not None else None,
        "expander_open_idle_s": round(expander_idle, 3),  # the control: the same click before the run
        # the same two clicks timed in the page (EXPANDER_WATCH): what the visitor waits, without Playwright's part
        "expander_open_in_page_s": round(in_page[-1] / 1000, 3) if len(in_page) == 2 else None,
        "expander_open_idle_in_page_s": round(in_page[0] / 1000, 3) if in_page else None,
        "zoom_kept": zoom["kept"],
        "zoom": zoom,
        "websocket_kb": round(sum(received) / 1024, 1),
        "feed_looks": len(feed_bytes),
        "feed_kb": round(sum(feed_bytes) / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--throttle", type=float, default=4.0, help="CPU slowdown of the tab (1 = none)")
    parser.add_argument("--epochs", type=int, default=15, help="epochs of the lecture preset in the measured run")
    parser.add_argument(
        "--no-clicks",
        action="store_true",
        help="the control: no expander click or zoom mid-run (their share of main_thread_busy is the bench's)",
    )
    parser.add_argument(
        "--returning", action="store_true", help="the warm-up in the measured tab's context: its cache is warm"
    )
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--url", help="an app already running (then no server is started)")
    parser.add_argument("--script", default="app.py", help="what `streamlit run` starts (streamlit_app.py: no feed)")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    server = None if args.url else start_server(args.port, args.script)
    url = args.url or f"http://127.0.0.1:{args.port}"
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            clicks, returning = not args.no_clicks, args.returning
            result = measure(browser, url, args.epochs, args.throttle, clicks=clicks, returning=returning)
            browser.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait(15)
    print(
        json.dumps(
            {
                "benchmark": "liveview",
                "throttle": args.throttle,
                "epochs": args.epochs,
                "clicks": not args.no_clicks,
                "returning": args.returning,
                "script": args.script,
                **result,
                "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            }
        )
    )


if __name__ == "__main__":
    main()
