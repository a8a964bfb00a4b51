"""Which plotly.js this app's own charts load: npm's cartesian bundle of the plotly package's own plotly.js version,
else the plotly package's full bundle (playground/pages/parts/plotly_js.py's plotly_bundle)."""

from __future__ import annotations

import json

from playground.pages.parts.plotly_js import (
    FULL_BUNDLE,
    NPM_BUNDLE,
    NPM_PACKAGE,
    PLOTLY_URL,
    bundle_version,
    plotly_bundle,
)
from tests.appserver import ROOT


def test_the_pinned_npm_bundle_is_the_plotly_packages_version():
    """A new plotly package (its figures are made for its own plotly.js) needs js/package.json to follow it."""
    pinned = json.loads((ROOT / "js" / "package.json").read_text())["dependencies"][NPM_PACKAGE]
    assert pinned == bundle_version(FULL_BUNDLE)


def test_the_installed_npm_bundle_is_the_one_served():
    """setup.sh installs it wherever npm is (CI included), and then the app serves it, not the full bundle."""
    assert bundle_version(NPM_BUNDLE) == bundle_version(FULL_BUNDLE)
    assert plotly_bundle() == NPM_BUNDLE and PLOTLY_URL.endswith("/plotly-cartesian.min.js")


def test_a_missing_or_other_npm_bundle_falls_back_to_the_full_one(tmp_path):
    missing = tmp_path / "missing.min.js"
    assert plotly_bundle(npm=missing) == FULL_BUNDLE
    other = tmp_path / "plotly-cartesian.min.js"
    other.write_text("/**\n* plotly.js v3.0.0\n*/\n")
    assert bundle_version(other) == "3.0.0"
    assert plotly_bundle(npm=other) == FULL_BUNDLE
    garbage = tmp_path / "garbage.min.js"
    garbage.write_bytes(b"\xff\xfe not a bundle")
    assert bundle_version(garbage) is None and plotly_bundle(npm=garbage) == FULL_BUNDLE
    same = tmp_path / "same.min.js"
    same.write_text(f"/**\n* plotly.js v{bundle_version(FULL_BUNDLE)}\n*/\n")
    assert plotly_bundle(npm=same) == same
