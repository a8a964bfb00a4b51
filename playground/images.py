"""Bring drawings and photos into Fashion-MNIST's form: a 28x28 uint8 garment, bright on black, filling the frame."""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

logger = logging.getLogger(__name__)

MAX_PIXELS = 40_000_000  # declared width*height; a 12 MP phone photo is 12_000_000
MAX_BYTES = 20 * 1024 * 1024
# Decoded pixels in Pillow's own storage (4 bytes for RGB, 2 for 16-bit grey), judged from the header before decoding.
MAX_DECODED_BYTES = 200 * 1024 * 1024
# Uploads are kept at no less than this longest side (if they are bigger), and shown at no more.
DISPLAY_SIDE = 1000
# A picture longer than this many times its width (or wider than long) is a strip, not a photo of one garment.
MAX_ASPECT = 10
SIDE = 28

EXIF_ORIENTATION = 0x0112
UPRIGHT = {  # EXIF orientation -> the turn that shows the picture as it was taken (as ImageOps.exif_transpose)
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

# Formats a visitor plausibly uploads; this also keeps Pillow away from EPS (Ghostscript) and other exotic decoders.
FORMATS = ("PNG", "JPEG", "MPO", "GIF", "BMP", "WEBP", "TIFF", "AVIF")

# Canvas: a pixel is ink when some channel (or alpha) differs from the background by more than this (0..255).
INK_LEVEL = 8
# Canvas: total ink below this share of the canvas area counts as empty (600x400 -> 240 px, about a 15x15 dot).
MIN_INK_SHARE = 0.001
# Canvas: a drawing whose bounding box is shorter than this share of the canvas's longest side is a speck.
MIN_BOX_SHARE = 0.02
CANVAS_WORK = 200  # canvases are area-reduced by an integer factor towards this longest side before the work

PHOTO_WORK = 256  # photos are analysed at this longest side: plenty for a 28-pixel result
BORDER_SHARE = 0.04  # the strip along the edges that shows the background
MIN_GARMENT_SHARE = 0.004  # foreground below this share of the working image means a blank photo
REFINE_BELOW, REFINE_MARGIN = 0.35, 0.3  # a garment under 35% of the frame is looked at again, 30% margin
HOLE_SHARE = 0.03  # holes smaller than this share of the garment are print or glare, not a bag's handle
KEEP_SHARE = 0.3  # besides the largest region, keep regions at least this share of it (a pair of sleeves, legs)
# Colour distance (RGB, 0..441) to the background: at least the absolute value and the border's spread times the factor.
LOW_ABS, LOW_SPREAD = 16.0, 3.5
HIGH_ABS, HIGH_SPREAD = 30.0, 6.0
PALETTE_SIZE = 5  # background colours learnt from the border
MIN_PALETTE_SHARE = 0.08  # ...each must cover this share of at least three of the four edges
# Tone curve for photos: brings the median garment pixel near Fashion-MNIST's (180; ours 172 with it, 212 without).
PHOTO_GAMMA = 1.8
RIM_SIZE = 5  # the garment's outer band (pixels at working size) whose shade is taken from the cloth just inside
SHADE_FLOOR = 0.3  # the lightest part of a garment still shows at this share of full brightness
MIN_SHADE_RANGE = 80.0  # luma range that counts as full shading; below it, noise is not stretched into texture


class ImageError(ValueError):
    """Bad input with a plain-language message for the visitor."""


class EmptyImageError(ImageError):
    """Nothing drawn / blank photo: 'draw something first'."""


# ---------------------------------------------------------------- decoding


def decode_image(data: bytes) -> Image.Image:
    """Open uploaded bytes safely: the first frame, upright, fully loaded and no bigger than needed, or ImageError.

    A big picture comes out shrunk by a whole factor towards DISPLAY_SIDE on its longest side (never below it;
    JPEGs are decoded at that scale directly), and a 16/32-bit one as 8-bit grey: the analysis works at PHOTO_WORK
    and the page shows at most DISPLAY_SIDE, so nothing bigger is kept once the file is read.
    """
    _check_file(data)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its two limits; make that a refusal too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(bytes(data)), formats=_formats())
            _check_declared_size(image)  # from the header: nothing decoded yet
            image.seek(0)  # animations: the first frame only
            _decode_at_reduced_scale(image)
            _check_decoded_bytes(image)
            image.load()
            orientation = _orientation(image)
            image = _shrunk(image, DISPLAY_SIDE)  # a detached copy, free of the file and the other frames
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError("The image declares an enormous size; please upload a normal photo.") from None
    except Image.UnidentifiedImageError:
        raise ImageError("This file is not an image we can read (use PNG, JPEG, GIF, BMP, WebP or TIFF).") from None
    except Exception:  # truncated data, broken headers, decoder errors, out of memory: all the visitor's file
        raise ImageError("The image file is damaged or incomplete and could not be read.") from None
    return _upright(image, orientation)


