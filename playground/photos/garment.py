"""Find the garment in a photo: learn the background from the border, keep what differs, shade it as Fashion-MNIST.

Works at PHOTO_WORK pixels on the longest side. The colours along the border (after removing uneven light) are
the background; pixels far enough from all of them, in connected regions, are the garment; the garment's
brightness is its darkness, as in Fashion-MNIST's negated product photos.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from playground.photos.regions import bbox, border, clean, hysteresis, label, sides

PHOTO_WORK = 256  # photos are analysed at this longest side: plenty for a 28-pixel result
BORDER_SHARE = 0.04  # the strip along the edges that shows the background
MIN_GARMENT_SHARE = 0.004  # foreground below this share of the working image means a blank photo
REFINE_BELOW, REFINE_MARGIN = 0.35, 0.3  # a garment under 35% of the frame is looked at again, 30% margin
# Colour distance (RGB, 0..441) to the background: at least the absolute value and the border's spread times the factor.
LOW_ABS, LOW_SPREAD = 16.0, 3.5
HIGH_ABS, HIGH_SPREAD = 30.0, 6.0
FALLBACK_BELOW = 0.05  # a garment mask under this share of the photo makes the thresholds be looked at again
OTSU_LOW = 0.7  # with the Otsu split as the high threshold, the low one (hysteresis) sits at this share of it
PALETTE_SIZE = 5  # background colours learnt from the border
MIN_PALETTE_SHARE = 0.08  # ...each must cover this share of at least three of the four edges
RIM_SIZE = 5  # the garment's outer band (pixels at working size) whose shade is taken from the cloth just inside
SHADE_FLOOR = 0.3  # the lightest part of a garment still shows at this share of full brightness
MIN_SHADE_RANGE = 80.0  # luma range that counts as full shading; below it, noise is not stretched into texture
# People aim at the garment: a mask covering under this share of the frame's middle ninth found something else
# (glare along an edge, a hanger, a door frame), and the garment is looked for again from the middle outwards.
MISSED_CENTRE = 0.1
SEEDED_COVER = 0.5  # ...that second look counts when its garment covers at least this share of the middle
SEEDED_SHARE = (0.05, 0.9)  # ...and this range of the frame
SEED_SMOOTH = 7  # pixels (working size) over which that look averages and closes the garment/background split


class NothingStandsOut(ValueError):
    """No garment differs enough from the background."""


@dataclass(frozen=True)
class Garment:
    """What was found, at working size: the picture looked at, the garment's mask and its brightness 0..1."""

    rgb: np.ndarray  # float 0..255, the (possibly re-cropped) photo the mask belongs to
    mask: np.ndarray
    intensity: np.ndarray


def find_garment(image: Image.Image) -> Garment:
    """The garment in an 8-bit (L, LA, RGB, RGBA) image, at working size; NothingStandsOut if there is none."""
    found = _analyse(image)
    mask = found.mask
    top, left, bottom, right = bbox(mask)
    scale = max(image.size) / max(mask.shape)
    if scale > 1 and max(bottom - top, right - left) < REFINE_BELOW * max(mask.shape):
        # A small garment in a big photo: look again at its neighbourhood in full detail.
        pad = REFINE_MARGIN * max(bottom - top, right - left)
        box = (
            max(0, round((left - pad) * scale)),
            max(0, round((top - pad) * scale)),
            min(image.size[0], round((right + pad) * scale)),
            min(image.size[1], round((bottom + pad) * scale)),
        )
        try:
            return _analyse(image.crop(box))
        except NothingStandsOut:
            pass
    return found


