"""Bring drawings and photos into Fashion-MNIST's form: a 28x28 uint8 garment, bright on black, filling the frame."""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image

from playground.garment import NothingStandsOut, find_garment
from playground.regions import bbox, border

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

# Tone curve for photos: brings the median garment pixel near Fashion-MNIST's (180; ours 172 with it, 212 without).
PHOTO_GAMMA = 1.8
CENTRED_SIDE = 112  # the "cropped and centred" step is shown at this size, before it shrinks to 28x28
FADED_BACKGROUND = 0.25  # the "garment found" step shows the background at this share of its brightness


class ImageError(ValueError):
    """Bad input with a plain-language message for the visitor."""


class EmptyImageError(ImageError):
    """Nothing drawn / blank photo: 'draw something first'."""


# ---------------------------------------------------------------- decoding


def decode_image(data: bytes) -> Image.Image:
    """Open uploaded bytes safely: the first frame, upright, fully loaded and no bigger than needed, or ImageError.

    A big picture comes out shrunk by a whole factor towards DISPLAY_SIDE on its longest side (never below it;
    JPEGs are decoded at that scale directly), and a 16/32-bit one as 8-bit grey: the analysis works at
    garment.PHOTO_WORK and the page shows at most DISPLAY_SIDE, so nothing bigger is kept once the file is read.
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
    steps: PhotoSteps | None = None  # how the picture became the model input


def read_upload(data: bytes) -> Upload:
    """Decode and preprocess an upload without raising: every file that decodes keeps its picture for display."""
    try:
        image = decode_image(data)
    except ImageError as error:
        return Upload(problem=str(error))
    picture = display_picture(image)
    try:
        steps = photo_steps(image)
        return Upload(picture, steps.model_input, steps=steps)
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
    box = bbox(ink > INK_LEVEL)
    if box is None or max(box[2] - box[0], box[3] - box[1]) < MIN_BOX_SHARE * max(height, width):
        raise EmptyImageError("The drawing is only a speck: draw something bigger first.")
    top, left, bottom, right = box
    crop = ink[top:bottom, left:right].astype(np.float32)
    return _fit(crop / 255.0)


def _canvas_ink(array: np.ndarray) -> np.ndarray:
    """Ink strength 0..255 per pixel: alpha on a transparent canvas, else the distance from the border colour."""
    if array.shape[2] == 4:
        alpha = array[:, :, 3]
        if np.median(border(alpha)) < 128:  # transparent background: alpha is the stroke
            return alpha
    rgb = array[:, :, :3]
    background = np.median(border(rgb).reshape(-1, 3), axis=0).astype(np.int16)
    # Largest per-channel difference: colour-agnostic and linear in antialiased coverage.
    return np.abs(rgb.astype(np.int16) - background).max(axis=2).astype(np.uint8)


# ---------------------------------------------------------------- shared


def _fit(crop: np.ndarray, side: int = SIDE) -> np.ndarray:
    """Scale a cropped 0..1 intensity map so its longest side is `side`, centre it by bounding box, stretch to
    0..255."""
    height, width = crop.shape
    scale = side / max(height, width)
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    small = Image.fromarray(crop.astype(np.float32)).resize((new_w, new_h), Image.Resampling.BOX)
    out = np.zeros((side, side), np.float32)
    # Fashion-MNIST puts the odd leftover pixel on the left/top.
    x0, y0 = (side - new_w + 1) // 2, (side - new_h + 1) // 2
    out[y0 : y0 + new_h, x0 : x0 + new_w] = np.clip(np.asarray(small), 0.0, None)
    peak = float(out.max())
    if peak <= 0:
        raise EmptyImageError("Nothing is left after cropping: draw or photograph something bigger.")
    # Fashion-MNIST items nearly always reach 255.
    return np.clip(np.rint(out * (255.0 / peak)), 0, 255).astype(np.uint8)


# ---------------------------------------------------------------- photos


@dataclass(frozen=True)
class PhotoSteps:
    """The way from a photo to the model's input, as pictures a page can show (uint8 arrays)."""

    found: np.ndarray  # RGB at working size, the background faded: what was taken for the garment
    centred: np.ndarray  # CENTRED_SIDE square: the garment's brightness, cropped and centred as Fashion-MNIST
    model_input: np.ndarray  # the 28x28 the model sees


def preprocess_photo(image: Image.Image | bytes) -> np.ndarray:
    """Turn a photo (PIL image in any mode, or file bytes) into a 28x28 uint8 garment, bright on black."""
    return photo_steps(image).model_input


def photo_steps(image: Image.Image | bytes) -> PhotoSteps:
    """Preprocess a photo and keep every step: the garment found, cropped and centred, and the 28x28 result."""
    if isinstance(image, (bytes, bytearray, memoryview)):
        image = decode_image(bytes(image))
    _check_proportions(image)
    try:
        garment = find_garment(_eight_bit(image))
    except NothingStandsOut as error:
        raise EmptyImageError(str(error)) from None
    top, left, bottom, right = bbox(garment.mask)
    crop = garment.intensity[top:bottom, left:right]
    model_input = _fit(crop)
    centred = _fit(crop, CENTRED_SIDE)
    faded = np.where(garment.mask[:, :, None], 1.0, FADED_BACKGROUND)
    return PhotoSteps(
        found=np.clip(garment.rgb * faded, 0, 255).astype(np.uint8),
        centred=_tone(centred),
        model_input=_tone(model_input),
    )


def _tone(image: np.ndarray) -> np.ndarray:
    return np.rint(255.0 * (image / 255.0) ** PHOTO_GAMMA).astype(np.uint8)


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
    try:
        return find_garment(_eight_bit(image)).intensity ** PHOTO_GAMMA
    except NothingStandsOut as error:
        raise EmptyImageError(str(error)) from None


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
