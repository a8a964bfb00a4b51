"""Train: pick a lesson experiment, change any setting, train, and watch the network learn live."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from playground import charts
from playground.config import (
    ACTIVATIONS,
    ARCHITECTURES,
    DEFAULT_LEARNING_RATES,
    LIMITS,
    OPTIMIZERS,
    PRESETS,
    ConfigError,
    ExperimentConfig,
)
from playground.data import CLASS_NAMES
from playground.model import build_model, summary_rows
from playground.pages.common import current_config, dataset, session_lab
from playground.training import RunState, TrainingRun

LIVE_REFRESH_SECONDS = 0.4  # the live view redraws ~2.5 times per second
UNIT_CHOICES = [8, 16, 32, 64, 128, 256, 512, 1024, 2048]
LEARNING_RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
BATCH_SIZES = [8, 16, 32, 64, 128, 256, 512, 1024]
TRAIN_LIMITS = [1000, 2000, 5000, 10000, 20000, 30000, 60000]


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
    """A link can carry settings in its URL (?epochs=15&hidden_units=256,128); apply them once per visit."""
    if st.session_state.get("link_applied"):
        return  # later changes to the address bar are our own
    st.session_state.link_applied = True
    params = st.query_params.to_dict()
    if not params:
        return
    try:
        config = ExperimentConfig.from_flat_dict(params)
    except ConfigError as error:
        st.session_state.link_error = str(error)
        return
    st.session_state.config = config
    st.session_state.update(widget_values(config))


def share_in_link(config: ExperimentConfig) -> None:
    """Keep the address bar in step with the settings (only what differs from the lecture model)."""
    lecture = PRESETS["lecture"].config.to_flat_dict()
    changed = {key: value for key, value in config.to_flat_dict().items() if value != lecture[key]}
    if changed != st.query_params.to_dict():
        st.query_params.from_dict(changed)


@st.cache_data(max_entries=64, show_spinner=False)
def model_summary(flat_config: dict) -> tuple[list[dict], int]:
    model = build_model(ExperimentConfig.from_flat_dict(flat_config))
    return summary_rows(model), model.count_params()


# -- The page ---------------------------------------------------------------------------

st.set_page_config(page_title="Train · Fashion-MNIST playground", layout="wide")
st.title("Train a network")
st.write(
    "Pick one of the lesson's experiments in the sidebar, change anything you like, and press **Train**. "
    "The charts show the network learning, batch by batch. Training keeps going if you visit another page."
)
data = dataset()
lab = session_lab()

apply_shared_link()
if "link_error" in st.session_state:
    st.error(
        f"The settings in this link can't be used ({st.session_state.pop('link_error')}), "
        "so the lecture model's settings are shown instead.",
        icon=":material/link_off:",
    )
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

rows, parameters = model_summary(config.to_flat_dict())
with st.expander(f"Model summary: {parameters:,} weights to learn", expanded=lab.current is None):
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption("Each weight is a number the optimizer adjusts. The lecture model has 101,770.")

run = lab.current
active = run is not None and not run.snapshot.state.done
train_column, stop_column, _ = st.columns([1, 1, 4])
if train_column.button(
    "Train",
    type="primary",
    icon=":material/play_arrow:",
    disabled=active,
    key="train_button",
    help="Start training with these settings." if not active else "Stop the current run first.",
):
    run = lab.start(config, data)
    active = True
stop_column.button(
    "Stop",
    icon=":material/stop:",
    disabled=not active,
    key="stop_button",
    on_click=(run.stop if run is not None else None),
    help="End training after the current batch. The model trained so far is kept.",
)


# -- Live view ----------------------------------------------------------------------------


def describe(snap) -> str:
    if snap.state is RunState.QUEUED:
        return f"Waiting for a free trainer: you are number {snap.queue_position} in the queue."
    if snap.state is RunState.STOPPING:
        return "Stopping after this batch…"
    eta = f", about {snap.eta:.0f} s left" if snap.eta else ""
    return f"Epoch {snap.epoch} of {snap.epochs} · {snap.examples_seen:,} images seen · {snap.elapsed:.0f} s{eta}"


def live_view(run: TrainingRun) -> None:
    snap = run.snapshot
    if not snap.state.done:
        st.progress(snap.progress, text=describe(snap))
    elif snap.state is RunState.FAILED:
        st.error(snap.error, icon=":material/error:")
    else:
        st.success(f"Training {snap.state.value}: {snap.stop_reason}. ({snap.elapsed:.0f} s)", icon=":material/check:")
    st.plotly_chart(charts.live_training_figure(snap), key="live_chart", config={"displayModeBar": False})
    if snap.state.done and st.session_state.get("finished_run") != id(run):
        st.session_state.finished_run = id(run)
        st.rerun()  # once, to stop the timer and draw the results below


if run is None:
    st.info("Press **Train** to start. The lecture model takes about 10 seconds here.", icon=":material/school:")
    st.stop()

st.subheader("Watch it learn")
st.fragment(run_every=LIVE_REFRESH_SECONDS if active else None, key="live_view")(live_view)(run)


# -- Results --------------------------------------------------------------------------------

snap = run.snapshot
if run.evaluation is None or snap.train_accuracy is None:
    st.stop()
evaluation = run.evaluation
st.subheader("How well did it learn?")
kind, sentence = charts.verdict(snap.train_accuracy, evaluation.accuracy)
left, right = st.columns([2, 3])
with left:
    st.metric("Training accuracy", f"{snap.train_accuracy:.1%}", help="On the images it learned from.")
    st.metric(
        "Test accuracy",
        f"{evaluation.accuracy:.1%}",
        delta=f"{(evaluation.accuracy - snap.train_accuracy) * 100:+.1f} points vs training",
        help="On 10,000 images it never saw while training: the honest score.",
    )
    st.markdown(f"**Verdict: {kind}.** {sentence}")
with right:
    st.plotly_chart(
        charts.accuracy_comparison_figure(
            snap.train_accuracy, evaluation.accuracy, snap.epoch_history[-1].val_accuracy
        ),
        key="accuracy_bars",
        config={"displayModeBar": False},
    )

confusion_tab, per_class_tab, mistakes_tab, compare_tab = st.tabs(
    ["Confusion matrix", "Per garment", "Its mistakes", "Compare runs"]
)
with confusion_tab:
    chart_column, notes_column = st.columns([3, 2])
    chart_column.plotly_chart(
        charts.confusion_figure(evaluation.confusion), key="confusion", config={"displayModeBar": False}
    )
    with notes_column:
        st.markdown(
            "**How to read it.** Each row is a real garment, each column the model's guess. "
            "The green diagonal counts right answers; every red square is a mix-up."
        )
        st.markdown("**Mixed up most often**")
        for true_name, guess_name, count in evaluation.most_confused(5):
            st.markdown(f"- {count} × a {true_name} taken for a {guess_name}")
with per_class_tab:
    st.plotly_chart(
        charts.per_class_accuracy_figure(evaluation.per_class_accuracy),
        key="per_class",
        config={"displayModeBar": False},
    )
with mistakes_tab:
    pairs = evaluation.most_confused(10)
    if not pairs:
        st.success("No mistakes at all on the test set.")
    else:
        options = [f"{true} taken for {guess} ({count})" for true, guess, count in pairs]
        choice = st.selectbox("Which mix-up?", options, key="mistake_pair", help="The most frequent mix-ups first.")
        true_name, guess_name, _ = pairs[options.index(choice)]
        indices = evaluation.cell_indices(
            data.test_labels, CLASS_NAMES.index(true_name), CLASS_NAMES.index(guess_name)
        )[:24]
        confidence = evaluation.probabilities[indices, CLASS_NAMES.index(guess_name)]
        st.plotly_chart(
            charts.image_grid_figure(data.test_images[indices], [f"{p:.0%} sure" for p in confidence], columns=8),
            key="mistakes_grid",
            config={"displayModeBar": False},
        )
        st.caption(f"Test images of a {true_name} that the model called {guess_name}, with how sure it was.")
with compare_tab:
    table = []
    for number, past in enumerate(lab.runs, start=1):
        s = past.snapshot
        c = past.config
        table.append(
            {
                "run": number,
                "model": f"{c.architecture} {','.join(map(str, c.hidden_units))} {c.activation}",
                "optimizer": f"{c.optimizer} {c.learning_rate:g}",
                "epochs": len(s.epoch_history),
                "images": c.train_limit,
                "training acc.": s.train_accuracy,
                "validation acc.": s.epoch_history[-1].val_accuracy if s.epoch_history else None,
                "test acc.": s.test_accuracy,
                "seconds": round(s.elapsed, 1),
                "how it ended": s.stop_reason or s.error or s.state.value,
            }
        )
    st.dataframe(
        pd.DataFrame(table),
        hide_index=True,
        width="stretch",
        column_config={
            name: st.column_config.NumberColumn(format="percent")
            for name in ("training acc.", "validation acc.", "test acc.")
        },
    )
    st.caption("Every run of this browser session. Change one setting at a time to see what it does.")
