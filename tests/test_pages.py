"""Each page driven through the real app (streamlit_app.py → st.navigation) with Streamlit's AppTest."""

from __future__ import annotations

import io
import time
import uuid
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, PngImagePlugin
from streamlit.testing.v1 import AppTest

from playground.settings.config import LECTURE, SETTINGS, ExperimentConfig, changed_settings, describe_changes
from tests.synthetic import (
    encode,
    garment_photo,
    sixteen_bit,
    sixteen_bit_big_endian,
    strip,
    thirty_two_bit_floats,
    thirty_two_bit_integers,
)
from tests.test_config import every_setting_changed

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
PAGES = {
    "lesson": "playground/pages/lesson.py",
    "explore": "playground/pages/explore.py",
    "train": "playground/pages/train.py",
    "softmax": "playground/pages/softmax_relu.py",
    "try_it": "playground/pages/try_it.py",
}


@pytest.fixture(autouse=True)
def fresh_session_lab():
    """Every AppTest shares Streamlit's one "test session id", so session-scoped resources (this session's runs)
    would leak from test to test; release them as a closed tab would."""
    from streamlit.runtime.caching.cache_resource_api import clear_session_cache

    clear_session_cache("test session id")
    yield
    clear_session_cache("test session id")


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
    # Streamlit drops the state of widgets a page does not draw: the settings live on in "config" alone.
    assert "hp_epochs" not in at.session_state and at.session_state["config"].epochs == 7
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


def test_a_first_look_ends_in_the_whole_page_with_the_links_settings(monkeypatch):
    """A newcomer's first view of Train comes without the settings widgets and the page reruns itself with them
    (tests/test_browser.py watches the first view itself); what the link brought survives that rerun."""
    monkeypatch.setenv("PLAYGROUND_SETTINGS_DELAY", "0.05")
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"epochs": "2", "train_limit": "2000", "utm_source": "mail"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["settings_shown"] is True
    assert at.slider(key="hp_epochs").value == 2 and at.select_slider(key="hp_train_limit").value == 2000
    assert at.toggle(key="hp_normalize").value is True
    assert not any("Loading the settings" in c.value for c in at.sidebar.caption)
    assert any("utm_source" in c.value for c in at.caption), "what the link brought is still said"


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


def test_a_setting_changed_with_the_train_click_is_the_one_trained():
    at = open_page("train", hp_train_limit=2000)
    at.slider(key="hp_epochs").set_value(2)
    at.button(key="train_button").click().run()  # one rerun carries both: the callback must see the new value
    assert at.session_state["config"].epochs == 2
    train_until_done(at)
    assert "finished all 2 epochs" in at.success[0].value


def progress_text(at: AppTest) -> str:
    bars = at.get("progress")
    return bars[0].proto.text if bars else ""


def rerun_until(at: AppTest, predicate, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not predicate(at):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.3)
        at.run()
        assert not at.exception, [e.value for e in at.exception]


def test_stop_keeps_the_model_and_says_so():
    at = open_page("train", hp_epochs=30)
    at.button(key="train_button").click().run()
    assert at.button(key="stop_button").disabled is False
    assert at.button(key="train_button").disabled is True, "no second run while one is under way"
    rerun_until(at, lambda at: progress_text(at).startswith("Epoch 2 of 30"))
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


WEB_PROCESS_SCRIPT = """
import sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[1], default_timeout=120).run()
for page in (
    "playground/pages/lesson.py",
    "playground/pages/explore.py",
    "playground/pages/softmax_relu.py",
    "playground/pages/try_it.py",
):
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
at.file_uploader(key="upload").upload("shirt.png", open(sys.argv[2], "rb").read(), "image/png").run()
assert at.success or at.warning, "an answer from the ready-made model"
print(sorted(m for m in ("keras", "tensorflow") if m in sys.modules))
"""


