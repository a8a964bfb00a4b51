"""The named choices of a setting as tables of small objects: the keys fill the dropdowns, the CLI and the URL.

Each entry says what a chooser shows and explains, and whatever is needed to build it. Builders are plain data
(a Keras class name, filter counts) so this module, like every settings module, loads without TensorFlow.
Adding an optimizer, an activation or an architecture is one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Choice:
    """One entry of a choice table: a short label and one plain sentence on what it does."""

    label: str
    explains: str

    @property
    def defaults(self) -> dict:
        """Other settings that picking this entry resets to their usual values (none unless a subclass says)."""
        return {}


@dataclass(frozen=True)
class Architecture(Choice):
    """conv_filters: the 3×3 convolution blocks (each batch-normalized and max-pooled) before the hidden layers.

    examples_per_execution: images per call into TensorFlow (fewer Python round trips, a chart point every so
    often); seconds_per_image: the queue's first guess of training time per image and epoch on one core, until
    finished runs on this server have taught it better."""

    conv_filters: tuple[int, ...] = ()
    examples_per_execution: int = 2048
    seconds_per_image: float = 1.0 / 54000


@dataclass(frozen=True)
class Activation(Choice):
    """Keras knows every activation by its key, so the key is its builder."""


@dataclass(frozen=True)
class Optimizer(Choice):
    """keras_class with options builds it; learning_rate is its usual step size; slots are its per-weight memory."""

    keras_class: str = ""
    options: dict = field(default_factory=dict)
    learning_rate: float = 0.001
    slots: int = 0  # copies of the weights it keeps (Adam: two moving averages), for the server's memory estimate

    @property
    def defaults(self) -> dict:
        return {"learning_rate": self.learning_rate}


ARCHITECTURES = {
    "dense": Architecture(
        "Dense (the lecture)", "Dense network (Flatten → hidden layers → 10 outputs), as in the lecture"
    ),
    "cnn": Architecture(
        "Small CNN",
        "Small CNN (two Conv+BatchNorm+MaxPool blocks, then hidden layers)",
        conv_filters=(32, 64),
        examples_per_execution=512,
        seconds_per_image=14.0 / 54000,
    ),
}

HIDDEN_ACTIVATIONS = {  # what a visitor may choose for the hidden layers (the output layer is softmax)
    "relu": Activation("ReLU", "ReLU: keeps positive values, turns negatives into 0 (the lecture's choice)"),
    "sigmoid": Activation("Sigmoid", "Sigmoid: squashes everything into 0…1; learns slower in deep nets"),
    "tanh": Activation("Tanh", "Tanh: squashes into −1…1"),
    "elu": Activation("ELU", "ELU: like ReLU but smooth below 0"),
    "linear": Activation("Linear", "Linear: no activation, so stacked layers add no power"),
}

OPTIMIZERS = {
    "adam": Optimizer(
        "Adam", "Adam: adapts the step size per weight (the lecture's choice)", "Adam", learning_rate=0.001, slots=2
    ),
    "sgd": Optimizer("SGD", "SGD: plain gradient descent, steady steps", "SGD", learning_rate=0.01, slots=0),
    "sgd_momentum": Optimizer(
        "SGD with momentum",
        "SGD with momentum 0.9: keeps rolling in the direction it was going",
        "SGD",
        {"momentum": 0.9},
        learning_rate=0.01,
        slots=1,
    ),
    "rmsprop": Optimizer(
        "RMSprop", "RMSprop: scales steps by recent gradient size", "RMSprop", learning_rate=0.001, slots=1
    ),
}