def _check_file(data) -> None:
    """Refuse what is not a file's contents, or is empty or too long, before Pillow sees it."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ImageError("The upload is not a file's contents.")
    if len(data) == 0:
        raise ImageError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise ImageError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; please upload a smaller image.")


def _check_declared_size(image: Image.Image) -> None:
    width, height = image.size
    if width < 1 or height < 1:
        raise ImageError("The image has no pixels.")
    if width * height > MAX_PIXELS:
        raise ImageError(f"The image is too large ({width}x{height} pixels); please upload a smaller one.")


def _decode_at_reduced_scale(image: Image.Image) -> None:
    """Ask the decoder for a smaller picture, still at least DISPLAY_SIDE long: only JPEG can (1/2, 1/4 or 1/8)."""
    width, height = image.size
    longest = max(width, height)
    if longest > DISPLAY_SIDE:
        wanted = (max(1, width * DISPLAY_SIDE // longest), max(1, height * DISPLAY_SIDE // longest))
        image.draft("RGB", wanted)  # other formats ignore it; the size it reports changes if the decoder agrees


def _check_decoded_bytes(image: Image.Image) -> None:
    """Refuse, from the header's size and mode, pictures whose decoded pixels alone would take too much memory."""
    width, height = image.size
    needed = width * height * _bytes_per_pixel(image.mode)
    if needed > MAX_DECODED_BYTES:
        raise ImageError(
            f"The image is too large to read here ({width}x{height} pixels, {needed // 2**20} MB once decoded); "
            "please upload a smaller one."
        )


