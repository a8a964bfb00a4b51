"""What Streamlit itself costs a slowed tab that refreshes a fragment: the control for bench/liveview.py.

Runs bench/live_floor.py (a fragment rerunning every `--every` seconds with a progress bar and a line of text,
nothing else) in headless Chromium with its CPU slowed through DevTools as bench/liveview.py does, for `--seconds`
after one warm-up load, and prints one JSON object a refresh interval:
- main_thread_busy: CDP Performance.getMetrics TaskDuration over the wall time (bench/liveview.py's measure);
- refreshes_per_s: how often the fragment's text changed in the page (an in-page sampler every 50 ms);
- expander_open_s: a click on the expander -> its content shown, mid-way.
If the floor alone is busier than a target for the live view, the target measures Streamlit, not the playground.

    python bench/live_control.py                       # throttled 4x, refreshing every 0.25 s and 0.5 s
    python bench/live_control.py --throttle 1 --every 0.25
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from playwright.sync_api import sync_playwright  # noqa: E402

from bench.liveview import busy_seconds, timed_click  # noqa: E402
from tests.appserver import ROOT, launch_chromium, running_app  # noqa: E402

SAMPLER = """() => {
  window.__floor = {changes: 0, last: null};
  window.__sampler = setInterval(() => {
    const text = [...document.querySelectorAll('[data-testid="stCaptionContainer"]')].map(e => e.innerText).join();
    if (text && text !== window.__floor.last) { window.__floor.changes += 1; window.__floor.last = text; }
  }, 50);
}"""


def measure(browser, url: str, throttle: float, seconds: float) -> dict:
    warm = browser.new_page()
    warm.goto(url)
    warm.get_by_text("Refreshed").first.wait_for(timeout=60_000)
    warm.close()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    page.goto(url)
    page.get_by_text("Refreshed").first.wait_for(timeout=60_000)
    page.evaluate(SAMPLER)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
    busy_before, started = busy_seconds(cdp), time.perf_counter()
    time.sleep(seconds / 2)
    shown = page.get_by_text("Each weight is a number")
    expander = timed_click(
        page, page.locator("summary", has_text="Model summary").first, lambda: shown.wait_for(timeout=60_000)
    )
    time.sleep(max(0.0, seconds - (time.perf_counter() - started)))
    wall = time.perf_counter() - started
    busy = busy_seconds(cdp) - busy_before
    changes = page.evaluate("() => { clearInterval(window.__sampler); return window.__floor.changes; }")
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    context.close()
    return {
        "main_thread_busy": round(busy / wall, 3),
        "refreshes_per_s": round(changes / wall, 2),
        "expander_open_s": round(expander, 3),
        "wall_s": round(wall, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--throttle", type=float, default=4.0, help="CPU slowdown of the tab (1 = none)")
    parser.add_argument("--every", type=float, nargs="+", default=[0.25, 0.5], help="refresh intervals, seconds")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long each is measured")
    args = parser.parse_args()
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for every in args.every:
            load_before = os.getloadavg()[0]
            floor = {"PLAYGROUND_FLOOR_SECONDS": str(every)}
            with running_app(script=ROOT / "bench" / "live_floor.py", env=floor) as (url, _, _):
                result = measure(browser, url, args.throttle, args.seconds)
            print(
                json.dumps(
                    {
                        "benchmark": "live_control",
                        "throttle": args.throttle,
                        "every_s": every,
                        **result,
                        "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
                    }
                ),
                flush=True,
            )
        browser.close()


if __name__ == "__main__":
    main()
