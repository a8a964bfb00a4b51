"""Which plotly.js the live chart loads: npm's basic bundle of the plotly package's own plotly.js version, else the
plotly package's full bundle (playground/pages/parts/live_chart.py's plotly_bundle)."""

from __future__ import annotations

import json

from playground.pages.parts.live_chart import BASIC_BUNDLE, FULL_BUNDLE, PLOTLY_URL, bundle_version, plotly_bundle
from tests.appserver import ROOT


def test_the_pinned_basic_bundle_is_the_plotly_packages_version():
    """A new plotly package (its figures are made for its own plotly.js) needs js/package.json to follow it."""
    pinned = json.loads((ROOT / "js" / "package.json").read_text())["dependencies"]["plotly.js-basic-dist-min"]
    assert pinned == bundle_version(FULL_BUNDLE)


def test_the_installed_basic_bundle_is_the_one_served():
    """setup.sh installs it wherever npm is (CI included), and then the app serves it, not the full bundle."""
    assert bundle_version(BASIC_BUNDLE) == bundle_version(FULL_BUNDLE)
    assert plotly_bundle() == BASIC_BUNDLE and PLOTLY_URL.endswith("/plotly-basic.min.js")


def test_a_missing_or_other_basic_bundle_falls_back_to_the_full_one(tmp_path):
    missing = tmp_path / "missing.min.js"
    assert plotly_bundle(basic=missing) == FULL_BUNDLE
    other = tmp_path / "plotly-basic.min.js"
    other.write_text("/**\n* plotly.js v3.0.0\n*/\n")
    assert bundle_version(other) == "3.0.0"
    assert plotly_bundle(basic=other) == FULL_BUNDLE
    garbage = tmp_path / "garbage.min.js"
    garbage.write_bytes(b"\xff\xfe not a bundle")
    assert bundle_version(garbage) is None and plotly_bundle(basic=garbage) == FULL_BUNDLE
    same = tmp_path / "same.min.js"
    same.write_text(f"/**\n* plotly.js v{bundle_version(FULL_BUNDLE)}\n*/\n")
    assert plotly_bundle(basic=same) == same
