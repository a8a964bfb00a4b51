"""The live feed (playground.server.live_feed): what a page watching a run is told, and its route's answers."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from starlette.requests import Request

from playground.server import live_feed
from playground.training.snapshots import BatchPoint, EpochRecord, RunState, Snapshot


class Run:
    """What the feed reads of a RemoteRun: its number, its latest snapshot, when it finished."""

    def __init__(self, uid: int, snapshot: Snapshot):
        self.uid, self.snapshot, self.finished_at = uid, snapshot, None


def snapshot(points: int, epochs: int = 0, state: RunState = RunState.RUNNING) -> Snapshot:
    return Snapshot(
        state=state,
        epoch=epochs + 1,
        epochs=5,
        batch=points,
        batches_per_epoch=100,
        batch_points=tuple(BatchPoint(i + 1, (i + 1) / 100, 1.0 / (i + 1), 0.5) for i in range(points)),
        epoch_history=tuple(EpochRecord(e + 1, 0.5, 0.8, 0.6, 0.78) for e in range(epochs)),
    )


@pytest.fixture
def feed(monkeypatch):
    """The route mounted for this test only (AppTest pages in this process must keep rerunning, as without it)."""
    monkeypatch.setattr(live_feed, "mounted", False)
    monkeypatch.setattr(live_feed, "_feeds", {})
    monkeypatch.setattr(live_feed, "_tokens", {})
    return live_feed.routes()


def ask(path: str) -> tuple[int, dict]:
    scope = {"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": []}
    path, _, query = path.partition("?")
    scope |= {"path": path, "query_string": query.encode()}
    route = live_feed.routes()[0]
    _, child = route.matches(scope)
    request = Request(scope | child)
    response = asyncio.run(live_feed.answer(request))
    assert response.headers["cache-control"] == "no-store"
    return response.status_code, json.loads(response.body)


def test_no_route_no_token(monkeypatch):
    monkeypatch.setattr(live_feed, "mounted", False)
    assert live_feed.token_for(Run(1, snapshot(3))) is None


def test_a_page_is_told_only_the_points_it_has_not_got(feed):
    run = Run(7, snapshot(10, epochs=0))
    token = live_feed.token_for(run)
    assert token and len(token) >= 20 and live_feed.token_for(run) == token  # one token a run, unguessable
    lesson = live_feed.token_for(run, lambda snap: f"Pass {snap.epoch}")  # the Lesson words its bar its own way
    assert lesson != token and live_feed.news(lesson, 0, 0, None)["line"] == "Pass 1"
    first = live_feed.news(token, 0, 0, None)
    assert first["update"]["x"][0] == pytest.approx([(i + 1) / 100 for i in range(10)])
    assert first["counts"] == [10, 0, 10] and not first["done"]
    assert first["line"].startswith("Epoch 1 of 5") and first["progress"] == pytest.approx(0.02)
    assert first["wait_ms"] == 1000 * live_feed.TRAINING_LOOK_SECONDS

    run.snapshot = snapshot(14, epochs=1)
    later = live_feed.news(token, *first["counts"])
    assert later["update"]["base"][0] == 10 and len(later["update"]["x"][0]) == 4  # only the new batch points
    assert [len(x) for x in later["update"]["x"]][2:4] == [1, 1]  # and the finished epoch's two points
    assert later["counts"] == [14, 1, 14] and later["announce"].startswith("Epoch 1 of 5: accuracy 80%")

    nothing_new = live_feed.news(token, *later["counts"])
    assert "update" not in nothing_new and "figure" not in nothing_new


def test_a_page_that_is_out_of_step_gets_the_whole_figure(feed):
    run = Run(8, snapshot(6))
    token = live_feed.token_for(run)
    stale = live_feed.news(token, 6, 0, 99)  # its last point is not the run's: the history thinned itself out
    assert "update" not in stale and json.loads(stale["figure"])["data"][0]["x"][-1] == pytest.approx(0.06)
    assert "figure" in live_feed.news(token, 6, 0, 6, whole=True)  # and when it asks for it
    assert "figure" in live_feed.news(token, 60, 0, 6)  # more points than the run has


def test_the_route_answers_json_and_refuses_what_is_not_a_page(feed):
    run = Run(9, snapshot(5))
    token = live_feed.token_for(run)
    status, told = ask(f"/api/live/{token}?points=2&epochs=0&step=2")
    assert status == 200 and told["update"]["base"][0] == 2 and told["counts"][0] == 5
    assert ask(f"/api/live/{token}?points=2&epochs=0&step=")[0] == 200  # no point yet: an empty step
    for query in ("points=-1", "points=abc", "points=1e9", f"epochs={10**12}", "step=1.5"):
        assert ask(f"/api/live/{token}?{query}") == (400, {"error": "bad counts"}), query
    assert ask("/api/live/not-a-token?points=0") == (404, {"error": "no such run"})


def test_an_ended_run_is_told_so_then_forgotten(feed, monkeypatch):
    run = Run(10, snapshot(5, state=RunState.FINISHED))
    token = live_feed.token_for(run)
    assert live_feed.news(token, 0, 0, None)["done"]
    run.finished_at = time.monotonic() - live_feed.GRACE_SECONDS - 1
    live_feed.token_for(Run(11, snapshot(0)))  # any new token sweeps the ended ones
    assert live_feed.news(token, 0, 0, None) is None
    gone = Run(12, snapshot(1))
    lost = live_feed.token_for(gone)
    del gone  # nothing holds the run any more
    live_feed.token_for(Run(13, snapshot(0)))
    assert live_feed.news(lost, 0, 0, None) is None


def test_a_queued_page_looks_seldom_and_is_told_its_place(feed):
    waiting = Snapshot(state=RunState.QUEUED, epochs=5, queue_position=5, estimated_wait=40)
    run = Run(14, waiting)
    told = live_feed.news(live_feed.token_for(run), 0, 0, None)
    assert told["wait_ms"] == 1000 * live_feed.FAR_BACK_LOOK_SECONDS and "number 5 in the queue" in told["line"]
