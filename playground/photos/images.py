"""Bring drawings and photos into Fashion-MNIST's form: a 28x28 uint8 garment, bright on black, filling the frame."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from PIL import Image

from playground.photos.decoding import EmptyImageError, ImageError, decode_image, display_picture, eight_bit
from playground.photos.garment import NothingStandsOut, find_garment
from playground.photos.regions import bbox, border

logger = logging.getLogger(__name__)

# A picture longer than this many times its width (or wider than long) is a strip, not a photo of one garment.
MAX_ASPECT = 10
SIDE = 28

# Canvas: a pixel is ink when some channel (or alpha) differs from the background by more than this (0..255).
INK_LEVEL = 8
# Canvas: total ink below this share of the canvas area counts as empty (600x400 -> 240 px, about a 15x15 dot).
MIN_INK_SHARE = 0.001
# Canvas: a drawing whose bounding box is shorter than this share of the canvas's longest side is a speck.
MIN_BOX_SHARE = 0.02
CANVAS_WORK = 200  # canvases are area-reduced by an integer factor towards this longest side before the work

# Tone curve for photos. 1.8 brought the median garment pixel near Fashion-MNIST's (180; ours 172 with it, 212
# without); with the five networks, 1.4 answers more of the tune half's photos right (pretrained/README.md).
PHOTO_GAMMA = 1.4
CENTRED_SIDE = 112  # the "cropped and centred" step is shown at this size, before it shrinks to 28x28
FADED_BACKGROUND = 0.25  # the "garment found" step shows the background at this share of its brightness


def preprocess_upload(data: bytes) -> tuple[Image.Image, np.ndarray]:
    """Decode an upload and preprocess it: (the image, shrunk if big, the 28x28 array)."""
    image = decode_image(data)
    return image, preprocess_photo(image)


# ---------------------------------------------------------------- uploads for the page


@dataclass(frozen=True)
class Upload:
    """What became of an upload, as plain arrays (picklable, so a page can cache it)."""

    picture: np.ndarray | None = (
        None  # what to show: 8-bit L, RGB or RGBA, at most decoding.DISPLAY_SIDE long; None if unread
    )
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
        garment = find_garment(eight_bit(image))
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
