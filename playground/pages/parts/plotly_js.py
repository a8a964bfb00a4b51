"""The one plotly.js of this app's own charts (the live chart, live_chart.py; the Train page's results,
figure_chart.py), served by this server, no CDN, and loaded once per tab by plotly_loader.js: on the Train page
while the visitor reads it, before any click (preload_plotly, plotly_preload.js).

plotly.js's cartesian bundle from npm (js/package.json: scatter, bar, heatmap, image and a few more; 1.5 MB) when
setup installed it, else the plotly package's own full bundle (4.8 MB). st.plotly_chart brings a copy of its own,
the full one: a tab slowed 4x spends about 3 s evaluating it, so the pages a slow device uses most draw with this one.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import plotly
import streamlit as st
from streamlit.components.v1 import declare_component

HERE = Path(__file__).parent
FULL_BUNDLE = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
NPM_PACKAGE = "plotly.js-cartesian-dist-min"  # js/package.json pins it to the plotly package's plotly.js version
NPM_BUNDLE = HERE.parents[2] / "js" / "node_modules" / NPM_PACKAGE / "plotly-cartesian.min.js"


def bundle_version(path: Path) -> str | None:
    """The plotly.js version a bundle says in its first lines (`* plotly.js v4.1.1`, `* plotly.js (cartesian -
    minified) v4.1.1`), None if unreadable."""
    try:
        with path.open(encoding="utf-8", errors="replace") as bundle:
            head = bundle.read(300)
    except OSError:
        return None
    found = re.search(r"plotly\.js (?:\([^)]*\) )?v(\d+\.\d+\.\d+)", head)
    return found.group(1) if found else None


def plotly_bundle(npm: Path = NPM_BUNDLE, full: Path = FULL_BUNDLE) -> Path:
    """The plotly.js this app's charts load. Their traces are scatter, bar, heatmap and image, which the cartesian
    bundle draws: a 4x-slowed tab evaluates it in under a second, the full bundle in 4-6 s. The npm one only if it
    is the very version the plotly package draws its figures for."""
    version = bundle_version(npm)
    return npm if version is not None and version == bundle_version(full) else full


# V8's explicit compile hint (Chrome and Edge 136+; other browsers read a comment): every function of the file is
# compiled while it downloads, off the main thread, instead of each on the main thread when first called. plotly.js
# calls most of its functions as it loads and draws. A bare page slowed 4x: its load and first chart took 1.5-1.9 s
# of the main thread with it against 2.2-2.6 s without (6 fresh loads each), for 1.5 MB more script heap.
COMPILE_HINT = b"//# allFunctionsCalledOnLoad\n"
SERVED = HERE.parents[2] / "js" / "served"  # the hinted copy (.gitignore'd), written when the app starts


def hinted_copy(bundle: Path, folder: Path = SERVED) -> Path:
    """`bundle` with COMPILE_HINT as its first line, in `folder` (written once, atomically; kept while it is the
    same); `bundle` itself if that cannot be written."""
    try:
        wanted = COMPILE_HINT + bundle.read_bytes()
        target = folder / bundle.name
        if target.is_file() and target.stat().st_size == len(wanted) and target.read_bytes() == wanted:
            return target
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".", suffix=".part", delete=False) as part:
            part.write(wanted)
        os.chmod(part.name, 0o644)  # as the bundle itself: anyone may read it
        os.replace(part.name, target)
        return target
    except OSError:
        return bundle


# Only to have this server serve that bundle (at component/<this module>.plotly_js/): nothing is drawn with it.
PLOTLY_BUNDLE = hinted_copy(plotly_bundle())
declare_component("plotly_js", path=str(PLOTLY_BUNDLE.parent))
PLOTLY_URL = f"component/{__name__}.plotly_js/{PLOTLY_BUNDLE.name}"  # where that component serves it


def module_js(path: Path) -> str:
    """A component's JavaScript (a module) with plotly_loader.js's `plotly()` in front, told where the bundle is."""
    loader = (HERE / "plotly_loader.js").read_text(encoding="utf-8").replace("__PLOTLY_URL__", PLOTLY_URL)
    return loader + "\n" + path.read_text(encoding="utf-8")


_preload = st.components.v2.component("playground.plotly_preload", js=module_js(HERE / "plotly_preload.js"))


def preload_plotly(armed: bool = True) -> None:
    """Load this app's plotly.js in the browser once the page has been quiet a moment (plotly_preload.js): a page
    whose charts come later (the Train page's live chart) then finds it ready. Not `armed`: not now (a run is under
    way, and its chart loads plotly.js itself). Draws nothing a visitor sees."""
    _preload(key="plotly_preload", data={"armed": armed})