def test_the_web_process_never_loads_tensorflow(fashion, tmp_path):
    """Pages answer in NumPy; TensorFlow (550 MB, seconds to import) lives only in the training workers."""
    import subprocess
    import sys

    shirt = tmp_path / "shirt.png"
    shirt.write_bytes(png_bytes(np.kron(fashion.test_images[0], np.ones((4, 4), np.uint8))))
    done = subprocess.run(
        [sys.executable, "-c", WEB_PROCESS_SCRIPT, APP, str(shirt)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(APP).parent,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_missing_or_corrupt_dataset_gets_a_message_not_a_traceback(monkeypatch):
    from playground.data.fashion_mnist import DataError
    from playground.pages.parts import common

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
        # The Train button is drawn before the data is checked (a visitor waits for it first); pressing it
        # with nothing to train on says why and starts nothing.
        at.button(key="train_button").click().run()
        assert not at.exception
        assert any("could not be loaded" in w.value for w in at.warning)
        assert not at.get("progress")
        assert at.button(key="stop_button").disabled  # no run was started
        assert "Watch it learn" not in [h.value for h in at.subheader]
    finally:
        common._dataset.clear()


def test_try_it_can_use_the_model_trained_in_this_session(fashion):
    at = open_page("train", hp_train_limit=2000, hp_epochs=1)
    at.button(key="train_button").click().run()
    train_until_done(at)
    at.switch_page(PAGES["try_it"]).run()
    at.radio(key="tryit_model").set_value("own").run()
    assert any("Answering: your model, after 1 epoch (dense)" in c.value for c in at.caption)
    sandal = fashion.test_images[np.flatnonzero(fashion.test_labels == 5)[0]]
    at.file_uploader(key="upload").upload(
        "sandal.png", png_bytes(np.kron(sandal, np.ones((6, 6), np.uint8))), "image/png"
    )
    at.run()
    assert not at.exception
    assert at.success or at.warning  # an answer, sure or not, from the session's model
    assert at.session_state["own_classifier"][1].description == "your model, after 1 epoch"


def test_the_sidebar_says_what_differs_from_the_preset():
    at = open_page("train")
    assert not any("Changed from this preset" in c.value for c in at.sidebar.caption)
    at.slider(key="hp_epochs").set_value(12).run()
    notes = [c.value for c in at.sidebar.caption if "Changed from this preset" in c.value]
    assert notes == [":material/edit: Changed from this preset: epochs 12."]


SIDEBAR_WIDGETS = ("radio", "selectbox", "slider", "select_slider", "number_input", "toggle")


def test_every_setting_has_a_widget_and_travels_in_the_link():
    """A setting declared in the config that the sidebar can't show, read back or put in the link fails here."""
    from playground.pages.parts.settings import widget_keys

    config = every_setting_changed()
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(config.to_flat_dict())
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.exception]
    assert at.session_state["config"] == config  # shown by the widgets and read back from them
    drawn = {widget.key for kind in SIDEBAR_WIDGETS for widget in getattr(at.sidebar, kind)}
    unused_layers = {f"hp_units_{index}" for index in range(len(config.hidden_units), 4)}
    for spec in SETTINGS.values():
        assert set(widget_keys(spec)) - unused_layers <= drawn, f"{spec.name} has no widget"
    assert {key: at.query_params[key] for key in at.query_params} == changed_settings(config, LECTURE)
    notes = [c.value for c in at.sidebar.caption if "Changed from this preset" in c.value]
    assert notes == [f":material/edit: Changed from this preset: {describe_changes(config, LECTURE)}."]
    assert all(name.replace("_", " ") in notes[0] for name in SETTINGS)


def test_label_smoothing_from_the_sidebar_reaches_the_config_the_link_and_the_note():
    at = open_page("train")
    at.slider(key="hp_label_smoothing").set_value(0.1).run()
    assert not at.exception and not at.error
    assert at.session_state["config"].label_smoothing == pytest.approx(0.1)
    assert at.query_params["label_smoothing"] == "0.1"
    notes = [c.value for c in at.sidebar.caption if "Changed from this preset" in c.value]
    assert notes == [":material/edit: Changed from this preset: label smoothing 0.1."]


def test_a_new_optimizer_starts_from_its_usual_learning_rate():
    at = open_page("train")
    at.selectbox(key="hp_optimizer").set_value("sgd").run()
    assert at.select_slider(key="hp_learning_rate").value == pytest.approx(0.01)
    assert at.session_state["config"].learning_rate == pytest.approx(0.01)
    at.selectbox(key="hp_optimizer").set_value("rmsprop").run()
    assert at.session_state["config"].learning_rate == pytest.approx(0.001)


def test_a_small_cnn_trains_and_shows_its_filters():
    at = open_page("train", hp_architecture="cnn", hp_train_limit=1000, hp_epochs=1)
    at.button(key="train_button").click().run()
    train_until_done(at)
    assert "finished all 1 epochs" in at.success[0].value
    assert any("3 × 3 filters" in m.value for m in at.markdown)


# -- Bad input never breaks a page ----------------------------------------------------------


def picture_captions(at: AppTest) -> list[str]:
    return [image.proto.imgs[0].caption for image in at.get("image")]


def unique_png(photo: Image.Image) -> bytes:
    """The photo as a PNG whose bytes no earlier test produced (the decoded-upload cache is shared)."""
    info = PngImagePlugin.PngInfo()
    info.add_text("test-run", uuid.uuid4().hex)
    return encode(photo, "PNG", pnginfo=info)


@pytest.fixture(scope="module")
def boot(fashion) -> Image.Image:
    return garment_photo(fashion.test_images[np.flatnonzero(fashion.test_labels == 9)[0]])


ODD_UPLOADS = {  # name -> (file name, build(photo) -> bytes, what the page says: the answer's or the message's words)
    "16-bit png (I;16)": ("scan.png", sixteen_bit, "Ankle boot"),
    "16-bit big-endian tiff (I;16B)": ("scan.tif", sixteen_bit_big_endian, "Ankle boot"),
    "32-bit integer tiff (I)": ("scan.tif", thirty_two_bit_integers, "Ankle boot"),
    "32-bit float tiff (F)": ("scan.tif", thirty_two_bit_floats, "Ankle boot"),
    "16-bit png 6300x5250": ("huge.png", lambda photo: sixteen_bit(photo, (6300, 5250)), "Ankle boot"),
    "wide strip 10000x3": ("strip.png", lambda photo: strip(photo, (10000, 3)), "thin strip"),
    "tall strip 3x10000": ("strip.png", lambda photo: strip(photo, (3, 10000)), "thin strip"),
    "blank photo": ("wall.png", lambda photo: encode(Image.new("RGB", (300, 200), (90, 140, 60)), "PNG"), "No garment"),
}


@pytest.mark.parametrize("name", list(ODD_UPLOADS))
def test_try_it_shows_every_upload_that_decodes_and_answers_or_says_why(name, boot):
    file_name, build, words = ODD_UPLOADS[name]
    at = open_page("try_it")
    at.file_uploader(key="upload").upload(file_name, build(boot), "image/png").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "What you gave" in picture_captions(at)  # the visitor sees what was read
    said = [s.value for s in at.success] + [w.value for w in at.warning] + [e.value for e in at.error]
    said += [i.value for i in at.info]
    assert any(words in text for text in said), said
    answered = "What the model sees: 28 × 28 pixels" in picture_captions(at)
    assert answered == (words == "Ankle boot")  # an answer, or a message and no guess


def test_try_it_reads_an_upload_once_however_often_the_page_reruns(boot, monkeypatch):
    """Every canvas stroke reruns the whole page: the upload is decoded on the first run only."""
    from playground.photos import images

    decoded = []
    decode = images.decode_image
    monkeypatch.setattr(images, "decode_image", lambda data: decoded.append(len(data)) or decode(data))
    at = open_page("try_it")
    at.file_uploader(key="upload").upload("boot.png", unique_png(boot), "image/png").run()
    at.slider(key="brush_size").set_value(40).run()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(decoded) == 1
    assert any("Ankle boot" in s.value for s in at.success) and "What you gave" in picture_captions(at)


def ignored_notes(at: AppTest) -> list[str]:
    return [c.value for c in at.caption if "Ignored in this link" in c.value]


def test_a_link_keeps_its_settings_and_ignores_what_else_it_picked_up():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"epochs": "7", "fbclid": "abc", "utm_source": "x"})
    at.run()
    assert not at.exception and not at.error
    assert at.slider(key="hp_epochs").value == 7 and at.session_state["config"].epochs == 7
    notes = ignored_notes(at)
    assert len(notes) == 1 and "fbclid" in notes[0] and "utm_source" in notes[0] and "epochs" not in notes[0]
    assert "fbclid" not in at.query_params and "utm_source" not in at.query_params  # the address keeps the settings
    assert at.query_params["epochs"] == "7"


