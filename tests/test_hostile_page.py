"""Hostile model files where a visitor meets them, Try it: each gets a plain message, the file is read once,
the model held before keeps answering, nothing from the file is rendered as Markdown, no secret reaches the page."""

from __future__ import annotations

import re

import numpy as np
import pytest

from playground.answers.inference import AnswerError, Classifier
from tests.hostile import make
from tests.synthetic import encode, garment_photo
from tests.test_try_it_page import model_page, texts, upload_model, upload_photo

# One or more files of every class in issue 22, as the page meets them (tests/test_hostile_files.py runs them all
# through the reader).
THROUGH_THE_PAGE = (
    "external storage: canary",
    "external storage: /proc/self/environ",
    "external storage: FIFO",
    "fletcher32 chunk of size 0",
    "4 GB chunk",
    "deflate bomb 2 GB",
    "bzip2 bomb 1.25 GB",
    "encrypted flag",
    "weight count wrap-around",
    "52,000 filters",
    "5,000 Rescaling layers",
    "deep JSON",
    "config a list",
    "config a string",
    "Reshape to abc",
    "Reshape to (-28, -28)",
    "weights truncated",
    "answer infinite",
    "markdown class name",
    "image class name",
    "html class name",
    "1 MB class name",
    "markdown input shape",
    "Lambda layer",
)
UNESCAPED_MARKUP = re.compile(r"(?<!\\)[\[\]!<>]")  # a link, a picture or a tag would need one of these


@pytest.fixture
def dense_keras() -> bytes:
    return make("valid", "/nonexistent")  # the valid base needs no folder


def shown(at) -> list[str]:
    """The raw Markdown of every message and caption on the page (what Streamlit renders)."""
    return [element.value for kind in ("error", "warning", "info", "caption", "markdown") for element in at.get(kind)]


def test_every_class_of_hostile_file_gets_a_plain_reason_and_changes_nothing(dense_keras, tmp_path):
    at = upload_model(model_page(), "good.keras", dense_keras)
    answering = [c for c in texts(at, "caption") if c.startswith("Answering:")]
    assert answering == ["Answering: good.keras: a dense network with 12,730 weights."]
    for round_, name in enumerate(THROUGH_THE_PAGE, start=1):
        folder = tmp_path / str(round_)
        folder.mkdir()
        data = make(name, folder)
        upload_model(at, f"{round_}.keras", data)  # asserts no exception box
        [error] = texts(at, "error")
        assert error.startswith(f"“{round_}.keras” was not loaded."), (name, error)
        assert error.endswith("The model you uploaded before still answers."), (name, error)
        assert len(error) < 800, (name, len(error))
        for raw in shown(at):
            assert not UNESCAPED_MARKUP.search(raw), (name, raw)
        assert [c for c in texts(at, "caption") if c.startswith("Answering:")] == answering, name
        assert [u.key for u in at.get("file_uploader") if u.key.startswith("model_file")] == ["model_file"], name
        canary = folder / "canary.bin"
        if canary.exists():
            secret = canary.read_bytes()
            assert all(secret.hex() not in raw and secret.decode("latin-1") not in raw for raw in shown(at)), name


def test_a_model_whose_answer_breaks_is_set_aside_in_words(dense_keras, fashion, monkeypatch):
    at = upload_model(model_page(), "good.keras", dense_keras)
    honest = Classifier.predict

    def broken_for_the_upload(self, image):
        if self.description == "good.keras":
            raise AnswerError("The model's answer for this picture is not a number (NaN or infinite), so it has none.")
        return honest(self, image)

    monkeypatch.setattr(Classifier, "predict", broken_for_the_upload)
    boot = fashion.test_images[np.flatnonzero(fashion.test_labels == 9)[0]]
    upload_photo(at, encode(garment_photo(boot), "PNG"))
    [error] = texts(at, "error")
    assert error.startswith("“good.keras” was set aside: The model's answer for this picture is not a number")
    assert error.endswith("The ready-made model answers instead.")
    assert not any(c.startswith("Answering:") for c in texts(at, "caption"))
    assert any("The model is" in s for s in texts(at, "success") + texts(at, "warning"))  # the ready-made answered
