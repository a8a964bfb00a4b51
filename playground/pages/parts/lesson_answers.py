"""The Lesson's answers: recorded runs shown on a click, and the same run trained live, one click away.

A presenter never waits: "Show the recorded answer" reveals what playground/lesson/recorded shipped, at once.
"Run it live" queues the run on this session's trainers (the Train page's queue, one run at a time per
visitor) and a fragment polls it until it ends. Nothing starts without a click. The words come from the core
(playground.lesson.runs, lesson_exercises); this module only places them.
"""

from __future__ import annotations

import streamlit as st

from playground import charts
from playground.charts.style import LIVE_CHART_ALT, plotly_config
from playground.lesson import exercises as lesson_exercises
from playground.lesson import runs as lesson_runs
from playground.lesson.records import load_run
from playground.lesson.runs import Outcome
from playground.pages.parts.common import keep_pace, live_feed_token, refresh_seconds, session_lab
from playground.pages.parts.live_chart import live_chart, send_everything_again
from playground.server.workers import RemoteRun, TrainerBusy
from playground.training.snapshots import RunState

STILL = plotly_config("fashion-lesson")  # only the camera in the toolbar: nothing to zoom on a projector


def reveal(slot: str) -> None:
    st.session_state.setdefault("lesson_shown", set()).add(slot)


def shown(slot: str) -> bool:
    return slot in st.session_state.get("lesson_shown", set())


def start_live(slot: str, config) -> None:
    """On a click only: queue the run on the session's trainers and remember which slot it belongs to."""
    try:
        run = session_lab().start(config)
    except TrainerBusy as busy:
        st.session_state.lesson_busy = str(busy)
        return
    st.session_state.setdefault("lesson_live", {})[slot] = run.uid


def live_run(slot: str) -> RemoteRun | None:
    uid = st.session_state.get("lesson_live", {}).get(slot)
    return next((run for run in session_lab().runs if run.uid == uid), None)


def live_view(run: RemoteRun, slot: str, after, refresh: float | None, feed: str | None) -> None:
    """Progress and the live chart; once finished, the run's numbers and `after(run)`. With `feed` (a live_feed
    token) the chart's script fetches the news and draws the bar itself, and this reruns only when the run ends."""
    snap = run.snapshot
    keep_pace(snap, refresh, fed=feed is not None)
    if not snap.state.done:
        if feed is not None:
            live_chart(run, snap, f"{slot}_live_chart", "fashion-lesson", feed, lesson_runs.progress_in_words)
        else:
            st.progress(snap.progress, text=lesson_runs.progress_in_words(snap))
        if feed is None and snap.state is not RunState.QUEUED:
            live_chart(run, snap, f"{slot}_live_chart", "fashion-lesson")
        st.button("Stop", key=f"{slot}_stop", icon=":material/stop:", on_click=run.stop)
        return
    if snap.state is RunState.FAILED:
        st.error(snap.error, icon=":material/error:")
    else:
        live_chart(run, snap, f"{slot}_live_chart", "fashion-lesson")
        if snap.epoch_history:
            st.caption(lesson_runs.history_in_words(snap.epoch_history))
        st.success(lesson_runs.finished_in_words(snap), icon=":material/check:")
        if after is not None:
            after(run)
    if st.session_state.get("lesson_finished") != run.uid:
        st.session_state.lesson_finished = run.uid
        st.rerun()  # once, to stop the timer


def recorded_or_live(slot: str, config, answer, label: str = "Run it live", after=None) -> None:
    """'Show the recorded answer' (instant) then `answer()`, and 'Run it live' (queued; one run per visitor)."""
    current = session_lab().current
    busy = current is not None and not current.snapshot.state.done
    left, right = st.columns(2)
    left.button(
        "Show the recorded answer",
        key=f"{slot}_show",
        type="primary",
        icon=":material/history:",
        on_click=reveal,
        args=(slot,),
        help="Instant: a run made ahead of time with the project's own command line, on the real data.",
    )
    right.button(
        label,
        key=f"{slot}_live",
        icon=":material/play_arrow:",
        on_click=start_live,
        args=(slot, config),
        disabled=busy,
        help="Your other run is still training: wait for it, or stop it."
        if busy
        else f"Trains {lesson_runs.describe_config(config)} now, on this server.",
    )
    if "lesson_busy" in st.session_state:
        st.warning(st.session_state.pop("lesson_busy"), icon=":material/hourglass_top:")
    if shown(slot):
        answer()
    run = live_run(slot)
    if run is not None:
        st.markdown(f"**Live run:** {lesson_runs.describe_config(run.config)}")
        send_everything_again(f"{slot}_live_chart")  # the whole page is drawn: the whole figure too
        feed = live_feed_token(run, lesson_runs.progress_in_words)
        refresh = refresh_seconds(run.snapshot, fed=feed is not None)
        st.fragment(run_every=refresh, key=f"{slot}_fragment")(live_view)(run, slot, after, refresh, feed)


# -- Shipped records, compared -------------------------------------------------------------------------


def not_shipped(*names: str) -> None:
    st.warning(f"Not shipped: run `scripts/record_lesson.py {' '.join(names)}`.", icon=":material/warning:")


def records(*names: str) -> dict | None:
    """The shipped records by name, or None with a note on which are missing."""
    found = {name: load_run(name) for name in names}
    missing = [name for name, record in found.items() if record is None]
    return not_shipped(*missing) if missing else found


def show_recorded(record, key: str) -> None:
    st.plotly_chart(
        charts.live_training_figure(lesson_runs.recorded_snapshot(record)), key=key, config=STILL, alt=LIVE_CHART_ALT
    )
    st.caption(lesson_runs.history_in_words(record.epochs))


def compare_runs(
    slot: str, names, say=None, chart=None, choice=("Which one runs live", None), label="Run it live"
) -> None:
    """Recorded runs answered by `say(outcomes, chosen)` and `chart(chosen)`'s chart; the chosen one live."""
    if (shipped := records(*names)) is None:
        return
    variants = lesson_exercises.live_choices(tuple(names))
    chosen = variants[0]
    if len(variants) > 1:
        chosen = st.radio(
            choice[0],
            variants,
            index=variants.index(choice[1] or chosen),
            format_func=lesson_exercises.variant_in_words,
            horizontal=True,
            key=f"{slot}_choice",
        )

    def answer() -> None:
        if say is not None:
            st.markdown(say({name: Outcome.from_summary(r.summary) for name, r in shipped.items()}, chosen))
        if chart is not None:
            show_recorded(shipped[chart(chosen)], f"{slot}_recorded_chart")
        for record in shipped.values() if say is not None else [shipped[chart(chosen)]]:  # whose numbers are shown
            st.caption(f":material/history: {record.label()}")

    recorded_or_live(slot, shipped[chosen].config, answer, label)
