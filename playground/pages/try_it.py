"""Try it: draw, upload or photograph a garment and see what the network thinks, as ten softmax bars.

Which model answers (ready-made, the visitor's own, an upload) is chosen in pages/parts/answering_model.py; the
answer is drawn by pages/parts/try_it_answers.py.
"""

from __future__ import annotations

import streamlit as st

from playground.pages.parts.answering_model import choose_classifier
from playground.pages.parts.common import training_badge
from playground.pages.parts.drawing import drawing_canvas
from playground.pages.parts.try_it_answers import answer_file, answer_or_explain, explain
from playground.photos.images import ImageError, preprocess_canvas

# A phone's page is 358 px wide (390 less its margins): the canvas fits it, and wherever the answer cannot sit
# beside it (a tablet with the sidebar open) the answer goes below, so the canvas never has to scroll.
CANVAS_WIDTH, CANVAS_HEIGHT = 340, 320
UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "gif", "bmp", "tif", "tiff"]  # what images.decode_image reads

st.set_page_config(page_title="Try it · Fashion-MNIST playground", layout="wide")
st.title("Try it")
training_badge()
st.write(
    "Draw a garment, upload a picture or take a photo, and see how sure the network is about each of the "
    "ten kinds. It works best with one garment, filling most of the picture, on a plain background."
)

classifier = choose_classifier()

draw_tab, upload_tab, camera_tab = st.tabs(
    [":material/draw: Draw", ":material/upload: Upload", ":material/photo_camera: Camera"]
)

with draw_tab, st.container(horizontal=True, gap="large", key="draw_row"):  # side by side where both fit
    canvas_column = st.container(width=CANVAS_WIDTH, key="canvas_column")
    answer_column = st.container(key="answer_column")
    with canvas_column:
        brush = st.slider("Brush size", 5, 60, 28, key="brush_size", help="A wide brush makes filling easy.")
        rgba = drawing_canvas(
            "canvas",
            CANVAS_WIDTH,
            CANVAS_HEIGHT,
            brush,
            "Draw one garment, big, and fill it in: the network learned from solid shapes, not outlines. "
            "The canvas's toolbar, at its top right when you point at it, undoes a stroke or clears it all.",
        )
    with answer_column:
        if rgba is None:
            st.info("Draw something first: the answer appears here.", icon=":material/draw:")
        elif isinstance(rgba, ImageError):
            explain(f"{rgba} Clear the canvas with the bin above it and draw again.", empty=False)
        else:
            answer_or_explain(classifier, lambda: (None, preprocess_canvas(rgba)), "canvas")

with upload_tab:
    upload = st.file_uploader(
        "A picture of one garment",
        type=UPLOAD_TYPES,
        key="upload",
        help="PNG, JPEG, WebP, GIF, BMP or TIFF, up to 20 MB. A garment lying on a bed, floor or table works well.",
    )
    answer_file(classifier, upload, "Upload a picture to see what the network makes of it.", "upload")

with camera_tab:
    photo = st.camera_input(
        "Hold a garment up to the camera",
        key="camera",
        help="Fill the frame with the garment, against a plain wall if you can.",
    )
    answer_file(classifier, photo, "Take a photo to see what the network makes of it.", "camera")
