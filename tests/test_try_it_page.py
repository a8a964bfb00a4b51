"""Try it shows how a photo became the model's 28×28 input, and says plainly when its answer is a guess."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from playground.inference import WHAT_HELPS, Classifier, Prediction
from tests.synthetic import encode, garment_photo

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
TRY_IT = "playground/pages/try_it.py"
STEPS = (
    "What you gave",
    "The garment found (background faded)",
    "Cropped, centred, dark cloth made bright",
    "What the model sees: 28 × 28 pixels",
)


@pytest.fixture(autouse=True)
def fresh_session():
    from streamlit.runtime.caching.cache_resource_api import clear_session_cache

    clear_session_cache("test session id")
    yield
    clear_session_cache("test session id")


@pytest.fixture
def boot_png(fashion) -> bytes:
    return encode(garment_photo(fashion.test_images[np.flatnonzero(fashion.test_labels == 9)[0]]), "PNG")


def upload(data: bytes) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(TRY_IT).run()
    at.file_uploader(key="upload").upload("photo.png", data, "image/png").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def captions(at: AppTest) -> list[str]:
    return [image.proto.imgs[0].caption for image in at.get("image")]


def test_an_uploaded_photo_shows_the_way_to_28_by_28(boot_png):
    at = upload(boot_png)
    assert captions(at) == list(STEPS)
    assert any("Ankle boot" in s.value for s in at.success)


def test_a_picture_unlike_the_training_data_is_called_a_guess_with_what_helps(boot_png, monkeypatch):
    answer = Classifier.predict

    def unfamiliar(self, image):
        return Prediction(answer(self, image).probabilities, unfamiliar=True)

    monkeypatch.setattr(Classifier, "predict", unfamiliar)
    at = upload(boot_png)
    assert not at.success
    assert any("unlike the pictures it learnt from" in w.value for w in at.warning)
    assert any("may not be one of the ten kinds" in c.value and WHAT_HELPS in c.value for c in at.caption)
    assert captions(at) == list(STEPS)  # the steps show where it went wrong


def test_an_unsure_answer_suggests_what_helps(boot_png, monkeypatch):
    monkeypatch.setattr(Classifier, "predict", lambda self, image: Prediction(np.full(10, 0.1)))
    at = upload(boot_png)
    assert any(w.value.startswith("The model is not sure") for w in at.warning)
    assert any(WHAT_HELPS in c.value for c in at.caption)


def test_a_drawing_shows_only_what_the_model_sees():
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(TRY_IT).run()
    assert "What helps" not in " ".join(c.value for c in at.caption)
    assert not any(caption in captions(at) for caption in STEPS[1:3])
