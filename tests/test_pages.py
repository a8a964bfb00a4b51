"""Each page driven through the real app (streamlit_app.py → st.navigation) with Streamlit's AppTest."""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from playground.config import LECTURE, ExperimentConfig

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
PAGES = {
    "explore": "playground/pages/explore.py",
    "train": "playground/pages/train.py",
    "softmax": "playground/pages/softmax_relu.py",
    "try_it": "playground/pages/try_it.py",
}


def open_page(name: str, **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    for key, value in state.items():
        at.session_state[key] = value
    at.switch_page(PAGES[name]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def summary_label(at: AppTest) -> str:
    return next(e.label for e in at.expander if e.label.startswith("Model summary"))


def train_until_done(at: AppTest, timeout: float = 180) -> None:
    """Rerun the page (as the live fragment would) until the run has ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        if at.success or at.error:
            return
        time.sleep(0.3)
    raise AssertionError("training did not finish")


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_renders_without_exception(name):
    at = open_page(name)
    assert at.title, "every page has a title"


def test_default_page_is_train():
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert at.title[0].value == "Train a network"


def test_explore_shows_the_split_and_every_class():
    at = open_page("explore")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Training images"] == "60,000" and metrics["Test images"] == "10,000"
    assert len(at.get("image")) == 10
    table = at.dataframe[0].value
    assert table["training images"].tolist() == [6000] * 10 and table["test images"].tolist() == [1000] * 10
    assert "Ankle boot" in table["garment"].tolist()
    assert any("test set" in h.value for h in at.subheader)


def test_preset_fills_every_widget_and_the_summary_follows():
    at = open_page("train")
    assert "101,770" in summary_label(at)
    at.selectbox(key="preset").set_value("bigger_1024").run()
    assert at.select_slider(key="hp_units_0").value == 1024
    assert "814,090" in summary_label(at)
    at.selectbox(key="preset").set_value("callback_loss").run()
    assert at.toggle(key="hp_stop_loss_on").value is True
    assert at.number_input(key="hp_stop_loss").value == pytest.approx(0.4)
    assert at.slider(key="hp_epochs").value == 10


def test_changing_a_hyperparameter_changes_the_model():
    at = open_page("train")
    at.slider(key="hp_layers").set_value(2).run()
    at.select_slider(key="hp_units_1").set_value(64).run()
    assert at.session_state["config"].hidden_units == (128, 64)
    assert f"{784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10:,}" in summary_label(at)


def test_settings_survive_a_visit_to_another_page():
    at = open_page("train")
    at.slider(key="hp_epochs").set_value(7).run()
    at.switch_page(PAGES["explore"]).run()
    at.switch_page(PAGES["train"]).run()
    assert at.slider(key="hp_epochs").value == 7
    assert at.session_state["config"].epochs == 7


def test_settings_travel_in_the_link():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"epochs": "12", "hidden_units": "256,64", "optimizer": "rmsprop"})
    at.run()
    assert not at.exception and not at.error
    assert at.slider(key="hp_epochs").value == 12 and at.slider(key="hp_layers").value == 2
    assert at.session_state["config"].hidden_units == (256, 64)
    at.slider(key="hp_epochs").set_value(3).run()
    assert at.query_params["epochs"] == "3"


@pytest.mark.parametrize(
    "params",
    [
        {
            "epochs": "100",
            "dropout": "0.8",
            "validation_split": "0.5",
            "stop_accuracy": "1.0",
            "stop_loss": "10",
            "batch_size": "4096",
            "hidden_units": "2048,1,2048,7",
            "learning_rate": "10",
            "seed": "2147483647",
        },
        {
            "epochs": "1",
            "dropout": "0.33",
            "validation_split": "0.0",
            "stop_accuracy": "0.1",
            "stop_loss": "0.001",
            "batch_size": "1",
            "train_limit": "100",
            "learning_rate": "0.000001",
            "seed": "0",
            "activation": "elu",
        },
    ],
    ids=["every-maximum", "every-minimum"],
)
def test_links_at_the_edges_of_every_range_still_render(params):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(params)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    assert at.session_state["config"] == ExperimentConfig.from_flat_dict(params)


@pytest.mark.parametrize(
    "params, field",
    [({"epochs": "-4"}, "epochs"), ({"learning_rate": "fast"}, "learning_rate"), ({"hidden_units": "0"}, "hidden")],
)
def test_nonsense_hyperparameter_in_a_link_gets_a_message_and_changes_nothing(params, field):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(params)
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and field in at.error[0].value and "can't be used" in at.error[0].value
    assert at.session_state["config"].to_flat_dict() == LECTURE.to_flat_dict()
    assert at.slider(key="hp_epochs").value == 5


def test_short_training_runs_to_the_end_and_shows_results():
    at = open_page("train", hp_train_limit=2000, hp_epochs=1)
    at.button(key="train_button").click().run()
    train_until_done(at)
    assert "finished all 1 epochs" in at.success[0].value
    labels = [m.label for m in at.metric]
    assert labels == ["Training accuracy", "Test accuracy"]
    assert "Verdict:" in " ".join(m.value for m in at.markdown)
    assert [t.label for t in at.tabs] == [
        "Confusion matrix",
        "Per garment",
        "Its mistakes",
        "Inside the network",
        "Compare runs",
    ]
    compare = at.dataframe[-1].value
    assert len(compare) == 1 and compare["test acc."].iloc[0] > 0.6


def test_stop_keeps_the_model_and_says_so():
    at = open_page("train", hp_epochs=30)
    at.button(key="train_button").click().run()
    assert at.button(key="stop_button").disabled is False
    time.sleep(3)
    at.button(key="stop_button").click().run()
    train_until_done(at)
    assert "stopped by you" in at.success[0].value
    assert at.metric[1].label == "Test accuracy"
    assert float(at.metric[1].value.rstrip("%")) > 70


def test_threshold_callback_says_why_it_stopped():
    at = open_page("train", hp_train_limit=3000, hp_epochs=5, hp_stop_loss_on=True, hp_stop_loss=0.95)
    at.button(key="train_button").click().run()
    train_until_done(at)
    assert "fell below 0.95 in epoch" in at.success[0].value


def test_softmax_page_reproduces_the_lesson():
    at = open_page("softmax")
    text = " ".join(m.value for m in at.markdown)
    assert "0.032, 0.237, 0.644, 0.087" in text and "sum = **1.000**" in text and "class **2** wins" in text
    at.number_input(key="softmax_0").set_value(9.0).run()
    assert "class **0** wins" in " ".join(m.value for m in at.markdown)
    at.slider(key="relu_input").set_value(-3.0).run()
    assert "relu(-3.0) = 0.0" in at.code[0].value


def png_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def test_try_it_answers_an_uploaded_photo(fashion):
    trouser = fashion.test_images[np.flatnonzero(fashion.test_labels == 1)[0]]
    photo = np.kron(255 - trouser, np.ones((10, 10), dtype=np.uint8))  # dark trousers on a white page
    at = open_page("try_it")
    at.file_uploader(key="upload").upload("trousers.png", png_bytes(photo), "image/png").run()
    assert not at.exception
    assert any("Trouser" in s.value for s in at.success), [s.value for s in at.success]
    assert len(at.get("image")) >= 1


def test_try_it_refuses_a_broken_upload_politely():
    at = open_page("try_it")
    at.file_uploader(key="upload").upload("broken.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "image/png").run()
    assert not at.exception
    assert at.error and at.error[0].value


def test_script_runs_leave_keras_alone(monkeypatch):
    """Streamlit clears Keras after every run by default; with training threads alive that must not happen."""
    import keras

    calls = []
    monkeypatch.setattr(keras.backend, "clear_session", lambda *args, **kwargs: calls.append(1))
    at = open_page("softmax")
    at.run()
    assert calls == []


def test_missing_or_corrupt_dataset_gets_a_message_not_a_traceback(monkeypatch):
    from playground.data import DataError
    from playground.pages import common

    def corrupt():
        raise DataError(
            "/data/train-images-idx3-ubyte.gz: SHA-256 is 00ff, expected c59f (corrupt or a different file)."
        )

    monkeypatch.setattr(common, "load_fashion_mnist", corrupt)
    common._dataset.clear()
    try:
        at = AppTest.from_file(APP, default_timeout=120).run()
        assert not at.exception
        assert "could not be loaded" in at.error[0].value and "train-images-idx3-ubyte.gz" in at.error[0].value
        assert not at.button  # nothing to train on: the page stops after the message
    finally:
        common._dataset.clear()


def test_try_it_can_use_the_model_trained_in_this_session(fashion):
    at = open_page("train", hp_train_limit=2000, hp_epochs=1)
    at.button(key="train_button").click().run()
    train_until_done(at)
    at.switch_page(PAGES["try_it"]).run()
    at.radio(key="tryit_model").set_value("own").run()
    assert any("weights from epoch 1" in c.value for c in at.caption)
    sandal = fashion.test_images[np.flatnonzero(fashion.test_labels == 5)[0]]
    at.file_uploader(key="upload").upload(
        "sandal.png", png_bytes(np.kron(sandal, np.ones((6, 6), np.uint8))), "image/png"
    )
    at.run()
    assert not at.exception
    assert at.success or at.warning  # an answer, sure or not, from the session's model
    assert at.session_state["own_classifier"][1].description == "your model, epoch 1"


def test_the_sidebar_says_what_differs_from_the_preset():
    at = open_page("train")
    assert not any("Changed from this preset" in c.value for c in at.sidebar.caption)
    at.slider(key="hp_epochs").set_value(12).run()
    notes = [c.value for c in at.sidebar.caption if "Changed from this preset" in c.value]
    assert notes == [":material/edit: Changed from this preset: epochs 12."]


def test_a_small_cnn_trains_and_shows_its_filters():
    at = open_page("train", hp_architecture="cnn", hp_train_limit=1000, hp_epochs=1)
    at.button(key="train_button").click().run()
    train_until_done(at)
    assert "finished all 1 epochs" in at.success[0].value
    assert any("3 × 3 filters" in m.value for m in at.markdown)
