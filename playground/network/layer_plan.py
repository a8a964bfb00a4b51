"""A saved Keras model's description (the config.json in a .keras file), checked layer by layer as plain JSON.

Only the layer classes playground.network.numpy_net can run are accepted, with the settings it runs them with: an
allow-list, so a Lambda, a custom class or an unknown option is refused before any weight is read. The result is
the plan NumpyNet runs (each layer's kind, output shape and weight shapes) and notes for the page.
"""

from __future__ import annotations

from playground.network.layer_maths import NUMPY_ACTIVATIONS
from playground.network.layers import KINDS, PlannedLayer
from playground.network.numpy_net import NUM_CLASSES
from playground.network.untrusted import file_text, number, sides

CODE_WORDS = "custom Python code, which is never run here"
ADDED_CHANNEL = "(channel added for the model)"  # a Reshape the file does not hold: (28, 28) -> (28, 28, 1)

# What one answer may cost the web process, which runs every uploaded model in NumPy for every visitor's picture.
# The playground's own CNN: 8 layers, 64 filters, 34,848 values at most (the second Conv2D's 3×3 patches),
# 2.5 million multiply-adds; the 1024-neuron dense model: 803,840. Each cap leaves it room many times over.
MAX_LAYERS = 40
MAX_VALUES = 250_000  # numbers one layer holds for one picture (a Conv2D's 3×3 patches included): 1 MB
MAX_WORK = 25_000_000  # multiply-adds for one picture: about 10 ms of NumPy here


class ModelFileError(ValueError):
    """Why an uploaded file cannot be used, in words for the page."""


def plan_from_config(saved: dict) -> tuple[list[PlannedLayer], list[str]]:
    """The layers NumpyNet runs for this config.json, and notes for the page; ModelFileError for anything else."""
    if not isinstance(saved, dict):
        raise ModelFileError("This model's description is not one a Keras model has.")
    if saved.get("class_name") != "Sequential" or saved.get("module") not in ("keras", "keras.models"):
        raise ModelFileError(
            "Only a plain stack of layers (a keras.Sequential model) can be read here; this file holds "
            f"a {file_text(saved.get('class_name', 'model of unknown kind'))}."
        )
    model_config = saved.get("config")
    layers = model_config.get("layers") if isinstance(model_config, dict) else None
    if not isinstance(layers, list) or not layers:
        raise ModelFileError("This model's description lists no layers.")
    if len(layers) > MAX_LAYERS:
        raise ModelFileError(
            f"This model has {len(layers):,} layers; at most {MAX_LAYERS} can answer here. Use fewer layers."
        )
    for layer in layers:  # custom code first: it is the one refusal that matters for safety
        kind = layer.get("class_name") if isinstance(layer, dict) else None
        if kind == "Lambda":
            raise ModelFileError(f"This model has a Lambda layer: {CODE_WORDS}. Only standard layers are accepted.")
        if not isinstance(kind, str) or layer.get("registered_name") or layer.get("module") != "keras.layers":
            raise ModelFileError(f"This model has a layer of its own making ({file_text(kind)}): {CODE_WORDS}.")
        if kind not in KINDS and kind != "InputLayer":
            raise ModelFileError(
                f"This model has a {file_text(kind)} layer, which this playground cannot run. It runs Dense, "
                "Conv2D (3×3), MaxPooling2D (2×2), BatchNormalization, Rescaling, Reshape, Flatten and Dropout layers."
            )
        if not isinstance(layer.get("config", {}), dict):
            raise ModelFileError(f"This model's {kind} layer has no settings a Keras layer has.")
    planner = _Planner(_input_shape(model_config, layers))
    for layer in layers:
        if layer["class_name"] != "InputLayer":
            planner.add(layer["class_name"], layer.get("config") or {})
    return planner.finish()


def plain_plan(plan: list[PlannedLayer]) -> list[dict]:
    """A plan as plain JSON values, for the sandboxed child to send back (see plan_from_plain)."""
    return [
        {
            "name": layer.name,
            "kind": layer.kind,
            "output_shape": list(layer.output_shape),
            "weight_shapes": [list(shape) for shape in layer.weight_shapes],
            "activation": layer.activation,
            "scale": layer.scale,
        }
        for layer in plan
    ]


def plan_from_plain(items) -> list[PlannedLayer]:
    """The plan a sandboxed child sent, each field checked again before the web process runs it (a child that a
    file managed to subvert must not be able to hand over anything else), and its costs checked."""
    damaged = ModelFileError("This model's description came back damaged from the reader.")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_LAYERS + 1:
        raise damaged
    plan = []
    for item in items:
        if not isinstance(item, dict) or item.get("kind") not in KINDS:
            raise damaged
        shapes = item.get("weight_shapes")
        if (
            not isinstance(item.get("name"), str)
            or not sides(item.get("output_shape"))
            or not isinstance(shapes, list)
            or len(shapes) > 4
            or not all(sides(shape) for shape in shapes)
            or item.get("activation") not in NUMPY_ACTIVATIONS
            or not number(item.get("scale"))
        ):
            raise damaged
        plan.append(
            PlannedLayer(
                file_text(item["name"]),
                item["kind"],
                tuple(item["output_shape"]),
                tuple(tuple(shape) for shape in shapes),
                item["activation"],
                float(item["scale"]),
            )
        )
    check_costs(plan)
    return plan


