"""The Train page's sidebar: presets and every setting as keyed widgets, kept in step with the URL.

Every widget is made from its field's declaration in playground.settings.config (config.SETTINGS): a new setting needs
no edit here. A setting's widgets are keyed "hp_<name>"; an optional one adds the toggle "hp_<name>_on"; the hidden
layers are "hp_layers" and "hp_units_0" to "hp_units_3".
"""

from __future__ import annotations

import re

import streamlit as st

from playground.pages.parts.common import current_config
from playground.server.limits import environment_number
from playground.settings.config import (
    SETTINGS,
    ConfigError,
    ExperimentConfig,
    changed_settings,
    describe_changes,
    split_known_params,
)
from playground.settings.presets import PRESETS
from playground.settings.schema import Setting

SECTIONS = {  # the sidebar's groups (Setting.section), in order
    "network": ("The network", ":material/hub:"),
    "learning": ("How it learns", ":material/trending_down:"),
    "data": ("Data and stopping", ":material/dataset:"),
}
PLAIN_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,40}")  # a parameter name safe to show as it is
# A newcomer's first view of Train comes without the ~20 settings widgets, which cost a slow browser about a
# second to draw; they follow SETTINGS_DELAY seconds later. PLAYGROUND_SETTINGS_DELAY=0 draws everything at once.
SETTINGS_DELAY = 0.5


def settings_delay() -> float:
    return environment_number("PLAYGROUND_SETTINGS_DELAY", SETTINGS_DELAY)


# -- Settings <-> widget state -----------------------------------------------------------------------


def widget_keys(spec: Setting) -> list[str]:
    """The session-state keys of this setting's widgets."""
    if spec.widget == "layers":
        return ["hp_layers", *(f"hp_units_{index}" for index in range(spec.layers[1]))]
    return [f"hp_{spec.name}_on", f"hp_{spec.name}"] if spec.switch else [f"hp_{spec.name}"]


def widget_state(spec: Setting, value) -> dict:
    """The widget state that shows one setting's value."""
    if spec.widget == "layers":
        state = {"hp_layers": len(value)}
        for index in range(spec.layers[1]):
            state[f"hp_units_{index}"] = value[index] if index < len(value) else spec.unused_shows
        return state
    if spec.switch:
        return {
            f"hp_{spec.name}_on": value is not None,
            f"hp_{spec.name}": spec.unused_shows if value is None else value,
        }
    return {f"hp_{spec.name}": value}


def widget_values(config: ExperimentConfig) -> dict:
    """The widget state that shows this configuration (keys are the widgets' keys)."""
    values = {}
    for name, spec in SETTINGS.items():
        values.update(widget_state(spec, getattr(config, name)))
    return values


def read_widget(spec: Setting, state):
    """One setting's value as its widgets show it."""
    if spec.widget == "layers":
        return spec.read([state[f"hp_units_{index}"] for index in range(int(state["hp_layers"]))])
    if spec.switch and not state[f"hp_{spec.name}_on"]:
        return None
    return spec.read(state[f"hp_{spec.name}"])


def config_from_widgets() -> ExperimentConfig:
    """Read the widgets back into a validated configuration (ConfigError if a value is out of range)."""
    return ExperimentConfig(**{name: read_widget(spec, st.session_state) for name, spec in SETTINGS.items()})


def commit_widgets() -> str | None:
    """The widgets' values into the session's one configuration ("config"); what is wrong, in words, if a value
    can't be used (the configuration then stays as it was). Nothing happens before the widgets were first drawn.

    "config" is the settings' one home: Streamlit drops the hp_* widgets' state on a page that does not draw
    them, and settings_sidebar fills the widgets from "config" again (show_in_widgets)."""
    if not all(key in st.session_state for spec in SETTINGS.values() for key in widget_keys(spec)):
        return None
    try:
        st.session_state.config = config_from_widgets()
    except ConfigError as error:
        return str(error)
    return None


def show_in_widgets(config: ExperimentConfig, overwrite: bool = True) -> None:
    """Put a configuration into the session and its widgets (only the missing widgets' state, unless overwrite)."""
    st.session_state.config = config
    for key, value in widget_values(config).items():
        if overwrite or key not in st.session_state:
            st.session_state[key] = value


def load_preset() -> None:
    """Preset picked: put its settings into every widget."""
    show_in_widgets(PRESETS[st.session_state.preset].config)


def adopt_defaults(spec: Setting) -> None:
    """A new choice starts from its usual values (a new optimizer from its usual learning rate)."""
    for name, value in spec.choices[st.session_state[f"hp_{spec.name}"]].defaults.items():
        st.session_state.update(widget_state(SETTINGS[name], value))


