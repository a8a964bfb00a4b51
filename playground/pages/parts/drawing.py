"""A small drawing canvas for one garment, and what it gives the model: the Lesson's "try it" step uses it.

The canvas is white ink on black, like Fashion-MNIST; playground.photos.images.preprocess_canvas turns any drawing into
the 28×28 picture a model reads. Nothing drawn yet, a cleared canvas or a speck is a friendly hint, not an error.
"""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from playground.photos.decoding import decode_drawing
from playground.photos.images import EmptyImageError, ImageError, preprocess_canvas

SIDE = 300  # screen pixels: fits a phone's width (390 px less the page's margins) and is big on a projector
# The canvas component scrolls its canvas sideways in a box a keyboard cannot reach (axe: scrollable-region-
# focusable) when it is wider than its place: the pages give it a place at least its own width instead.
BRUSH = 24  # wide enough to fill a garment in a few strokes
FIRST_HINT = "Draw a garment on the black square: its chances appear here."


UNREADABLE = "The drawing that arrived could not be read as a drawing."
HOW_TO_DRAW = (
    "Draw one garment, big, and fill it in. The arrows at the square's top right (shown when you point at it) undo; "
    "the bin clears it."
)


def drawing_canvas(
    key: str, width: int = SIDE, height: int = SIDE, brush: int = BRUSH, how_to: str = HOW_TO_DRAW
) -> np.ndarray | ImageError | None:
    """The canvas and how to use it; its RGBA pixels once something was drawn (or cleared), else None.

    What the browser sends is untrusted like any upload: its PNG goes through decoding.decode_drawing (PNG only,
    size and pixel caps), once per change (the page reruns for every widget, the drawing is kept decoded in the
    session). A drawing that cannot be read comes back as the ImageError saying why.
    """
    try:
        result = st_canvas(
            stroke_width=brush,
            stroke_color="#FFFFFF",
            background_color="#000000",
            width=width,
            height=height,
            drawing_mode="freedraw",
            return_image_data=True,
            key=key,
        )
        data = result.image_bytes if result is not None else None
    except Exception:  # a value the canvas component could not have sent
        data = ImageError(UNREADABLE)
    st.caption(how_to)
    if data is None or isinstance(data, ImageError):
        return data
    digest = hashlib.sha256(data).hexdigest()
    kept = st.session_state.get(f"{key}_decoded")
    if kept is None or kept[0] != digest:
        try:
            pixels = decode_drawing(data, width, height)
        except ImageError as error:
            pixels = error
        st.session_state[f"{key}_decoded"] = kept = (digest, pixels)
    return kept[1]


def model_input_or_hint(rgba: np.ndarray | ImageError | None) -> np.ndarray | None:
    """The 28×28 picture the model reads, or None with a hint (nothing drawn) or a message (an odd canvas)."""
    if rgba is None:
        st.info(FIRST_HINT, icon=":material/draw:")
        return None
    if isinstance(rgba, ImageError):
        st.error(f"{rgba} Clear the square and draw again.", icon=":material/broken_image:")
        return None
    try:
        return preprocess_canvas(rgba)
    except EmptyImageError as empty:
        st.info(str(empty), icon=":material/draw:")
    except ImageError as odd:
        st.error(f"{odd} Clear the square and draw again.", icon=":material/broken_image:")
    return None
