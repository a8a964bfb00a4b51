"""Try it shows how a photo became the model's 28×28 input, and says plainly when its answer is a guess."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from playground.answers.inference import WHAT_HELPS, Classifier, Prediction
from playground.data.fashion_mnist import CLASS_NAMES
from playground.settings.config import LECTURE
from tests.synthetic import encode, garment_photo, lambda_model_file, zip_of_random_bytes

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


# -- Bring a model back, and why this answer ----------------------------------------------------------


@pytest.fixture(scope="module")
def dense_model(tmp_path_factory) -> bytes:
    """The lecture's dense network (random initial weights) as a visitor would download it: a .keras file."""
    from playground.network.model import build_model

    path = tmp_path_factory.mktemp("upload") / "dense.keras"
    build_model(LECTURE).save(path)
    return path.read_bytes()


def model_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(TRY_IT).run()
    at.radio(key="tryit_model").set_value("upload").run()
    return at


def upload_model(at: AppTest, name: str, data: bytes) -> AppTest:
    uploader = at.file_uploader(key="model_file")
    uploader.upload(name, data, "application/octet-stream").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload_photo(at: AppTest, data: bytes) -> AppTest:
    at.file_uploader(key="upload").upload("photo.png", data, "image/png").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest, kind: str) -> list[str]:
    """The elements' text as a visitor reads it: words from a file reach the page Markdown-escaped (backslashes)."""
    return [re.sub(r"\\(.)", r"\1", element.value) for element in at.get(kind)]


def test_an_uploaded_model_answers_and_explains_its_answer(dense_model, boot_png):
    from playground.network.uploaded_model import read_model_upload
    from playground.photos.images import read_upload

    at = upload_model(model_page(), "dense.keras", dense_model)
    assert "Answering: dense.keras: a dense network with 101,770 weights." in texts(at, "caption")
    upload_photo(at, boot_png)
    # what the uploaded network itself says about the same 28×28 input
    net = read_model_upload(dense_model).net
    expected = CLASS_NAMES[int(np.argmax(net(read_upload(boot_png).model_input[None])[0]))]
    verdicts = texts(at, "success") + texts(at, "warning")
    assert any(expected in verdict for verdict in verdicts), verdicts
    assert "Why this answer, for your picture" in texts(at, "subheader")
    assert any(
        c.startswith(f"Heat map of the 28 × 28 picture, explaining the answer {expected}") for c in texts(at, "caption")
    )
    assert any("The hidden layer has 128 neurons. For this picture ReLU switched" in m for m in texts(at, "markdown"))
    assert any("What the most active neurons look for" in c for c in texts(at, "caption"))


def test_the_ready_made_model_explains_a_photo_with_its_feature_maps(boot_png):
    at = upload(boot_png)
    assert "Why this answer, for your picture" in texts(at, "subheader")
    assert any(m.startswith("Orange pixels made the model more sure") for m in texts(at, "markdown"))
    assert any(
        c.startswith("Heat map of the 28 × 28 picture, explaining the answer Ankle boot") for c in texts(at, "caption")
    )
    assert any(m.startswith("The first layer has 32 filters") for m in texts(at, "markdown"))
    assert any(c.startswith("The 32 feature maps of the first layer") for c in texts(at, "caption"))
    assert len(at.get("plotly_chart")) == 3  # the bars, the heat map, the feature maps
    # The ready-made answer averages five networks; the pictures say they look inside the first.
    assert any(c.startswith("The answer above is the average of 5 networks") for c in texts(at, "caption"))
    radio = at.radio(key="tryit_model")
    assert "Ready-made model (91% on test images)" in radio.options[0]
    assert "5 small CNNs" in radio.help and "no garment at all" in radio.help


def test_the_visitors_own_model_explains_too(boot_png, monkeypatch):
    """A finished run's weights (here the lecture network's initial ones) answer and explain through NumPy."""
    from types import SimpleNamespace

    from playground.network.model import build_model
    from playground.pages.parts import common

    weights = build_model(LECTURE.replace(hidden_units=(64,))).get_weights()
    snapshot = SimpleNamespace(epoch_history=[{}], state=SimpleNamespace(done=True))
    run = SimpleNamespace(
        uid="run1", config=LECTURE.replace(hidden_units=(64,)), weights=weights, kept_weights=weights, snapshot=snapshot
    )
    monkeypatch.setattr(common, "session_lab", lambda: SimpleNamespace(current=run))
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(TRY_IT).run()
    at.radio(key="tryit_model").set_value("own").run()
    upload_photo(at, boot_png)
    assert any("your model, after 1 epoch" in c for c in texts(at, "caption"))
    assert any("The hidden layer has 64 neurons" in m for m in texts(at, "markdown"))


def read_error(data: bytes) -> str:
    from playground.network.uploaded_model import ModelFileError, read_model_upload

    with pytest.raises(ModelFileError) as refused:
        read_model_upload(data)
    return str(refused.value)


def test_bad_model_files_get_a_reason_and_change_nothing(dense_model, tmp_path):
    marker = tmp_path / "lambda-ran.txt"
    png = Path(__file__).resolve().parent.parent.joinpath("docs", "train.png").read_bytes()
    bad = {
        "truncated.keras": (dense_model[:5000], "damaged (perhaps the download was cut short)"),
        "picture.keras": (png, "This is a PNG picture, not a model."),
        "old.h5": (b"\x89HDF\r\n\x1a\n" + bytes(100), "older Keras .h5 file"),
        "random.keras": (zip_of_random_bytes(), "a zip file, but not a Keras model"),
        "lambda.keras": (lambda_model_file(tmp_path, marker), "custom Python code, which is never run here"),
    }
    at = model_page()
    upload_model(at, "truncated.keras", bad["truncated.keras"][0])
    assert texts(at, "error") == [f"“truncated.keras” was not loaded. {read_error(bad['truncated.keras'][0])}"]
    assert any("until then the ready-made model answers" in i for i in texts(at, "info"))
    upload_model(at, "dense.keras", dense_model)
    for name, (data, reason) in bad.items():
        upload_model(at, name, data)
        [error] = texts(at, "error")
        assert error.startswith(f"“{name}” was not loaded.") and reason in error
        assert error.endswith("The model you uploaded before still answers.")
        assert "Answering: dense.keras: a dense network with 101,770 weights." in texts(at, "caption")
    assert not marker.exists()


def test_an_uploaded_model_stays_in_its_session_and_can_be_forgotten(dense_model, monkeypatch):
    from playground.pages.parts import answering_model

    reads = []
    real_read = answering_model.read_model_upload
    monkeypatch.setattr(answering_model, "read_model_upload", lambda *a: reads.append(a[1]) or real_read(*a))
    at = upload_model(model_page(), "dense.keras", dense_model)
    at.run()
    at.run()
    assert reads == ["dense.keras"]  # read once, however often the page runs while the file stays listed
    # One uploader with one key: a tab holds at most one model file in Streamlit's store (a new one replaces it).
    assert [u.key for u in at.get("file_uploader") if u.key.startswith("model_file")] == ["model_file"]
    other_visitor = model_page()
    assert not any(c.startswith("Answering:") for c in texts(other_visitor, "caption"))
    at.button(key="forget_model").click().run()
    assert not any(c.startswith("Answering:") for c in texts(at, "caption"))
    assert any("until then the ready-made model answers" in i for i in texts(at, "info"))
