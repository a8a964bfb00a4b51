"""The settings a visitor picks: the one settings object, its schema (limits, labels, help), the choices
offered for each, and the presets.

May import: nothing else in playground.
"""
