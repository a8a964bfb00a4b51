"""The Train page's sidebar: presets and every hyperparameter as keyed widgets, kept in step with the URL."""

from __future__ import annotations

import re

import streamlit as st

from playground.config import (
    ACTIVATIONS,
    ARCHITECTURES,
    DEFAULT_LEARNING_RATES,
    LIMITS,
    OPTIMIZERS,
    PRESETS,
    ConfigError,
    ExperimentConfig,
    split_known_params,
)
from playground.pages.common import current_config

UNIT_CHOICES = [8, 16, 32, 64, 128, 256, 512, 1024, 2048]
LEARNING_RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
BATCH_SIZES = [8, 16, 32, 64, 128, 256, 512, 1024]
TRAIN_LIMITS = [1000, 2000, 5000, 10000, 20000, 30000, 60000]
PLAIN_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,40}")  # a parameter name safe to show as it is


# -- Settings <-> widgets ------------------------------------------------------------


def widget_values(config: ExperimentConfig) -> dict:
    """The widget state that shows this configuration (keys are the widgets' keys)."""
    values = {
        "hp_architecture": config.architecture,
        "hp_layers": len(config.hidden_units),
        "hp_activation": config.activation,
        "hp_dropout": config.dropout,
        "hp_optimizer": config.optimizer,
        "hp_learning_rate": config.learning_rate,
        "hp_epochs": config.epochs,
        "hp_batch_size": config.batch_size,
        "hp_normalize": config.normalize,
        "hp_validation_split": config.validation_split,
        "hp_train_limit": config.train_limit,
        "hp_seed": config.seed,
        "hp_stop_accuracy_on": config.stop_accuracy is not None,
        "hp_stop_accuracy": config.stop_accuracy if config.stop_accuracy is not None else 0.9,
        "hp_stop_loss_on": config.stop_loss is not None,
        "hp_stop_loss": config.stop_loss if config.stop_loss is not None else 0.4,
        "hp_augment": config.augment,
    }
    for index in range(4):
        units = config.hidden_units[index] if index < len(config.hidden_units) else 128
        values[f"hp_units_{index}"] = units
    return values


def config_from_widgets() -> ExperimentConfig:
    """Read the widgets back into a validated configuration (ConfigError if a value is out of range)."""
    state = st.session_state
    return ExperimentConfig(
        architecture=state.hp_architecture,
        hidden_units=tuple(int(state[f"hp_units_{i}"]) for i in range(int(state.hp_layers))),
        activation=state.hp_activation,
        dropout=float(state.hp_dropout),
        optimizer=state.hp_optimizer,
        learning_rate=float(state.hp_learning_rate),
        epochs=int(state.hp_epochs),
        batch_size=int(state.hp_batch_size),
        normalize=bool(state.hp_normalize),
        validation_split=float(state.hp_validation_split),
        train_limit=int(state.hp_train_limit),
        seed=int(state.hp_seed),
        stop_accuracy=float(state.hp_stop_accuracy) if state.hp_stop_accuracy_on else None,
        stop_loss=float(state.hp_stop_loss) if state.hp_stop_loss_on else None,
        augment=bool(state.hp_augment),
    )


def load_preset() -> None:
    """Preset picked: put its settings into every widget."""
    config = PRESETS[st.session_state.preset].config
    st.session_state.config = config
    st.session_state.update(widget_values(config))


def adopt_learning_rate() -> None:
    """A new optimizer starts from its usual learning rate, as the lesson's optimizers would."""
    st.session_state.hp_learning_rate = DEFAULT_LEARNING_RATES[st.session_state.hp_optimizer]


def with_value(options: list, value) -> list:
    return sorted(set(options) | {value})


def apply_shared_link() -> None:
    """A link can carry settings in its URL (?epochs=15&hidden_units=256,128); apply them once per visit.

    Whatever else a link picked up on its way (fbclid, utm_source, ...) is ignored, and the page says so.
    """
    if st.session_state.get("link_applied"):
        return  # later changes to the address bar are our own
    st.session_state.link_applied = True
    params = st.query_params.to_dict()
    if not params:
        return
    known, ignored = split_known_params(params)
    if ignored:
        st.session_state.link_ignored = readable_names(ignored)
    try:
        config = ExperimentConfig.from_flat_dict(known)
    except ConfigError as error:
        st.session_state.link_error = str(error)
        return
    st.session_state.config = config
    st.session_state.update(widget_values(config))


def forget_link_notes() -> None:
    """Once the visitor trains, what the link brought is old news."""
    st.session_state.pop("link_error", None)
    st.session_state.pop("link_ignored", None)


def readable_names(names: list[str], most: int = 6) -> str:
    """Parameter names as inert code spans (a link is anyone's text: no markdown or links of its own get through)."""
    shown = [f"`{name}`" for name in names if PLAIN_NAME.fullmatch(name)][:most]
    rest = len(names) - len(shown)
    if not shown:
        return f"{rest} unknown parameter{'s' if rest > 1 else ''}"
    return ", ".join(shown) + (f" and {rest} more" if rest else "")


def share_in_link(config: ExperimentConfig) -> None:
    """Keep the address bar in step with the settings (only what differs from the lecture model)."""
    lecture = PRESETS["lecture"].config.to_flat_dict()
    changed = {key: value for key, value in config.to_flat_dict().items() if value != lecture[key]}
    if changed != st.query_params.to_dict():
        st.query_params.from_dict(changed)


