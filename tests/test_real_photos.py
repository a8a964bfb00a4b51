"""Every real phone photo in ../shared/real-photos goes through Try it's photo path without error, in bounded time.

The photos (CC0, see their README) sit beside the repository, not in it: the test skips when they are absent.
How well the model does on them is measured by bench/photos.py, not asserted here.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from playground.photos.images import read_upload

REAL_PHOTOS = Path(__file__).resolve().parent.parent.parent / "shared" / "real-photos"
SECONDS_PER_PHOTO = 5.0  # measured about 0.2 s on 2 cores; generous for a loaded CI machine
PHOTOS = sorted(p for p in REAL_PHOTOS.glob("*/*") if p.suffix.lower() in {".jpg", ".jpeg", ".png"})


@pytest.mark.skipif(not PHOTOS, reason=f"no real photos at {REAL_PHOTOS}")
def test_every_real_photo_goes_through_the_pipeline():
    slow, unanalysed = [], []
    for path in PHOTOS:
        started = time.perf_counter()
        upload = read_upload(path.read_bytes())
        seconds = time.perf_counter() - started
        if seconds > SECONDS_PER_PHOTO:
            slow.append((path.name, round(seconds, 1)))
        assert upload.picture is not None, path  # every photo decodes
        if upload.model_input is None:
            assert upload.empty, (path, upload.problem)  # only "nothing stands out", never a failure
            unanalysed.append(path.name)
        else:
            assert upload.model_input.shape == (28, 28) and upload.steps is not None
    assert not slow, slow
    assert len(unanalysed) <= 0.05 * len(PHOTOS), unanalysed  # 0 of 341 today


@pytest.mark.skipif(not PHOTOS, reason=f"no real photos at {REAL_PHOTOS}")
def test_the_garment_found_covers_the_middle_of_nearly_every_real_photo():
    """People aim at the garment. A garment found away from the middle of the frame is nearly always something else
    (glare along an edge, a hanger, a door frame): 24 of the 341 photos before the second look from the middle,
    7 with it."""
    from playground.photos.decoding import decode_image, eight_bit
    from playground.photos.garment import MISSED_CENTRE, NothingStandsOut, find_garment

    missed = []
    for path in PHOTOS:
        try:
            mask = find_garment(eight_bit(decode_image(path.read_bytes()))).mask
        except NothingStandsOut:
            missed.append(path.name)
            continue
        height, width = mask.shape
        if mask[height // 3 : 2 * height // 3, width // 3 : 2 * width // 3].mean() < MISSED_CENTRE:
            missed.append(path.name)
    assert len(missed) <= 0.04 * len(PHOTOS), missed


def _bench_photos():
    """bench/photos.py, where the split of the photos into a tune and a report half is written."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_photos", Path(__file__).parent.parent / "bench" / "photos.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_split_is_fixed_disjoint_and_stratified_by_kind(tmp_path):
    """The rule depends on file names only: the same halves wherever the folder is, each kind dealt out evenly."""
    bench = _bench_photos()
    counts = {"shoes": 13, "hat": 7, "skirt": 1}
    for kind, count in counts.items():
        (tmp_path / kind).mkdir()
        for i in range(count):
            (tmp_path / kind / f"{i:03d}.jpg").write_bytes(b"")
        (tmp_path / kind / "notes.txt").write_text("not a photo")
    halves = bench.split(tmp_path)
    assert set(halves) == {"tune", "report"}
    for kind, count in counts.items():
        tune, report = ({p.name for p in halves[half][kind]} for half in ("tune", "report"))
        assert not tune & report and len(tune | report) == count  # every photo in exactly one half
        assert len(tune) - len(report) in (0, 1)
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "shoes").mkdir()
    for path in reversed(sorted((tmp_path / "shoes").iterdir())):
        (copy / "shoes" / path.name).write_bytes(b"")
    assert [p.name for p in bench.split(copy)["tune"]["shoes"]] == [p.name for p in halves["tune"]["shoes"]]


@pytest.mark.skipif(not PHOTOS, reason=f"no real photos at {REAL_PHOTOS}")
def test_the_real_photos_split_into_halves_of_about_170():
    halves = _bench_photos().split(REAL_PHOTOS)
    sizes = {half: sum(len(files) for files in kinds.values()) for half, kinds in halves.items()}
    assert sizes["tune"] + sizes["report"] == len(PHOTOS)
    assert abs(sizes["tune"] - sizes["report"]) <= len(halves["tune"])  # at most one more per kind


def test_the_advice_under_an_unsure_answer_says_how_to_photograph_shoes():
    """Shoe pairs seen from above are what the model answers worst (issue 26): the words under every unsure answer
    say what it learnt shoes from."""
    from playground.answers.inference import WHAT_HELPS

    assert "one shoe from the side" in WHAT_HELPS and "pair" in WHAT_HELPS and "from above" in WHAT_HELPS


@pytest.mark.parametrize("label", [5, 7, 9])
def test_a_shoe_redrawn_as_a_pair_seen_from_above_is_two_tall_shapes_side_by_side(fashion, label):
    """composites.pair_from_above, for the retrain planned in pretrained/README.md (session 12)."""
    import numpy as np

    from playground.data.composites import pair_from_above
    from playground.photos.regions import bbox
    from playground.photos.regions import label as regions

    item = fashion.test_images[np.flatnonzero(fashion.test_labels == label)[0]]
    pair = pair_from_above(item, label, np.random.default_rng(3))
    assert pair.shape == (28, 28) and pair.dtype == np.uint8 and pair.max() > 200
    parts = regions(pair > 0)
    areas = np.bincount(parts[pair > 0])
    first, second = np.argsort(areas)[::-1][:2]
    assert areas[second] > 0.6 * areas[first]  # two shoes of about one size
    boxes = [bbox(parts == k) for k in (first, second)]
    for top, left, bottom, right in boxes:
        assert bottom - top > 1.8 * (right - left)  # lengthwise up the picture
    rows = [set(range(b[0], b[2])) for b in boxes]
    assert len(rows[0] & rows[1]) > 0.8 * min(map(len, rows))  # side by side, not one above the other