def check_costs(plan: list[PlannedLayer]) -> None:
    """ModelFileError, saying what to shrink, when one answer of this plan would cost the server too much."""
    if len(plan) > MAX_LAYERS + 1:  # the channel added for a (28, 28) input is not the model's own
        raise ModelFileError(f"This model has {len(plan)} layers; at most {MAX_LAYERS} can answer here. Use fewer.")
    shape: tuple[int, ...] = (28, 28)
    work = 0
    for layer in plan:
        widest, units = layer.does.widest, layer.does.units
        if widest is not None and layer.output_shape[-1] > widest:
            raise ModelFileError(
                f"This model has a {layer.kind} layer of {layer.output_shape[-1]:,} {units}; at most {widest:,} fit "
                f"here. Use fewer {units} (the playground's CNN has 32 and 64 filters, its widest layer 1024 neurons)."
            )
        held, multiplications = layer.does.costs(layer, shape)
        if held > MAX_VALUES:
            raise ModelFileError(
                f"This model's {layer.kind} layer holds {held:,} numbers for one picture; at most {MAX_VALUES:,} "
                "fit here. Use fewer filters or neurons, or pool (MaxPooling2D) before it."
            )
        work += multiplications
        shape = layer.output_shape
    if work > MAX_WORK:
        raise ModelFileError(
            f"This model needs {work:,} multiplications for one picture; at most {MAX_WORK:,} fit here. "
            "Use fewer filters or neurons, or pool (MaxPooling2D) earlier."
        )


def _input_shape(model_config: dict, layers: list[dict]) -> tuple[int, ...]:
    shape = None
    if layers[0]["class_name"] == "InputLayer":
        shape = (layers[0].get("config") or {}).get("batch_shape")
    shape = shape or model_config.get("build_input_shape")
    if not isinstance(shape, list) or not shape:
        raise ModelFileError("This model does not say what size of picture it takes.")
    shape = tuple(shape[1:])
    if shape not in ((28, 28), (28, 28, 1)) or not all(type(side) is int for side in shape):
        size = file_text(" × ".join(str(d) for d in shape[:4]))
        raise ModelFileError(
            f"This model takes inputs of {size}, but the pictures here are 28 × 28 grey pixels (as Fashion-MNIST)."
        )
    return shape


class _Planner:
    """Walks the layers once, keeping the current output shape; each kind's entry in playground.network.layers plans its
    layer from the file's settings and says, through refuse(), what does not fit."""

    def __init__(self, input_shape: tuple[int, ...]):
        self.shape: tuple[int, ...] = input_shape
        self.plan: list[PlannedLayer] = []
        self.notes: list[str] = []
        if input_shape == (28, 28, 1):  # NumpyNet is given (n, 28, 28) pixels: add the channel the model expects
            self.plan.append(PlannedLayer(ADDED_CHANNEL, "Reshape", input_shape))

    def refuse(self, what: str) -> None:
        raise ModelFileError(f"This model has {what}, which this playground cannot run.")

    @staticmethod
    def text(value) -> str:
        return file_text(value)

    def activation(self, settings: dict) -> str:
        activation = settings.get("activation", "linear")
        if not isinstance(activation, str) or activation not in NUMPY_ACTIVATIONS:
            self.refuse(f"the activation {file_text(activation)!r}")
        return activation

    def add(self, kind: str, settings: dict) -> None:
        layer = KINDS[kind].from_file(self, file_text(settings.get("name", kind)), settings)
        self.plan.append(layer)
        self.shape = layer.output_shape

    def finish(self) -> tuple[list[PlannedLayer], list[str]]:
        last = self.plan[-1] if self.plan else None
        if last is None or last.kind != "Dense" or last.output_shape != (NUM_CLASSES,):
            out = " × ".join(str(d) for d in self.shape)
            raise ModelFileError(
                f"This model gives {out} numbers, but here a model must end in a Dense layer with 10 outputs, "
                "one per kind of garment."
            )
        if last.activation == "linear":
            self.notes.append("This model gives 10 scores rather than probabilities: softmax turns them into %.")
        elif last.activation != "softmax":
            self.refuse(f"a last layer with the activation {last.activation!r} (softmax or none is needed)")
        if not any(layer.does.rescales for layer in self.plan):
            self.notes.append(
                "This model has no Rescaling layer, so it gets pixel values from 0 to 255; if it was trained on "
                "values from 0 to 1, its answers will be off."
            )
        check_costs(self.plan)
        return self.plan, self.notes
