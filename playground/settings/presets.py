"""The lesson's experiments as named presets: a table of name → Preset (a title, what it teaches, its settings).

Each preset is the lecture model (config.LECTURE, every setting at its default) with the few settings Lab 1, Lab 2
or the next step change; the Train page's sidebar and the CLI's --preset offer them in this order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from playground.settings.config import LECTURE, ExperimentConfig


@dataclass(frozen=True)
class Preset:
    """A named experiment: a short title, what it teaches, and its settings."""

    title: str
    lesson: str
    config: ExperimentConfig = field(default_factory=ExperimentConfig)


PRESETS = {
    "lecture": Preset(
        "Lecture model: 128 neurons",
        "Flatten → Dense(128, relu) → Dense(10, softmax), Adam, 5 epochs: the model from the lesson.",
        LECTURE,
    ),
    "wider_512": Preset(
        "Wider: 512 neurons",
        "Lab 1: more neurons in the hidden layer. Slower, usually a little more accurate.",
        LECTURE.replace(hidden_units=(512,)),
    ),
    "bigger_1024": Preset(
        "Bigger: 1024 neurons",
        "Lab 1: 1024 neurons. More calculation, a small gain in accuracy.",
        LECTURE.replace(hidden_units=(1024,)),
    ),
    "extra_layer": Preset(
        "Deeper: an extra hidden layer",
        "Lab 1: a second hidden layer (512 then 256). On simple images it helps little.",
        LECTURE.replace(hidden_units=(512, 256)),
    ),
    "epochs_15": Preset(
        "Longer: 15 epochs",
        "Lab 1: three times the training. Training accuracy keeps rising; test accuracy much less.",
        LECTURE.replace(epochs=15),
    ),
    "epochs_30": Preset(
        "Too many epochs: watch it overfit",
        "Lab 1: 30 epochs. Training loss keeps falling while validation loss turns back up: overfitting.",
        LECTURE.replace(epochs=30),
    ),
    "no_normalization": Preset(
        "No normalization: raw pixels 0–255",
        "Lab 1: skip dividing by 255. Big inputs make learning bumpy and less accurate.",
        LECTURE.replace(normalize=False),
    ),
    "callback_loss": Preset(
        "Callback: stop when loss < 0.4",
        "Lab 2: 512 neurons, up to 10 epochs, but a callback stops training once the loss falls below 0.4.",
        LECTURE.replace(hidden_units=(512,), epochs=10, stop_loss=0.4),
    ),
    "cnn": Preset(
        "Next step: a small CNN",
        "Two convolution + pooling blocks find edges and shapes before the Dense(128) layer (batch normalization "
        "keeps each block's output in range, dropout 0.25 curbs overfitting): ~91% test accuracy in 5 epochs.",
        LECTURE.replace(architecture="cnn", dropout=0.25),
    ),
}
