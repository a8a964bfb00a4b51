"""Which plotly.js this app's own charts load: npm's cartesian bundle of the plotly package's own plotly.js version,
else the plotly package's full bundle (playground/pages/parts/plotly_js.py's plotly_bundle)."""

from __future__ import annotations

import json

from playground.pages.parts.plotly_js import (
    COMPILE_HINT,
    FULL_BUNDLE,
    NPM_BUNDLE,
    NPM_PACKAGE,
    PLOTLY_BUNDLE,
    PLOTLY_URL,
    bundle_version,
    hinted_copy,
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


def test_the_served_bundle_is_the_chosen_one_with_the_compile_hint_first():
    assert PLOTLY_BUNDLE.read_bytes() == COMPILE_HINT + plotly_bundle().read_bytes()
    assert bundle_version(PLOTLY_BUNDLE) == bundle_version(FULL_BUNDLE)  # the banner still reads


def test_the_hinted_copy_is_written_once_and_kept_and_a_failure_serves_the_bundle_itself(tmp_path):
    bundle = tmp_path / "plotly-x.min.js"
    bundle.write_bytes(b"/* plotly.js v9.9.9 */ var Plotly = {};")
    folder = tmp_path / "served"
    copy = hinted_copy(bundle, folder)
    assert copy == folder / bundle.name and copy.read_bytes().startswith(COMPILE_HINT)
    written = copy.stat().st_mtime_ns
    assert hinted_copy(bundle, folder) == copy and copy.stat().st_mtime_ns == written  # the same: not rewritten
    bundle.write_bytes(b"/* plotly.js v9.9.10 */ var Plotly = {};")
    assert hinted_copy(bundle, folder).read_bytes() == COMPILE_HINT + bundle.read_bytes()  # a new bundle: renewed
    assert [p.name for p in folder.iterdir()] == [bundle.name]  # no partial file left
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert hinted_copy(bundle, blocked) == bundle
    assert hinted_copy(tmp_path / "missing.js", folder) == tmp_path / "missing.js"
