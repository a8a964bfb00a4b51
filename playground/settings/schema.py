"""What one setting is, declared once beside its field: limits, label, help, widget; and its checks and strings.

config.ExperimentConfig gives each field a `setting(default, ...)`. From that one declaration come its validation,
its flat string for the URL, JSON and the CLI, its sidebar widget (playground/pages/parts/settings.py) and its CLI
option (playground/cli.py), so a new setting is one field plus its test. No Streamlit and no TensorFlow here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from playground.settings.choices import Choice

# Widget kinds the sidebar knows how to draw; "layers" is a layer count plus one size per layer.
WIDGETS = ("radio", "selectbox", "slider", "select_slider", "number_input", "toggle", "layers")
SECTIONS = ("network", "learning", "data")  # the sidebar's groups, in order


class ConfigError(ValueError):
    """A setting is outside its allowed range; the message names the field."""


@dataclass(frozen=True)
class Setting:
    """How one ExperimentConfig field is limited, shown, explained and spelled."""

    label: str  # the widget's label
    help: str  # one plain line for people who have never programmed
    widget: str  # one of WIDGETS
    section: str  # one of SECTIONS
    limits: tuple | None = None  # lowest and highest allowed (for "layers": of each layer's size)
    choices: Mapping[str, Choice] | None = None  # name → entry; the names are the allowed values
    step: float | None = None
    stops: tuple = ()  # a select_slider's positions (a value between them gets its own)
    number_format: str | None = None  # printf-style, e.g. "%.2f"
    show: Callable[[Any], str] | None = None  # how a select_slider prints a position
    switch: str | None = None  # an optional setting: the label of the toggle that turns it on (off means None)
    unused_shows: Any = None  # what its widget shows while switched off or not in use
    layers: tuple[int, int] | None = None  # "layers": fewest and most layers
    layers_label: str = ""
    layers_help: str = ""
    cli_aliases: tuple[str, ...] = ()  # older option spellings that must keep working (README, scripts)
    # Filled in from the dataclass field by `named`:
    name: str = ""
    kind: str = ""  # the field's annotation: "int", "float", "bool", "str", "float | None", "tuple[int, ...]"
    default: Any = None

    def named(self, field: dataclasses.Field) -> Setting:
        if self.widget not in WIDGETS or self.section not in SECTIONS:
            raise TypeError(f"{field.name}: unknown widget {self.widget!r} or section {self.section!r}")
        return dataclasses.replace(self, name=field.name, kind=str(field.type), default=field.default)

    @property
    def optional(self) -> bool:
        return self.kind.endswith("| None")

    @property
    def cli_option(self) -> str:
        return "--" + self.name.replace("_", "-")

    # -- Checks ------------------------------------------------------------------------------

    def check(self, value) -> None:
        """Raise ConfigError, starting with the field's name, if value is not allowed."""
        name = self.name
        if value is None and self.optional:
            return
        if self.choices is not None:
            if value not in self.choices:
                raise ConfigError(f"{name} must be one of {', '.join(self.choices)}, not {value!r}")
        elif self.kind == "bool":
            if not isinstance(value, bool):
                raise ConfigError(f"{name} must be true or false, not {value!r}")
        elif self.layers is not None:
            fewest, most = self.layers
            if not isinstance(value, tuple) or not fewest <= len(value) <= most:
                raise ConfigError(f"{name} must list {fewest} to {most} layers, got {value!r}")
            low, high = self.limits
            for count in value:
                if not _is_number(count, whole=True) or not low <= count <= high:
                    raise ConfigError(f"{name}: each layer needs {low} to {high} units, got {count!r}")
        elif self.limits is not None:
            low, high = self.limits
            whole = self.kind == "int"
            if not _is_number(value, whole):
                raise ConfigError(
                    f"{name} must be {'a whole number' if whole else 'a number'} from {low} to {high}, not {value!r}"
                )
            if not low <= value <= high:  # also rejects NaN
                raise ConfigError(f"{name} must be from {low} to {high}, not {value}")

    # -- Flat strings in and out ---------------------------------------------------------------

    def format(self, value) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, tuple):
            return ",".join(str(v) for v in value)
        return str(value)

    def parse(self, text: str):
        """Turn one string back into the field's type; a bad string is a ConfigError naming the field."""
        text = str(text).strip()
        try:
            if self.optional and text in ("", "none", "off"):
                return None
            return self.read(text)
        except ValueError:
            raise ConfigError(
                f"{self.name}: cannot read {text!r} as {self.kind.replace(' | None', ' or empty')}"
            ) from None

    def read(self, value):
        """A string or a widget's value as the field's type (ValueError if it can't be)."""
        if self.kind.startswith("tuple"):
            parts = value.split(",") if isinstance(value, str) else value
            return tuple(int(part) for part in parts if str(part).strip())
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            if value.lower() in ("true", "1", "yes", "on"):
                return True
            if value.lower() in ("false", "0", "no", "off"):
                return False
            raise ValueError(value)
        if self.kind == "int":
            return int(value)
        if self.kind.startswith("float"):
            return float(value)
        return str(value)

    def describe_limits(self) -> str:
        """The allowed values in words, for the CLI's help."""
        if self.choices is not None:
            return ""
        if self.layers is not None:
            low, high = self.limits
            return f"{self.layers[0]} to {self.layers[1]} layers of {low} to {high} neurons, e.g. 256,128"
        if self.limits is not None:
            return f"{self.limits[0]} to {self.limits[1]}" + (", or off" if self.optional else "")
        return ""


def setting(default, **declaration) -> dataclasses.Field:
    """A dataclass field whose metadata declares its Setting (see ExperimentConfig)."""
    return dataclasses.field(default=default, metadata={"setting": Setting(**declaration)})


def declared_settings(cls) -> dict[str, Setting]:
    """Every field of a dataclass built with `setting`, by name, in field order."""
    return {field.name: field.metadata["setting"].named(field) for field in dataclasses.fields(cls)}


def _is_number(value, whole: bool) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return isinstance(value, int) or not whole