def _bytes_per_pixel(mode: str) -> int:
    """How much Pillow stores per pixel: one byte for L, P and 1, two for 16-bit grey, four for the rest."""
    if mode in ("1", "L", "P"):
        return 1
    return 2 if mode.startswith("I;16") else 4


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation (1 = upright); broken EXIF should not cost the visitor the photo."""
    try:
        return int(image.getexif().get(EXIF_ORIENTATION, 1))
    except Exception:
        return 1


def _upright(image: Image.Image, orientation: int) -> Image.Image:
    """The picture turned the way its EXIF orientation says it is meant to be seen."""
    method = UPRIGHT.get(orientation)
    return image.transpose(method) if method is not None else image


def _shrunk(image: Image.Image, side: int) -> Image.Image:
    """An 8-bit copy shrunk by the whole factor that keeps its longest side at least `side` (area average)."""
    factor = max(image.size) // side
    if not _high_bit_depth(image.mode):
        image = _eight_bit(image)  # palette and 1-bit pictures must become pixels before they are averaged
    if factor < 2:
        return _eight_bit(image.copy())
    if image.mode.startswith("I;16"):  # reduce() has no 16-bit grey; resize() averages it just the same
        width, height = image.size
        size = (-(-width // factor), -(-height // factor))
        return _eight_bit(image.resize(size, Image.Resampling.BOX))
    return _eight_bit(image.reduce(factor))  # 16/32-bit grey is made 8-bit only once small: no full-size float copy


def _high_bit_depth(mode: str) -> bool:
    return mode.startswith("I") or mode == "F"


def _formats() -> list[str]:
    """The allowed formats this Pillow build can open (naming a missing one would make every open fail)."""
    Image.init()
    return [name for name in FORMATS if name in Image.OPEN]


def preprocess_upload(data: bytes) -> tuple[Image.Image, np.ndarray]:
    """Decode an upload and preprocess it: (the image, shrunk if big, the 28x28 array)."""
    image = decode_image(data)
    return image, preprocess_photo(image)


# ---------------------------------------------------------------- uploads for the page


@dataclass(frozen=True)
class Upload:
    """What became of an upload, as plain arrays (picklable, so a page can cache it)."""

    picture: np.ndarray | None = None  # what to show: 8-bit L, RGB or RGBA, at most DISPLAY_SIDE long; None if unread
    model_input: np.ndarray | None = None  # the 28x28 garment, or None with a problem
    problem: str = ""  # a plain-language message for the visitor when there is no model input
    empty: bool = False  # the problem is that nothing stands out (an EmptyImageError), not a bad file


def read_upload(data: bytes) -> Upload:
    """Decode and preprocess an upload without raising: every file that decodes keeps its picture for display."""
    try:
        image = decode_image(data)
    except ImageError as error:
        return Upload(problem=str(error))
    picture = display_picture(image)
    try:
        return Upload(picture, preprocess_photo(image))
    except EmptyImageError as error:
        return Upload(picture, problem=str(error), empty=True)
    except ImageError as error:
        return Upload(picture, problem=str(error))
    except Exception:  # a picture the analysis has not met yet: say so, and keep the page and the log informed
        logger.exception("preprocessing a decoded %s %s upload failed", image.mode, image.size)
        return Upload(picture, problem="This picture could not be analysed; please try another photo.")


def display_picture(image: Image.Image) -> np.ndarray:
    """The picture as st.image can show it: 8-bit L, RGB or RGBA pixels, at most DISPLAY_SIDE on its longest side."""
    picture = _eight_bit(image)
    if picture.mode == "LA":  # grey with alpha is not an array st.image takes
        picture = picture.convert("RGBA")
    width, height = picture.size
    scale = DISPLAY_SIDE / max(width, height)
    if scale < 1:  # a strip keeps at least one pixel across
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        picture = picture.resize(size, Image.Resampling.BOX, reducing_gap=3.0)
    return np.array(picture)


# ---------------------------------------------------------------- canvas


def preprocess_canvas(rgba: np.ndarray) -> np.ndarray:
    """Turn a drawing canvas's RGBA strokes (any colours) into a 28x28 uint8 garment, bright on black."""
    array = np.asarray(rgba)
    if array.ndim != 3 or array.shape[2] not in (3, 4) or min(array.shape[:2]) < 1:
        raise ImageError("The drawing has an unexpected shape; expected height x width x RGBA.")
    if array.dtype != np.uint8:
        if array.dtype.kind == "f" and np.nanmax(array, initial=0.0) <= 1.0:  # 0..1 floats
            array = array * 255.0
        array = np.clip(np.nan_to_num(array), 0, 255).astype(np.uint8)
    factor = max(array.shape[:2]) // CANVAS_WORK
    if factor > 1:  # area-average to a smaller copy first: the 28-pixel result needs no more
        array = np.asarray(Image.fromarray(np.ascontiguousarray(array)).reduce(factor))
    height, width = array.shape[:2]
    ink = _canvas_ink(array)
    total = float(ink.sum(dtype=np.int64)) / 255.0
    if total < MIN_INK_SHARE * height * width:
        raise EmptyImageError("The canvas is empty: draw something first.")
    box = _bbox(ink > INK_LEVEL)
    if box is None or max(box[2] - box[0], box[3] - box[1]) < MIN_BOX_SHARE * max(height, width):
        raise EmptyImageError("The drawing is only a speck: draw something bigger first.")
    top, left, bottom, right = box
    crop = ink[top:bottom, left:right].astype(np.float32)
    return _fit(crop / 255.0)


def _canvas_ink(array: np.ndarray) -> np.ndarray:
    """Ink strength 0..255 per pixel: alpha on a transparent canvas, else the distance from the border colour."""
    if array.shape[2] == 4:
        alpha = array[:, :, 3]
        if np.median(_border(alpha)) < 128:  # transparent background: alpha is the stroke
            return alpha
    rgb = array[:, :, :3]
    background = np.median(_border(rgb).reshape(-1, 3), axis=0).astype(np.int16)
    # Largest per-channel difference: colour-agnostic and linear in antialiased coverage.
    return np.abs(rgb.astype(np.int16) - background).max(axis=2).astype(np.uint8)


def _border(array: np.ndarray, width: int = 2) -> np.ndarray:
    """The pixels of a strip along all four edges, flattened along the first axis."""
    return np.concatenate(_sides(array, width))


