"""The real app in headless Chromium: start-up time and how often the live chart changes during training.

Measures, in one run:
- seconds from launching `streamlit run` to a healthy server, and to the Train button being clickable
  in a browser tab that was already open (the page's first run included);
- chart updates per second: an in-page sampler (every animation frame) records each change of the live
  chart's data over a measurement window while the lecture model trains on all 60,000 images;
- how long each epoch took while being watched.
Prints one JSON object.
"""

from __future__ import annotations

import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.appserver import launch_chromium, running_app  # noqa: E402

WINDOW_SECONDS = float(os.environ.get("BENCH_WINDOW", "15"))
SAMPLER = """() => {
  window.__chartChanges = [];
  let last = null;
  const tick = () => {
    const plot = document.querySelector('.st-key-live_chart .js-plotly-plot');
    if (plot && plot._fullData && plot._fullData.length) {
      const batches = plot._fullData[0];
      const n = batches.x ? batches.x.length : 0;
      const state = n ? n + ':' + batches.y[n - 1] : null;
      if (state && state !== last) { window.__chartChanges.push(performance.now()); last = state; }
    }
    window.__sampler = requestAnimationFrame(tick);
  };
  tick();
}"""


def main() -> None:
    with sync_playwright() as playwright:
        # The visitor's browser and tab are open when the app starts: only the app is timed.
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        page.goto("about:blank")
        launched = time.perf_counter()
        with running_app() as (url, healthy_after, _):
            measure(page, url, launched, healthy_after)
        browser.close()


def measure(page, url: str, launched: float, healthy_after: float) -> None:
    page.goto(f"{url}/?epochs=30")
    page.locator(".st-key-train_button button:not([disabled])").first.wait_for(timeout=120_000)
    interactive_after = time.perf_counter() - launched

    page.locator(".st-key-train_button button").first.click()
    page.locator(".st-key-live_chart .js-plotly-plot").first.wait_for(timeout=60_000)
    page.wait_for_function(
        "() => { const p = document.querySelector('.st-key-live_chart .js-plotly-plot');"
        " return p && p._fullData && p._fullData[0].x && p._fullData[0].x.length > 0; }",
        timeout=60_000,
    )
    page.evaluate(SAMPLER)
    time.sleep(WINDOW_SECONDS)
    changes = page.evaluate("() => window.__chartChanges")
    progress = page.locator("[data-testid='stProgress'], .playground-live-line").first.inner_text()
    page.locator(".st-key-stop_button button").first.click()
    page.get_by_text("stopped by you").wait_for(timeout=60_000)
    summary = page.get_by_text("stopped by you").inner_text()

    gaps = [b - a for a, b in zip(changes, changes[1:], strict=False)]
    print(
        json.dumps(
            {
                "benchmark": "browser",
                "seconds_to_healthy_server": round(healthy_after, 2),
                "seconds_to_interactive_train_page": round(interactive_after, 2),
                "window_seconds": WINDOW_SECONDS,
                "chart_updates": len(changes),
                "chart_updates_per_second": round(len(changes) / WINDOW_SECONDS, 2),
                "longest_gap_between_updates_ms": round(max(gaps), 1) if gaps else None,
                "progress_at_end_of_window": progress,
                "run_summary": summary,
            }
        )
    )


if __name__ == "__main__":
    main()