def test_a_link_with_a_bad_setting_gets_its_message_and_the_ignored_note():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"epochs": "-4", "gclid": "abc", "[click me](https://example.com)": "1"})
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and "epochs" in at.error[0].value and "can't be used" in at.error[0].value
    assert at.session_state["config"].to_flat_dict() == LECTURE.to_flat_dict()
    notes = ignored_notes(at)
    assert len(notes) == 1 and "gclid" in notes[0] and "1 more" in notes[0]
    assert "example.com" not in notes[0]  # a link's own text is never shown as markdown


def test_a_model_too_big_for_the_server_is_refused_on_the_page_and_nothing_starts(monkeypatch):
    from playground.pages.parts import common
    from playground.server.limits import Limits
    from playground.server.workers import WorkerPool

    small_server = WorkerPool(Limits(memory_budget_mb=1200))
    monkeypatch.setattr(common, "default_pool", lambda: small_server)
    huge = {"hp_layers": 4} | {f"hp_units_{i}": 2048 for i in range(4)}
    try:
        at = open_page("train", hp_batch_size=1024, **huge)
        at.button(key="train_button").click().run()
        assert not at.exception
        assert any("too big for this server" in w.value and "fewer neurons" in w.value for w in at.warning)
        assert at.button(key="train_button").disabled is False and at.button(key="stop_button").disabled is True
        assert not at.get("progress") and small_server.queued == 0
        assert all(worker.run is None for worker in small_server._workers), "nothing was started"
    finally:
        small_server.shutdown()


def test_a_live_view_looks_for_news_seldom_far_back_in_the_queue():
    """Thirty waiting visitors asking twice a second cost the one web process; a run's place moves once per run."""
    from playground.pages.parts.common import refresh_seconds
    from playground.server.live_feed import FAR_BACK_LOOK_SECONDS as FAR_BACK_REFRESH_SECONDS
    from playground.server.live_feed import TRAINING_LOOK_SECONDS as LIVE_REFRESH_SECONDS
    from playground.training.snapshots import RunState, Snapshot

    def pace(state, place=0):
        return refresh_seconds(Snapshot(state=state, queue_position=place))

    assert pace(RunState.QUEUED, 12) == FAR_BACK_REFRESH_SECONDS > pace(RunState.QUEUED, 2) > LIVE_REFRESH_SECONDS
    assert pace(RunState.QUEUED, 3) < pace(RunState.QUEUED, 4)  # the last few places are watched more closely
    assert pace(RunState.QUEUED, 0) == pace(RunState.RUNNING) == pace(RunState.STOPPING) == LIVE_REFRESH_SECONDS
    assert all(pace(state) is None for state in (RunState.FINISHED, RunState.STOPPED, RunState.FAILED))
