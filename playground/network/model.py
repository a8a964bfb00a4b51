"""Build a compiled Keras model from an ExperimentConfig; the model takes raw uint8 28×28 images."""

from __future__ import annotations

import keras

from playground.network.layers import keras_layer
from playground.network.numpy_net import planned_layers
from playground.settings.config import OPTIMIZERS, ExperimentConfig

NUM_CLASSES = 10


def make_optimizer(name: str, learning_rate: float) -> keras.optimizers.Optimizer:
    """The optimizer named in the config, built from its entry in config.OPTIMIZERS."""
    entry = OPTIMIZERS[name]
    return getattr(keras.optimizers, entry.keras_class)(learning_rate=learning_rate, **entry.options)


@keras.saving.register_keras_serializable(package="playground")
class SmoothedSparseCrossentropy(keras.losses.Loss):
    """Cross-entropy against smoothed answers: 1 - e on the right garment plus e spread over all ten.

    Keras 3.15's sparse loss has no label_smoothing (its categorical loss has, and the tests compare against it);
    the smoothed loss is the plain one plus e times the cross-entropy to a uniform answer, so labels stay integers.
    """

    def __init__(self, label_smoothing: float, name: str = "smoothed_sparse_crossentropy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.label_smoothing = float(label_smoothing)

    def call(self, y_true, y_pred):
        right_answer = keras.losses.sparse_categorical_crossentropy(y_true, y_pred)
        uniform = keras.ops.ones_like(y_pred) / keras.ops.shape(y_pred)[-1]
        spread = keras.ops.categorical_crossentropy(uniform, y_pred)
        return (1 - self.label_smoothing) * right_answer + self.label_smoothing * spread

    def get_config(self) -> dict:
        return {**super().get_config(), "label_smoothing": self.label_smoothing}


def make_loss(label_smoothing: float) -> str | keras.losses.Loss:
    """The lesson's loss; with label smoothing, its smoothed form."""
    return SmoothedSparseCrossentropy(label_smoothing) if label_smoothing else "sparse_categorical_crossentropy"


def build_model(config: ExperimentConfig) -> keras.Sequential:
    """Uncompiled model: uint8 pixels in, ten softmax probabilities out; the layers playground.network.numpy_net plans
    for this config, each built as its kind's entry in playground.network.layers says."""
    keras.utils.set_random_seed(config.seed)
    stack = [keras.Input(shape=(28, 28), dtype="uint8", name="pixels")]
    stack += [keras_layer(layer, config) for layer in planned_layers(config)]
    return keras.Sequential(stack, name=f"{config.architecture}_model")


def compile_model(
    model: keras.Model, config: ExperimentConfig, steps_per_execution: int = 1, jit_compile: bool | str = "auto"
) -> keras.Model:
    """Compile as the lesson does: sparse categorical cross-entropy (smoothed if asked), accuracy."""
    model.compile(
        optimizer=make_optimizer(config.optimizer, config.learning_rate),
        loss=make_loss(config.label_smoothing),
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
        jit_compile=jit_compile,
    )
    return model


def build_compiled_model(config: ExperimentConfig, **compile_options) -> keras.Model:
    """build_model + compile_model."""
    return compile_model(build_model(config), config, **compile_options)


def model_summary_rows(model: keras.Model) -> list[dict]:
    """One row per layer (name, kind, output shape, parameters) for a table in the UI."""
    rows = []
    for layer in model.layers:
        shape = tuple(layer.output.shape)[1:]
        rows.append(
            {
                "layer": layer.name,
                "kind": type(layer).__name__,
                "output shape": " × ".join(str(d) for d in shape),
                "parameters": layer.count_params(),
            }
        )
    return rows
