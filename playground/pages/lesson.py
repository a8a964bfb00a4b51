"""Lesson: the week-2 lesson as a guided walk, one short step at a time, with Lab 1's exercises to run.

The step is in the address (?step=3, ?step=9&exercise=4), so a teacher can link to any of them. Nothing here
starts work on its own: a recorded answer is read from playground/lesson/recorded, and a live run starts only on
a click, through the session's trainer queue like the Train page's. The words and numbers come from the core
(playground.lesson.steps, lesson_runs, lesson_exercises); this page only places them.
"""

from __future__ import annotations

import streamlit as st

from playground.lesson import steps as lesson
from playground.pages.parts.common import dataset
from playground.pages.parts.lesson_steps import DEMOS, STEP_PARAM, go_to, step_facts

PROJECTOR_CSS = """<style>
.st-key-lesson_text p, .st-key-lesson_notice p { font-size: 1.2rem; line-height: 1.55; }
</style>"""  # classes from the containers' keys, Streamlit's public way to style an element (st-key-<key>)
# Streamlit keeps the scroll position across reruns; after Next on a phone that would land mid-step. The step
# number makes each script new, so it runs again for every step; it scrolls whatever holds the page so that the
# step's top (the keyed container "lesson_top") is in view.
SCROLL_TO_TOP = """<script>/* step {step} */
document.querySelector('.st-key-lesson_top')?.scrollIntoView({{block: 'start'}});
window.scrollTo(0, 0);
</script>"""

st.set_page_config(page_title="Lesson · Fashion-MNIST playground", layout="centered")
st.markdown(PROJECTOR_CSS, unsafe_allow_html=True)  # larger text: readable from the back of a room
data = dataset()
facts = step_facts(data)
STEPS = lesson.STEPS

# Where we are: the address wins, then this session, then step 1.
number = lesson.step_from_param(st.query_params.get(STEP_PARAM)) or st.session_state.get("lesson_step", 1)
st.session_state.lesson_step = number
if st.query_params.get(STEP_PARAM) != str(number):
    st.query_params[STEP_PARAM] = str(number)  # so the address can be copied and shared as it is
step = STEPS[number - 1].filled(facts)


# -- The page ---------------------------------------------------------------------------------------------

scroll_slot = st.empty()  # always there, so what follows keeps its place and the canvas keeps its drawing
if st.session_state.pop("lesson_moved", False):
    scroll_slot.html(SCROLL_TO_TOP.format(step=number), unsafe_allow_javascript=True)
with st.container(key="lesson_top"):
    st.caption(f"The lesson, step {number} of {len(STEPS)}")
    st.progress(number / len(STEPS))
st.title(step.title)
with st.container(key="lesson_text"):
    for sentence in step.sentences:
        st.markdown(sentence)
    st.info(f"**Do:** {step.do}", icon=":material/touch_app:")
DEMOS[step.key]()
with st.container(key="lesson_notice"):
    st.markdown(f":material/lightbulb: **What to notice:** {step.notice}")

with st.container(horizontal=True, horizontal_alignment="distribute", key="lesson_nav"):  # side by side on a phone
    st.button(
        "Back",
        key="lesson_back",
        icon=":material/arrow_back:",
        on_click=go_to,
        args=(number - 1,),
        disabled=number == 1,
        width="stretch",
    )
    st.button(
        "Next",
        key="lesson_next",
        icon=":material/arrow_forward:",
        icon_position="right",
        type="primary",
        on_click=go_to,
        args=(number + 1,),
        disabled=number == len(STEPS),
        width="stretch",
    )
st.caption(f"Link to this step: add `?step={number}` to the Lesson page's address.")
