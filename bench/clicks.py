"""How soon a class's Train clicks are answered, against the floor: the same clicks on a one-button page.

N visitors (browser contexts, all on one core; the server on the other) open the page, and once every page has
loaded they press Train together (`--spread S`: evenly over S seconds). Each page clocks its own answer, from the
click event to the first frame drawn with a progress bar or message in it (bench/crowd.py's clock), and the
server's part is read from the websocket (the click's request leaving to the end of its reply burst). Then the
same for bench/one_button.py, a page with nothing but a button and a progress bar: what any Streamlit page costs
this browser per click. Visitors don't wait for their runs: the tabs close a few seconds after the last click.

Prints one JSON object: per page, each visitor's drawn and server seconds (in the order they pressed), and the
browser core's busy share per second from the first click.

    .venv/bin/python bench/clicks.py --visitors 10 [--spread 10] [--repeat 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from playwright.async_api import async_playwright  # noqa: E402

from bench.crowd import ANSWER_TIMING, CLICK_CLOCK, SETTINGS_DRAWN, SocketClock  # noqa: E402
from tests.appserver import ROOT, launch_chromium, running_app  # noqa: E402

PAGES = {"train": ROOT / "streamlit_app.py", "one_button": ROOT / "bench" / "one_button.py"}
BUTTON = ".st-key-train_button button:not([disabled])"
LINGER = 3.0  # seconds a tab stays open after the last click, so the later clicks meet the earlier tabs' work


async def visitor(
    browser, url: str, page_name: str, together: asyncio.Barrier, pressing: asyncio.Event, later: float, hold: float
) -> dict:
    context = await browser.new_context(viewport={"width": 1280, "height": 1400})
    page = await context.new_page()
    clock = SocketClock()
    try:
        await clock.attach(context, page)
        await context.add_init_script(CLICK_CLOCK)
        await page.goto(url, timeout=300_000)
        button = page.locator(BUTTON).first
        await button.wait_for(timeout=300_000)
        if page_name == "train":  # loaded as a visitor sees it: with the settings, which follow the first view
            await page.locator(SETTINGS_DRAWN).wait_for(state="attached", timeout=300_000)
    finally:
        await together.wait()  # "now everybody press Train": after every page has loaded
        pressing.set()
    await asyncio.sleep(0.5 + later)
    sent_before = len(clock.sent)
    await button.click()
    timing = await page.wait_for_function(ANSWER_TIMING, timeout=300_000, polling=500)
    drawn = round((await timing.json_value())["ms"] / 1000, 3)
    await asyncio.sleep(max(0.0, hold - later))
    await context.close()
    return {"drawn_s": drawn, "server_s": clock.server_answer_seconds(sent_before)}


def core_busy(core: int) -> tuple[int, int]:
    with open("/proc/stat") as stat:
        for line in stat:
            if line.startswith(f"cpu{core} "):
                fields = [int(value) for value in line.split()[1:]]
                return sum(fields), fields[3] + fields[4]  # all, idle + iowait
    raise RuntimeError(f"no cpu{core} in /proc/stat")


async def watch_core(core: int, started: asyncio.Event, seconds: float) -> list[float]:
    await started.wait()
    shares = []
    for _ in range(max(1, round(seconds))):
        total, idle = core_busy(core)
        await asyncio.sleep(1)
        total2, idle2 = core_busy(core)
        shares.append(round(1 - (idle2 - idle) / max(1, total2 - total), 2))
    return shares


async def one_crowd(page_name: str, args) -> dict:
    prefix = ("taskset", "-c", str(args.server_core))
    with running_app(prefix=prefix, script=PAGES[page_name]) as (url, _, _server):
        async with async_playwright() as playwright:
            browser = await launch_chromium(playwright)
            first = await browser.new_page()  # the server's and the browser's first page, not timed
            await first.goto(url)
            await first.locator(BUTTON).first.wait_for(timeout=300_000)
            await first.close()
            together = asyncio.Barrier(args.visitors)
            later = [args.spread * i / max(1, args.visitors - 1) for i in range(args.visitors)]
            hold = args.spread + LINGER
            pressing = asyncio.Event()
            watch = asyncio.create_task(watch_core(args.browser_core, pressing, hold + 2))
            results = await asyncio.gather(
                *(visitor(browser, url, page_name, together, pressing, delay, hold) for delay in later)
            )
            busy = await watch
            await browser.close()
    drawn = sorted(r["drawn_s"] for r in results)
    return {
        "page": page_name,
        "drawn_s": [r["drawn_s"] for r in results],
        "server_s": [r["server_s"] for r in results],
        "slowest_drawn_s": drawn[-1],
        "median_drawn_s": drawn[len(drawn) // 2],
        "within_1_s": sum(d <= 1.0 for d in drawn),
        "slowest_server_s": max((r["server_s"] or 0) for r in results),
        "browser_core_busy_per_s": busy,
    }


async def main(args) -> dict:
    os.sched_setaffinity(0, {args.browser_core})  # this script and its Chromium on one core, the server on the other
    report = {"benchmark": "clicks", "visitors": args.visitors, "spread_s": args.spread, "runs": []}
    for _ in range(args.repeat):
        for page_name in ("one_button", "train"):  # interleaved: the machine's speed drifts between sittings
            report["runs"].append(await one_crowd(page_name, args))
    return report


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=10)
    parser.add_argument("--spread", type=float, default=0, help="seconds over which they press, evenly")
    parser.add_argument("--repeat", type=int, default=1, help="times to run both pages, interleaved")
    parser.add_argument("--server-core", type=int, default=0)
    parser.add_argument("--browser-core", type=int, default=1)
    args = parser.parse_args()
    (ROOT / "artifacts").mkdir(exist_ok=True)
    print(json.dumps(asyncio.run(main(args))))


if __name__ == "__main__":
    cli()