def settings_sidebar() -> ExperimentConfig:
    """Draw the sidebar and return the chosen, validated configuration (the last good one if a value is bad)."""
    apply_shared_link()
    # What the link brought is said until the visitor trains (a rerun right after arriving must not lose it).
    if "link_error" in st.session_state:
        st.error(
            f"The settings in this link can't be used ({st.session_state.link_error}), "
            "so the lecture model's settings are shown instead.",
            icon=":material/link_off:",
        )
    if "link_ignored" in st.session_state:
        st.caption(f":material/link: Ignored in this link: {st.session_state.link_ignored}.")
    # Widgets lose their state when another page is shown; refill them from the kept configuration.
    for key, value in widget_values(current_config()).items():
        st.session_state.setdefault(key, value)
    st.session_state.setdefault("preset", "lecture")

    st.sidebar.selectbox(
        "Start from a lesson experiment",
        options=list(PRESETS),
        format_func=lambda name: PRESETS[name].title,
        key="preset",
        on_change=load_preset,
        help="Each preset sets every hyperparameter below the way one exercise of the lesson does.",
    )
    st.sidebar.caption(PRESETS[st.session_state.preset].lesson)
    changes_note = st.sidebar.empty()  # filled once the widgets are read

    with st.sidebar.expander("The network", expanded=True, icon=":material/hub:"):
        st.radio(
            "Architecture",
            options=list(ARCHITECTURES),
            format_func=lambda name: {"dense": "Dense (the lecture)", "cnn": "Small CNN"}[name],
            key="hp_architecture",
            help="Dense layers look at every pixel at once. A CNN first scans the image for small patterns.",
        )
        st.slider("Hidden layers", 1, 4, key="hp_layers", help="Layers between the pixels and the 10 answers.")
        for index in range(int(st.session_state.hp_layers)):
            st.select_slider(
                f"Neurons in hidden layer {index + 1}",
                options=with_value(UNIT_CHOICES, st.session_state[f"hp_units_{index}"]),
                key=f"hp_units_{index}",
                help="More neurons can learn finer details, but are slower and can memorise the training set.",
            )
        st.selectbox(
            "Activation",
            options=list(ACTIVATIONS),
            key="hp_activation",
            help="What each hidden neuron does with its sum. " + " ".join(ACTIVATIONS.values()),
        )
        st.slider(
            "Dropout",
            *LIMITS["dropout"],
            step=0.05,
            key="hp_dropout",
            help="Switch off this share of neurons at random while training, so none can be relied on alone.",
        )
    with st.sidebar.expander("How it learns", expanded=True, icon=":material/trending_down:"):
        st.selectbox(
            "Optimizer",
            options=list(OPTIMIZERS),
            key="hp_optimizer",
            on_change=adopt_learning_rate,
            help="How the weights are changed after each batch. " + " ".join(OPTIMIZERS.values()),
        )
        st.select_slider(
            "Learning rate",
            options=with_value(LEARNING_RATES, st.session_state.hp_learning_rate),
            key="hp_learning_rate",
            help="How big each step is. Too small: slow. Too big: the loss jumps around or training breaks down.",
        )
        st.slider(
            "Epochs",
            *LIMITS["epochs"],
            key="hp_epochs",
            help="How many times the network sees every training image. Too many and it starts to memorise.",
        )
        st.select_slider(
            "Batch size",
            options=with_value(BATCH_SIZES, st.session_state.hp_batch_size),
            key="hp_batch_size",
            help="Images looked at before each weight update. Small: many noisy steps. Large: fewer, smoother steps.",
        )
        st.toggle(
            "Normalize: divide pixels by 255",
            key="hp_normalize",
            help="Turns pixel values 0–255 into 0–1. Without it, learning is bumpier and usually worse.",
        )
        st.toggle(
            "Augment: shift, zoom and dim images",
            key="hp_augment",
            help="Shows slightly changed copies of the images, so the network copes with drawings and photos.",
        )
    with st.sidebar.expander("Data and stopping", expanded=True, icon=":material/dataset:"):
        st.select_slider(
            "Training images",
            options=with_value(TRAIN_LIMITS, st.session_state.hp_train_limit),
            key="hp_train_limit",
            format_func=lambda n: f"{n:,}",
            help="Use fewer images for a quick experiment (the same number of each garment).",
        )
        st.slider(
            "Held out for validation",
            *LIMITS["validation_split"],
            step=0.01,
            key="hp_validation_split",
            help="A share of the training images kept aside to check, each epoch, how it does on unseen images.",
        )
        st.number_input(
            "Random seed",
            0,
            2**31 - 1,
            step=1,
            key="hp_seed",
            help="The same seed gives the same starting weights and the same shuffling, so runs can be repeated.",
        )
        st.toggle(
            "Stop at a training accuracy",
            key="hp_stop_accuracy_on",
            help="The lesson's callback: end training as soon as the target is reached at the end of an epoch.",
        )
        if st.session_state.hp_stop_accuracy_on:
            st.slider("Accuracy target", *LIMITS["stop_accuracy"], step=0.01, key="hp_stop_accuracy", format="%.2f")
        st.toggle(
            "Stop at a low loss",
            key="hp_stop_loss_on",
            help="Lab 2's callback: end training once the loss is small enough.",
        )
        if st.session_state.hp_stop_loss_on:
            st.number_input("Loss target", *LIMITS["stop_loss"], step=0.05, key="hp_stop_loss", format="%.3f")

    try:
        config = config_from_widgets()
        st.session_state.config = config
    except ConfigError as error:
        st.error(f"That setting can't be used: {error}. The last good settings are kept.", icon=":material/error:")
        config = current_config()
    share_in_link(config)
    preset = PRESETS[st.session_state.preset].config.to_flat_dict()
    changed = [
        f"{name.replace('_', ' ')} {value or 'off'}"
        for name, value in config.to_flat_dict().items()
        if value != preset[name]
    ]
    if changed:
        changes_note.caption(":material/edit: Changed from this preset: " + ", ".join(changed) + ".")
    return config
