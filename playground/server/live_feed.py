"""The live chart's own line to the server: a page watching a run asks here for what is new, without a rerun.

A Streamlit rerun, however small, costs a browser tab about 150 ms of its main thread when its CPU is slowed 4×
(a cheap classroom laptop; bench/live_control.py: one rerun a second kept a bare page 18% busy, four 36%), so a
live view that reruns four times a second saturates the devices a class holds. Instead the Train page draws its
live view once per run and the view's own script (pages/parts/live_chart.js) asks this route, a few times a second,
for the points added since it last asked:

    GET <base>/api/live/<token>?points=N&epochs=M&step=S[&whole=1]

N and M are how many batch points and epoch records the page has, S the step of its last point (whole=1: it wants
the whole figure). The answer is JSON:
the new points to append (or the whole figure when the run's history thinned itself out), the counts
to send next time, the bar, its words and what a screen reader is told, whether the run has ended, and how long to
wait before asking again. The page reruns only when the run ends (to draw the results) and every
HEARTBEAT_SECONDS besides, in case its script stopped asking.

A run gets its token (128 random bits) when its live view is first drawn; only that visitor's page is told it.
Tokens go when their run has ended more than GRACE_SECONDS ago, or when nothing holds the run any more. The route
exists only when the app is started through app.py (`st.App` with this route); started as streamlit_app.py, or in
AppTest, `mounted` stays False and live views rerun as before.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

from playground.server.run_words import announcement, progress_line
from playground.training.snapshots import RunState, Snapshot

if TYPE_CHECKING:
    from collections.abc import Callable

    from starlette.requests import Request
    from starlette.responses import Response

    from playground.server.remote_run import RemoteRun

PATH = "api/live/"  # under the server's base path; the page asks relative to its own address
# How long a page waits between looks (its script waits longer when drawing takes it long: live_chart.js). A
# place in the queue moves once per run (~20 s with a class): those far back look seldom.
TRAINING_LOOK_SECONDS = 0.2
QUEUED_LOOK_SECONDS = 2.0
FAR_BACK_LOOK_SECONDS = 6.0
NEAR_THE_FRONT = 3  # queue places counted from 1
HEARTBEAT_SECONDS = 20.0  # the page's own rerun while its script feeds the chart: a safety net, nearly free
GRACE_SECONDS = 120.0  # an ended run's token answers this long (a page's last look, a slow tab)
MOST_COUNT = 10_000_000  # larger counts in a request are not a page's

mounted = False  # True once routes() has been called in this process (the app started through app.py)


@dataclass
class _Feed:
    run: weakref.ref
    line: Callable[[Snapshot], str]  # the words under the bar (the Lesson has its own)


_lock = threading.Lock()
_feeds: dict[str, _Feed] = {}
_tokens: dict[tuple, str] = {}  # (run.uid, its words) -> the token


def look_seconds(snapshot: Snapshot) -> float:
    """How long a page watching `snapshot` waits before it looks again."""
    if snapshot.state is not RunState.QUEUED or snapshot.queue_position == 0:
        return TRAINING_LOOK_SECONDS
    return QUEUED_LOOK_SECONDS if snapshot.queue_position <= NEAR_THE_FRONT else FAR_BACK_LOOK_SECONDS


def token_for(run: RemoteRun, line: Callable[[Snapshot], str] = progress_line) -> str | None:
    """The token a page asks about `run` with (the same one each time for the same words under the bar), or None
    when no route serves it."""
    if not mounted:
        return None
    with _lock:
        _forget_ended()
        token = _tokens.get((run.uid, line))
        if token is None:
            token = _tokens[run.uid, line] = secrets.token_urlsafe(16)
        _feeds[token] = _Feed(weakref.ref(run), line)
        return token


def _forget_ended() -> None:
    now = time.monotonic()
    for token, feed in list(_feeds.items()):
        run = feed.run()
        ended = run is None or (run.finished_at is not None and now - run.finished_at > GRACE_SECONDS)
        if ended:
            del _feeds[token]
            for key, held in list(_tokens.items()):
                if held == token:
                    del _tokens[key]


def news(token: str, points: int, epochs: int, step: int | None, whole: bool = False) -> dict | None:
    """What the page holding `token` is told, given what it has (or the whole figure, if it asks for it); None for
    a token this server does not know."""
    with _lock:
        feed = _feeds.get(token)
    run = feed.run() if feed is not None else None
    if run is None:
        return None
    from playground.charts.live import live_chart_json, live_chart_update, live_chart_words  # with Plotly

    snap = run.snapshot
    answer = {"done": snap.state.done, "wait_ms": round(1000 * look_seconds(snap)), "words": live_chart_words(snap)}
    answer |= status(snap, feed.line)
    update = None if whole else live_chart_update(snap, points, epochs, step)
    if update is None:
        answer["figure"] = live_chart_json(snap)
    elif any(update["x"]):
        answer["update"] = update
    answer["counts"] = counts(snap)
    return answer


def counts(snap: Snapshot) -> list:
    """What a page has once it holds all of `snap`'s points: [batch points, epoch records, last point's step]."""
    points = snap.batch_points
    return [len(points), len(snap.epoch_history), points[-1].step if points else None]


def status(snap: Snapshot, line: Callable[[Snapshot], str] = progress_line) -> dict:
    """The bar above the chart: how far (0 to 1), its words, and what a screen reader is told (once an epoch)."""
    return {"progress": snap.progress, "line": line(snap), "announce": announcement(snap)}


def _count(text: str | None, allow_none: bool = False) -> int | None:
    if text in (None, "") and allow_none:
        return None
    value = int(text)  # ValueError for anything else: the route answers 400
    if not 0 <= value <= MOST_COUNT:
        raise ValueError(text)
    return value


async def answer(request: Request) -> Response:
    """The route: the news for a token as JSON, never cached; 404 for an unknown token, 400 for bad counts."""
    from starlette.responses import Response

    headers = {"Cache-Control": "no-store"}
    query = request.query_params
    try:
        points = _count(query.get("points", "0"))
        epochs = _count(query.get("epochs", "0"))
        step = _count(query.get("step"), allow_none=True)
    except ValueError:
        return Response('{"error": "bad counts"}', 400, headers, media_type="application/json")
    told = news(request.path_params["token"], points, epochs, step, whole=query.get("whole") == "1")
    if told is None:
        return Response('{"error": "no such run"}', 404, headers, media_type="application/json")
    return Response(json.dumps(told, allow_nan=False), 200, headers, media_type="application/json")


def routes(base_url_path: str = "") -> list:
    """The route for st.App(routes=...) (app.py), under the server's base path; from then on pages use it."""
    from starlette.routing import Route

    global mounted
    mounted = True
    base = base_url_path.strip("/")
    return [Route(f"/{base + '/' if base else ''}{PATH}{{token}}", answer, methods=["GET"])]