def _sides(array: np.ndarray, width: int) -> list[np.ndarray]:
    """The pixels of the top, bottom, left and right strips (corners counted once), each flattened."""
    w = max(1, min(width, min(array.shape[:2]) // 2))
    tail = array.shape[2:]
    return [
        array[:w].reshape(-1, *tail),
        array[-w:].reshape(-1, *tail),
        array[w:-w, :w].reshape(-1, *tail),
        array[w:-w, -w:].reshape(-1, *tail),
    ]


# ---------------------------------------------------------------- shared


def _bbox(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """(top, left, bottom, right), exclusive, of the True pixels, or None."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


def _fit(crop: np.ndarray) -> np.ndarray:
    """Scale a cropped 0..1 intensity map so its longest side is 28, centre it by bounding box, stretch to 0..255."""
    height, width = crop.shape
    scale = SIDE / max(height, width)
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    small = Image.fromarray(crop.astype(np.float32)).resize((new_w, new_h), Image.Resampling.BOX)
    out = np.zeros((SIDE, SIDE), np.float32)
    # Fashion-MNIST puts the odd leftover pixel on the left/top.
    x0, y0 = (SIDE - new_w + 1) // 2, (SIDE - new_h + 1) // 2
    out[y0 : y0 + new_h, x0 : x0 + new_w] = np.clip(np.asarray(small), 0.0, None)
    peak = float(out.max())
    if peak <= 0:
        raise EmptyImageError("Nothing is left after cropping: draw or photograph something bigger.")
    # Fashion-MNIST items nearly always reach 255.
    return np.clip(np.rint(out * (255.0 / peak)), 0, 255).astype(np.uint8)


# ---------------------------------------------------------------- photos


def preprocess_photo(image: Image.Image | bytes) -> np.ndarray:
    """Turn a photo (PIL image in any mode, or file bytes) into a 28x28 uint8 garment, bright on black."""
    if isinstance(image, (bytes, bytearray, memoryview)):
        image = decode_image(bytes(image))
    _check_proportions(image)
    intensity, mask = _garment(image)
    top, left, bottom, right = _bbox(mask)
    out = _fit(intensity[top:bottom, left:right])
    return np.rint(255.0 * (out / 255.0) ** PHOTO_GAMMA).astype(np.uint8)


def _check_proportions(image: Image.Image) -> None:
    """A thin strip holds no garment the network knows; say so rather than stretch a sliver into a guess."""
    width, height = image.size
    if max(width, height) > MAX_ASPECT * min(width, height):
        raise ImageError(
            "The picture is a thin strip, far longer than it is wide: "
            "photograph the garment in a frame closer to square."
        )


def to_grayscale_on_black(image: Image.Image) -> np.ndarray:
    """The garment map before cropping and scaling: 0..1 float at working size, garment bright, background 0."""
    return _garment(image)[0] ** PHOTO_GAMMA


def _garment(image: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    """(intensity 0..1, garment mask) at working size; raises EmptyImageError when no garment stands out."""
    image = _eight_bit(image)
    intensity, mask = _analyse(image)
    top, left, bottom, right = _bbox(mask)
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
        except EmptyImageError:
            pass
    return intensity, mask


def _analyse(image: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    """One look at an 8-bit image: (intensity 0..1, garment mask) at working size."""
    rgb, alpha = _working_arrays(image)
    if alpha is not None and np.median(_border(alpha, _strip(alpha))) < 0.5:
        # A cut-out on a transparent background: alpha already says what is garment.
        mask = _clean(alpha > 0.5)
        presence = alpha * mask
    else:
        if alpha is not None:  # flatten stray transparency onto the background's own colour
            background = np.median(_border(rgb, _strip(rgb)).reshape(-1, 3), axis=0)
            rgb = rgb * alpha[:, :, None] + background * (1.0 - alpha[:, :, None])
        mask, presence = _foreground(rgb)
    if mask.sum() < MIN_GARMENT_SHARE * mask.size:
        raise EmptyImageError(
            "No garment stands out from the background: photograph it on a plain, contrasting surface."
        )
    luma = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
    return presence * _shading(_inner_luma(luma, mask), mask), mask


def _inner_luma(luma: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Luma with the garment's rim replaced by the nearby inner cloth's: rim pixels are part background."""
    inner = np.asarray(Image.fromarray(mask.astype(np.uint8) * 255).filter(ImageFilter.MinFilter(RIM_SIZE))) > 0
    weight = _smooth(inner.astype(np.float32), RIM_SIZE)
    local = _smooth(luma * inner, RIM_SIZE) / np.maximum(weight, 1e-6)
    rim = mask & ~inner & (weight > 0.02)
    return np.where(rim, local, luma)


def _smooth(values: np.ndarray, size: int) -> np.ndarray:
    """Box average over size x size (size odd, zeros outside), via cumulative sums."""
    height, width = values.shape
    c = np.zeros((height + size, width + size), np.float64)
    c[1:, 1:] = np.pad(values, size // 2).cumsum(axis=0).cumsum(axis=1)
    total = c[size:, size:] - c[:-size, size:] - c[size:, :-size] + c[:-size, :-size]
    return (total / (size * size)).astype(np.float32)


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


def _eight_bit(image: Image.Image) -> Image.Image:
    """Convert any Pillow mode to one of L, LA, RGB, RGBA with 8-bit channels."""
    if not isinstance(image, Image.Image):
        raise ImageError("Expected an image.")
    mode = image.mode
    if mode in ("L", "LA", "RGB", "RGBA"):
        return image
    if _high_bit_depth(mode):
        return Image.fromarray(_deep_to_bytes(image))
    if mode == "P":
        return image.convert("RGBA" if "transparency" in image.info else "RGB")
    if mode in ("PA", "RGBa", "RGBX"):
        return image.convert("RGBA")
    if mode in ("La", "1"):
        return image.convert("LA" if mode == "La" else "L")
    try:
        return image.convert("RGB")  # CMYK, YCbCr, LAB, HSV
    except Exception:
        raise ImageError(f"Images in the {mode} colour mode are not supported.") from None


def _deep_to_bytes(image: Image.Image) -> np.ndarray:
    """16/32-bit grey as 8 bits: integers by the 16-bit range (their own if wider), floats as 0..1 or by their range."""
    values = np.array(image, dtype=np.float32)  # a writable copy, so the steps below need no more
    np.nan_to_num(values, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    low, high = float(values.min()), float(values.max())
    floats = image.mode == "F"
    if floats and 0.0 <= low and high <= 1.0:
        values *= 255.0
    elif high > 255 or low < 0:
        top = 65535.0 if 0 <= low and high <= 65535 and not floats else high
        values -= min(low, 0.0)
        values *= 255.0 / max(top - min(low, 0.0), 1e-9)
    return np.clip(values, 0, 255, out=values).astype(np.uint8)


def _foreground(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Garment mask and soft presence 0..1 from the colour distance to a background learnt from the border."""
    image = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))
    smooth = np.asarray(image.filter(ImageFilter.GaussianBlur(1.5)), dtype=np.float32)
    lighting = _lighting(smooth)
    flat = smooth - lighting
    palette = _palette(_sides(flat, _strip(flat)), _ring(flat))
    distance = _palette_distance(flat, palette)  # blurred: noise and fine grain average out
    # The border's own spread (texture, noise) decides how far from the background counts as garment.
    spread = float(np.percentile(_border(distance, _strip(distance)), 75))
    low, high = max(LOW_ABS, LOW_SPREAD * spread), max(HIGH_ABS, HIGH_SPREAD * spread)
    mask = _clean(_hysteresis(distance > low, distance > high))
    # Presence from a barely blurred copy: the blur must not spread the garment over its background rim.
    sharp = np.asarray(image.filter(ImageFilter.GaussianBlur(0.6)), dtype=np.float32)
    near = _palette_distance(sharp - lighting, palette)
    presence = np.clip((near - 0.5 * low) / (high - 0.5 * low), 0.0, 1.0) * mask
    return mask, presence


def _lighting(rgb: np.ndarray) -> np.ndarray:
    """The background's brightness trend: per-channel plane b*x + c*y fitted robustly to the border, zero mean."""
    height, width = rgb.shape[:2]
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    xs, ys = xs / max(width - 1, 1) - 0.5, ys / max(height - 1, 1) - 0.5
    strip = _strip(rgb)
    design = np.stack([np.ones_like(xs), xs, ys], axis=2)
    a, v = _border(design, strip), _border(rgb, strip)
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
    pixels = np.concatenate(sides)
    step = max(1, len(pixels) // 4000)  # a sample is plenty
    sample = pixels[::step]
    centres = [np.median(sample, axis=0)]
    for _ in range(PALETTE_SIZE - 1):  # farthest-point start: deterministic and covers every colour
        gap = np.min([np.linalg.norm(sample - c, axis=1) for c in centres], axis=0)
        centres.append(sample[int(np.argmax(gap))])
    centres = np.array(centres)
    for _ in range(8):
        nearest = _nearest(sample, centres)
        for k in range(len(centres)):
            if np.any(nearest == k):
                centres[k] = sample[nearest == k].mean(axis=0)
    # Background runs round the frame, or at least stripes across it; a colour found in one or two stretches of
    # one or two edges is the garment touching them.
    on_side = np.array(
        [np.bincount(_nearest(side, centres), minlength=len(centres)) / max(len(side), 1) for side in sides]
    )
    keep = ((on_side >= MIN_PALETTE_SHARE).sum(axis=0) >= 3) | (_stretches(_nearest(ring, centres), len(centres)) >= 6)
    keep[np.argmax(on_side.sum(axis=0))] = True
    return centres[keep]


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
    return np.argmin(((pixels[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)


def _palette_distance(rgb: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Per pixel, the RGB distance to the nearest background colour."""
    best = None
    for colour in palette:
        d = np.sum((rgb - colour) ** 2, axis=2)
        best = d if best is None else np.minimum(best, d)
    return np.sqrt(best)


def _hysteresis(weak: np.ndarray, strong: np.ndarray) -> np.ndarray:
    """The connected regions of `weak` that contain at least one `strong` pixel."""
    labels = _label(weak)
    wanted = np.zeros(labels.size + 1, bool)
    wanted[labels[strong & weak]] = True
    return wanted[labels] & weak


def _clean(mask: np.ndarray) -> np.ndarray:
    """Drop specks and stray blobs, keep the garment's large parts and fill its small holes."""
    image = Image.fromarray(mask.astype(np.uint8) * 255)
    image = image.filter(ImageFilter.MinFilter(3)).filter(ImageFilter.MaxFilter(3))  # opening: specks, threads
    mask = np.asarray(image) > 0
    labels = _label(mask)
    areas = np.bincount(labels[mask], minlength=labels.size + 1)
    if areas.max(initial=0) == 0:
        return mask
    mask = (areas >= KEEP_SHARE * areas.max())[labels] & mask
    holes = _label(~mask)
    hole_areas = np.bincount(holes[~mask], minlength=holes.size + 1)
    outside = np.unique(_border(holes))  # background that reaches the edge is not a hole
    hole_areas[outside] = holes.size
    return mask | ((hole_areas < HOLE_SHARE * mask.sum())[holes] & ~mask)


def _label(mask: np.ndarray) -> np.ndarray:
    """4-connected component labels (background gets mask.size), without scipy.

    Each pass spreads the smallest label along every horizontal and vertical run at once, then follows labels
    to the pixel they name (pointer jumping), so long straight or snaking regions converge in a few passes.
    """
    height, width = mask.shape
    none = height * width
    labels = np.arange(none)
    labels[~mask.ravel()] = none
    if not mask.any():
        return labels.reshape(height, width)
    transposed = np.ascontiguousarray(mask.T)
    rows, cols = _runs(mask), _runs(transposed)
    inside, inside_t = mask.ravel(), transposed.ravel()
    while True:
        before = labels
        labels = labels.copy()
        labels[inside] = np.minimum.reduceat(labels[inside], rows[1])[rows[0]]
        flipped = np.ascontiguousarray(labels.reshape(height, width).T).ravel()
        flipped[inside_t] = np.minimum.reduceat(flipped[inside_t], cols[1])[cols[0]]
        labels = np.ascontiguousarray(flipped.reshape(width, height).T).ravel()
        for _ in range(3):
            labels = np.append(labels, none)[labels]
        if np.array_equal(labels, before):
            return labels.reshape(height, width)


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For the True pixels in row-major order: the index of the horizontal run each is in, and where runs start."""
    flat = mask.ravel()
    start = flat.copy()
    start[1:] &= ~flat[:-1]
    start[:: mask.shape[1]] = flat[:: mask.shape[1]]  # every row begins a new run
    run = np.cumsum(start)[flat] - 1
    return run, np.flatnonzero(np.diff(run, prepend=-1))


def _shading(luma: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Garment brightness 0..1: darker cloth is brighter, as in Fashion-MNIST (negated product photos on white)."""
    values = luma[mask]
    if values.size == 0:
        return np.zeros_like(luma)
    light, dark = np.percentile(values, [95, 5])
    contrast = np.clip((light - luma) / max(light - dark, MIN_SHADE_RANGE), 0.0, 1.0)
    return SHADE_FLOOR + (1.0 - SHADE_FLOOR) * contrast