# -- Drawing ---------------------------------------------------------------------------------------------


def with_value(options, value) -> list:
    return sorted(set(options) | {value})


def draw_setting(spec: Setting) -> None:
    """The widget(s) its declaration asks for; an optional setting's value widget shows once it is switched on."""
    key, help_text = f"hp_{spec.name}", spec.help
    if spec.switch:
        st.toggle(spec.switch, key=f"{key}_on", help=help_text)
        if not st.session_state[f"{key}_on"]:
            return
        help_text = None  # said by the toggle
    low, high = spec.limits or (None, None)
    if spec.widget == "radio":
        choices = spec.choices
        st.radio(spec.label, list(choices), format_func=lambda name: choices[name].label, key=key, help=help_text)
    elif spec.widget == "selectbox":
        # The names as Keras spells them, explained in the help.
        explained = " ".join(filter(None, [help_text, *(entry.explains for entry in spec.choices.values())]))
        on_change = adopt_defaults if any(entry.defaults for entry in spec.choices.values()) else None
        st.selectbox(spec.label, list(spec.choices), key=key, help=explained, on_change=on_change, args=(spec,))
    elif spec.widget == "slider":
        st.slider(spec.label, low, high, step=spec.step, key=key, help=help_text, format=spec.number_format)
    elif spec.widget == "number_input":
        st.number_input(spec.label, low, high, step=spec.step, key=key, help=help_text, format=spec.number_format)
    elif spec.widget == "select_slider":
        options = with_value(spec.stops, st.session_state[key])
        st.select_slider(spec.label, options, key=key, help=help_text, format_func=spec.show or str)
    elif spec.widget == "toggle":
        st.toggle(spec.label, key=key, help=help_text)
    elif spec.widget == "layers":
        st.slider(spec.layers_label, *spec.layers, key="hp_layers", help=spec.layers_help)
        for index in range(int(st.session_state.hp_layers)):
            key = f"hp_units_{index}"
            st.select_slider(
                spec.label.format(number=index + 1),
                options=with_value(spec.stops, st.session_state[key]),
                key=key,
                help=help_text,
            )
    else:
        raise ValueError(f"{spec.name}: the sidebar has no {spec.widget!r} widget")


# -- Links -----------------------------------------------------------------------------------------------


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
    show_in_widgets(config)


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
    changed = changed_settings(config, PRESETS["lecture"].config)
    if changed != st.query_params.to_dict():
        st.query_params.from_dict(changed)


# -- The sidebar -----------------------------------------------------------------------------------------


def show_link_notes(where=st) -> None:
    """What the link brought is said until the visitor trains (a rerun right after arriving must not lose it)."""
    if "link_error" in st.session_state:
        where.error(
            f"The settings in this link can't be used ({st.session_state.link_error}), "
            "so the lecture model's settings are shown instead.",
            icon=":material/link_off:",
        )
    if "link_ignored" in st.session_state:
        where.caption(f":material/link: Ignored in this link: {st.session_state.link_ignored}.")


def settled() -> bool:
    """False during a session's very first view of Train (first_look), whose whole page comes a moment later."""
    return settings_delay() <= 0 or bool(st.session_state.get("settings_shown"))


def first_look() -> bool:
    """True for a session's very first view of Train: the settings widgets come a moment later."""
    if settled():
        return False
    st.session_state.settings_shown = True  # whatever runs next (the page's own rerun, a click) draws them
    return True


def first_look_sidebar(notes=st) -> ExperimentConfig:
    """The sidebar of a first look: a link's settings applied and said, the widgets on their way."""
    apply_shared_link()
    show_link_notes(notes)
    st.sidebar.caption(":material/tune: Loading the settings…")
    return current_config()


def settings_sidebar(notes=st) -> ExperimentConfig:
    """Draw the sidebar and return the chosen, validated configuration (the last good one if a value is bad).
    Problems with a link or a typed-in value are said in `notes` (a container on the page; the page itself by
    default)."""
    apply_shared_link()
    show_link_notes(notes)
    # Widgets lose their state when another page is shown; refill them from the kept configuration.
    show_in_widgets(current_config(), overwrite=False)
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

    for section, (title, icon) in SECTIONS.items():
        with st.sidebar.expander(title, expanded=True, icon=icon):
            for spec in SETTINGS.values():
                if spec.section == section:
                    draw_setting(spec)

    problem = commit_widgets()
    if problem is not None:
        notes.error(f"That setting can't be used: {problem}. The last good settings are kept.", icon=":material/error:")
    config = current_config()
    share_in_link(config)
    changes = describe_changes(config, PRESETS[st.session_state.preset].config)
    if changes:
        changes_note.caption(f":material/edit: Changed from this preset: {changes}.")
    return config