def _analyse(image: Image.Image) -> Garment:
    """One look at an 8-bit image, at working size."""
    rgb, alpha = _working_arrays(image)
    if alpha is not None and np.median(border(alpha, _strip(alpha))) < 0.5:
        # A cut-out on a transparent background: alpha already says what is garment.
        mask = clean(alpha > 0.5)
        presence = alpha * mask
    else:
        if alpha is not None:  # flatten stray transparency onto the background's own colour
            background = np.median(border(rgb, _strip(rgb)).reshape(-1, 3), axis=0)
            rgb = rgb * alpha[:, :, None] + background * (1.0 - alpha[:, :, None])
        mask, presence = _foreground(rgb)
        if _middle(mask).mean() < MISSED_CENTRE:
            mask, presence = _seeded_from_middle(rgb) or (mask, presence)
    if mask.sum() < MIN_GARMENT_SHARE * mask.size:
        raise NothingStandsOut(
            "No garment stands out from the background: photograph it on a plain, contrasting surface."
        )
    luma = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
    return Garment(rgb, mask, presence * _shading(_inner_luma(luma, mask), mask))


def _inner_luma(luma: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Luma with the garment's rim replaced by the nearby inner cloth's: rim pixels are part background."""
    inner = np.asarray(Image.fromarray(mask.astype(np.uint8) * 255).filter(ImageFilter.MinFilter(RIM_SIZE))) > 0
    weight = _smooth(inner.astype(np.float32), RIM_SIZE)
    local = _smooth(luma * inner, RIM_SIZE) / np.maximum(weight, 1e-6)
    rim = mask & ~inner & (weight > 0.02)
    return np.where(rim, local, luma)


def _smooth(values: np.ndarray, size: int) -> np.ndarray:
    """Box average over size x size (size odd, zeros outside)."""
    # scipy.ndimage.uniform_filter, not the cumulative sums it replaced: those summed in float32 and were off by up
    # to 0.066 (scipy: 1.3e-5) against a float64 reference on the 711 arrays the 341 real photos smooth. The masks
    # stay the same; 54 photos' 28x28 results changed, by at most 2 of 255. 0.94 -> 0.52 ms a call (median of 5
    # interleaved rounds on those arrays, a loaded 2-core machine).
    from scipy import ndimage  # here, not at the top: see regions.label

    return ndimage.uniform_filter(values, size, output=np.float32, mode="constant")


def _strip(array: np.ndarray) -> int:
    """Width in pixels of the border strip used to learn the background."""
    return max(2, round(BORDER_SHARE * min(array.shape[:2])))


def _working_arrays(image: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    """An 8-bit image as RGB float 0..255 (+ alpha 0..1 or None), downscaled to PHOTO_WORK on its longest side."""
    width, height = image.size
    scale = PHOTO_WORK / max(width, height)
    if scale < 1:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        image = image.resize(size, Image.Resampling.BOX, reducing_gap=3.0)  # area average, integer reduce() first
    array = np.asarray(image, dtype=np.float32)
    if array.ndim == 2:
        array = array[:, :, None]
    colour = array[:, :, :-1] if image.mode in ("LA", "RGBA") else array
    alpha = array[:, :, -1] / 255.0 if image.mode in ("LA", "RGBA") else None
    if colour.shape[2] == 1:
        colour = np.repeat(colour, 3, axis=2)
    if alpha is not None and alpha.min() > 0.98:
        alpha = None  # an opaque image that merely carries an alpha channel
    return np.ascontiguousarray(colour), alpha


def _foreground(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Garment mask and soft presence 0..1 from the colour distance to a background learnt from the border."""
    image = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))
    smooth = np.asarray(image.filter(ImageFilter.GaussianBlur(1.5)), dtype=np.float32)
    lighting = _lighting(smooth)
    flat = smooth - lighting
    palette = _palette(sides(flat, _strip(flat)), _ring(flat))
    distance = _palette_distance(flat, palette)  # blurred: noise and fine grain average out
    # The border's own spread (texture, noise) decides how far from the background counts as garment.
    spread = float(np.percentile(border(distance, _strip(distance)), 75))
    low, high = max(LOW_ABS, LOW_SPREAD * spread), max(HIGH_ABS, HIGH_SPREAD * spread)
    mask = clean(hysteresis(distance > low, distance > high))
    if mask.mean() < FALLBACK_BELOW:
        # A busy border (a patterned bed, the garment itself touching the edges) set the bar too high: split the
        # distances into two groups instead (Otsu), the farther one being the garment.
        split = _otsu(distance)
        if split < high:
            low, high = max(LOW_ABS, min(low, OTSU_LOW * split)), max(HIGH_ABS, split)
            mask = clean(hysteresis(distance > low, distance > high))
    # Presence from a barely blurred copy: the blur must not spread the garment over its background rim.
    sharp = np.asarray(image.filter(ImageFilter.GaussianBlur(0.6)), dtype=np.float32)
    near = _palette_distance(sharp - lighting, palette)
    presence = np.clip((near - 0.5 * low) / (high - 0.5 * low), 0.0, 1.0) * mask
    return mask, presence


