"""Start the real app with `streamlit run` and Debian's Chromium, for browser tests and bench/browser.py."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Each page's path in the app's address and its heading, for the tests that open every page.
PAGES = {
    "lesson": "The pictures",
    "explore": "Explore the data",
    "": "Train a network",
    "softmax_relu": "Softmax and ReLU",
    "try_it": "Try it",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment() -> dict:
    """This process's environment minus what only the in-process page tests set (see conftest.py)."""
    return {name: value for name, value in os.environ.items() if name != "PLAYGROUND_SETTINGS_DELAY"}


@contextmanager
def running_app(
    timeout: float = 90,
    extra_args: tuple[str, ...] = (),
    env: dict | None = None,
    prefix: tuple[str, ...] = (),
    script: Path = ROOT / "app.py",
):
    """Yield (url, seconds from launch to a healthy server, the server process); stopped afterwards.

    extra_args go to `streamlit run`; prefix goes before the command (e.g. `taskset -c 0` to pin it to a core);
    script is the app to run (bench/clicks.py compares the playground with a one-button page).
    """
    port = free_port()
    log = (
        open(ROOT / "artifacts" / f"streamlit-{port}.log", "w") if (ROOT / "artifacts").is_dir() else subprocess.DEVNULL
    )
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            *prefix,
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(script),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            *extra_args,
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**server_environment(), "PYTHONPATH": str(ROOT), **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {process.returncode}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.perf_counter() - started > timeout:
                raise RuntimeError("streamlit did not become healthy in time")
            time.sleep(0.05)  # a start-up is timed from here: don't add a long poll to it
        yield url, time.perf_counter() - started, process
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def settle(page, seconds: float = 1.5) -> None:
    """Let Streamlit finish its run: the status widget disappears when it is idle."""
    time.sleep(seconds)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def no_exception(page) -> None:
    """No exception box on the page; if there is one, its text is the failure message."""
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()


def wait_for_app(page, timeout_ms: int = 60000) -> None:
    """Streamlit is done with a run when its status widget stops showing 'running'."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms)


def draw_a_trouser_leg(page) -> None:
    """A stroke down Try it's drawing canvas with the mouse: enough for an answer."""
    canvas = page.locator("canvas.upper-canvas").first
    canvas.wait_for(timeout=30_000)
    box = canvas.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + 60
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(40):
        page.mouse.move(x + step, y + step * 7)
    page.mouse.up()