def _middle(array: np.ndarray) -> np.ndarray:
    """The middle ninth of the frame, where a photographer puts the garment."""
    height, width = array.shape[:2]
    return array[height // 3 : 2 * height // 3, width // 3 : 2 * width // 3]


def _seeded_from_middle(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Garment colours learnt from the middle of the frame, background colours from its border: each pixel goes to
    the nearer, and the region covering the middle is the garment. None if that finds nothing plausible."""
    image = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))
    smooth = np.asarray(image.filter(ImageFilter.GaussianBlur(1.5)), dtype=np.float32)
    flat = smooth - _lighting(smooth)
    background = _palette(sides(flat, _strip(flat)), _ring(flat))
    cloth = _kmeans(_middle(flat).reshape(-1, 3), PALETTE_SIZE)
    cloth = cloth[_palette_distance(cloth[None], background)[0] > LOW_ABS]  # colours the background has say nothing
    if len(cloth) == 0:
        return None
    # Averaged over a few pixels, and closed: a print or a fold must not split the garment into pieces.
    margin = _smooth(_palette_distance(flat, background) - _palette_distance(flat, cloth), SEED_SMOOTH)
    closed = Image.fromarray((margin > 0).astype(np.uint8) * 255).filter(ImageFilter.MaxFilter(SEED_SMOOTH))
    regions = label(np.asarray(closed.filter(ImageFilter.MinFilter(SEED_SMOOTH))) > 0)
    counts = np.bincount(_middle(regions).ravel(), minlength=regions.size + 1)[:-1]  # the last is the background
    mask = clean(np.append(counts >= 0.02 * _middle(regions).size, False)[regions])
    if _middle(mask).mean() < SEEDED_COVER or not SEEDED_SHARE[0] <= mask.mean() <= SEEDED_SHARE[1]:
        return None
    return mask, np.clip(margin / HIGH_ABS + 0.5, 0.0, 1.0) * mask


def _otsu(values: np.ndarray) -> float:
    """The threshold that best splits values into two groups (Otsu 1979: most variance between the groups)."""
    # Kept, not skimage.filters.threshold_otsu (scipy has none): skimage answers a bin's centre where this answers
    # its upper edge, which changed 74 of the 341 real photos' masks and 28x28 results (pixels by up to 255); it was
    # slower (1.28 against 0.95 ms a call on their 87 calls); and it would add 56 MB installed beside scipy
    # (scikit-image, networkx, imageio, tifffile) and 17 MB to the web process.
    counts, edges = np.histogram(values, bins=128)
    centres = (edges[:-1] + edges[1:]) / 2
    weight = np.cumsum(counts).astype(np.float64)
    total = weight[-1]
    mean = np.cumsum(counts * centres)
    between = (mean[-1] * weight / total - mean) ** 2 / np.maximum(weight * (total - weight), 1e-9)
    return float(edges[1:][np.argmax(between[:-1])])


def _lighting(rgb: np.ndarray) -> np.ndarray:
    """The background's brightness trend: per-channel plane b*x + c*y fitted robustly to the border, zero mean."""
    height, width = rgb.shape[:2]
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    xs, ys = xs / max(width - 1, 1) - 0.5, ys / max(height - 1, 1) - 0.5
    strip = _strip(rgb)
    design = np.stack([np.ones_like(xs), xs, ys], axis=2)
    a, v = border(design, strip), border(rgb, strip)
    keep = np.ones(len(v), bool)
    for _ in range(3):  # refit without the outliers: the garment may touch the border
        coef, *_ = np.linalg.lstsq(a[keep], v[keep], rcond=None)
        residual = np.linalg.norm(v - a @ coef, axis=1)
        keep = residual <= max(3.0 * float(np.median(residual)), 8.0)
        if keep.sum() < 3:
            break
    coef[0] = 0.0  # the palette holds the colours; the plane only removes uneven light
    return design @ coef


def _palette(sides: list[np.ndarray], ring: np.ndarray) -> np.ndarray:
    """A few typical background colours (k-means on border pixels): stripes, wood grain or a pattern's colours."""
    centres = _kmeans(np.concatenate(sides), PALETTE_SIZE)
    # Background runs round the frame, or at least stripes across it; a colour found in one or two stretches of
    # one or two edges is the garment touching them.
    on_side = np.array(
        [np.bincount(_nearest(side, centres), minlength=len(centres)) / max(len(side), 1) for side in sides]
    )
    keep = ((on_side >= MIN_PALETTE_SHARE).sum(axis=0) >= 3) | (_stretches(_nearest(ring, centres), len(centres)) >= 6)
    keep[np.argmax(on_side.sum(axis=0))] = True
    return centres[keep]


def _kmeans(pixels: np.ndarray, count: int) -> np.ndarray:
    """`count` typical colours of the pixels (k-means on a sample of them)."""
    sample = pixels[:: max(1, len(pixels) // 4000)]  # a sample is plenty
    centres = [np.median(sample, axis=0)]
    for _ in range(count - 1):  # farthest-point start: deterministic and covers every colour
        gap = np.min([np.linalg.norm(sample - c, axis=1) for c in centres], axis=0)
        centres.append(sample[int(np.argmax(gap))])
    centres = np.array(centres)
    for _ in range(8):
        nearest = _nearest(sample, centres)
        for k in range(len(centres)):
            if np.any(nearest == k):
                centres[k] = sample[nearest == k].mean(axis=0)
    return centres


def _ring(array: np.ndarray) -> np.ndarray:
    """The outermost pixels in order round the frame, clockwise from the top-left corner."""
    return np.concatenate([array[0, :-1], array[:-1, -1], array[-1, :0:-1], array[:0:-1, 0]])


def _stretches(labels: np.ndarray, count: int) -> np.ndarray:
    """How many separate stretches (at least 2 pixels long) of each label lie along a closed ring."""
    starts = np.flatnonzero(labels != np.roll(labels, 1))
    if starts.size == 0:
        return np.bincount(labels[:1], minlength=count)
    lengths = np.diff(np.append(starts, starts[0] + len(labels)))
    return np.bincount(labels[starts[lengths >= 2]], minlength=count)


def _nearest(pixels: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Index of the nearest centre for each pixel."""
    # scipy.cluster.vq.vq, not the broadcast squared distances it replaced: the same colours on all 393 k-means runs
    # the 341 real photos make (no 28x28 result changed), and k-means 2.6x faster (33 -> 13 ms a run, median of 5
    # interleaved rounds, a loaded 2-core machine). scipy's kmeans2 gave the same colours a little faster still, but
    # warns (UserWarning) whenever a cluster is empty, as in a plain-coloured picture; silencing that is not
    # thread-safe, and the page's sessions are threads. Costs 13 MB of the web process's RSS beside ndimage's 16.
    from scipy.cluster.vq import vq  # here, not at the top: see regions.label

    return vq(pixels, centres, check_finite=False)[0]


def _palette_distance(rgb: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Per pixel, the RGB distance to the nearest background colour."""
    best = None
    for colour in palette:
        d = np.sum((rgb - colour) ** 2, axis=2)
        best = d if best is None else np.minimum(best, d)
    return np.sqrt(best)


def _shading(luma: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Garment brightness 0..1: darker cloth is brighter, as in Fashion-MNIST (negated product photos on white)."""
    values = luma[mask]
    if values.size == 0:
        return np.zeros_like(luma)
    light, dark = np.percentile(values, [95, 5])
    contrast = np.clip((light - luma) / max(light - dark, MIN_SHADE_RANGE), 0.0, 1.0)
    return SHADE_FLOOR + (1.0 - SHADE_FLOOR) * contrast
