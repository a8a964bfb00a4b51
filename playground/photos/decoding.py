"""Reading an uploaded file into a Pillow image safely: size limits before decoding, big JPEGs decoded at reduced
scale, EXIF turned upright, any colour mode or bit depth brought to 8 bits for display and analysis."""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image

MAX_PIXELS = 40_000_000  # declared width*height; a 12 MP phone photo is 12_000_000
MAX_BYTES = 20 * 1024 * 1024
# Decoded pixels in Pillow's own storage (4 bytes for RGB, 2 for 16-bit grey), judged from the header before decoding.
MAX_DECODED_BYTES = 200 * 1024 * 1024
# Uploads are kept at no less than this longest side (if they are bigger), and shown at no more.
DISPLAY_SIDE = 1000
EXIF_ORIENTATION = 0x0112
# EXIF orientation -> the turn that shows the picture as it was taken: ImageOps.exif_transpose's own table, kept here
# rather than calling it (Pillow 13.0.0), measured: it reads the EXIF from the picture it turns, so it would turn the
# full-size decode before the shrink (a 6000x4000 PNG peaked at 218 MB instead of 129, 694 ms instead of 530); and of
# 86 hand-made hostile EXIF blocks (tests/test_images.py has some) it raised on 2 (EXIF that is no TIFF, in a PNG or
# WebP: the visitor would lose the photo) and left 3 sideways (orientation written as the text "6"); 81 came out alike.
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

# A drawing canvas sends a PNG of its own size, or of up to this many times each way on a high-density screen;
# a PNG of its strokes is well under a megabyte, so a bigger one was not made by the canvas.
DRAWING_DENSITY = 4
MAX_DRAWING_BYTES = 4 * 1024 * 1024

# Formats a visitor plausibly uploads; this also keeps Pillow away from EPS (Ghostscript) and other exotic decoders.
FORMATS = ("PNG", "JPEG", "MPO", "GIF", "BMP", "WEBP", "TIFF", "AVIF")


class ImageError(ValueError):
    """Bad input with a plain-language message for the visitor."""


class EmptyImageError(ImageError):
    """Nothing drawn / blank photo: 'draw something first'."""


def decode_image(data: bytes, formats: tuple[str, ...] = FORMATS, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Open uploaded bytes safely: the first frame, upright, fully loaded and no bigger than needed, or ImageError.

    A big picture comes out shrunk by a whole factor towards DISPLAY_SIDE on its longest side (never below it;
    JPEGs are decoded at that scale directly), and a 16/32-bit one as 8-bit grey: the analysis works at
    garment.PHOTO_WORK and the page shows at most DISPLAY_SIDE, so nothing bigger is kept once the file is read.
    Only `formats` are tried, and a header declaring more than `max_pixels` is refused before decoding.
    """
    _check_file(data)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its two limits; make that a refusal too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(bytes(data)), formats=_formats(formats))
            _check_declared_size(image, max_pixels)  # from the header: nothing decoded yet
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


def decode_drawing(data: bytes, width: int, height: int) -> np.ndarray:
    """A drawing canvas's picture (the PNG its page sends) as RGBA pixels, through decode_image's checks: PNG only,
    and no more pixels than a canvas of this size has on a dense screen (DRAWING_DENSITY times each way)."""
    if len(data) > MAX_DRAWING_BYTES:
        raise ImageError("The drawing sent is far larger than the canvas can make.")
    limit = width * height * DRAWING_DENSITY**2
    try:
        image = decode_image(data, formats=("PNG",), max_pixels=limit)
    except ImageError as error:
        raise ImageError(f"The drawing that arrived could not be read as a drawing: {error}") from None
    if image.mode not in ("RGBA", "RGB"):
        raise ImageError("The drawing has an unexpected shape: a canvas sends colour (RGBA) pixels.")
    return np.asarray(image.convert("RGBA"))


def _check_declared_size(image: Image.Image, max_pixels: int) -> None:
    width, height = image.size
    if width < 1 or height < 1:
        raise ImageError("The image has no pixels.")
    if width * height > max_pixels:
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
        image = eight_bit(image)  # palette and 1-bit pictures must become pixels before they are averaged
    if factor < 2:
        return eight_bit(image.copy())
    if image.mode.startswith("I;16"):  # reduce() has no 16-bit grey; resize() averages it just the same
        width, height = image.size
        size = (-(-width // factor), -(-height // factor))
        return eight_bit(image.resize(size, Image.Resampling.BOX))
    return eight_bit(image.reduce(factor))  # 16/32-bit grey is made 8-bit only once small: no full-size float copy


def _high_bit_depth(mode: str) -> bool:
    return mode.startswith("I") or mode == "F"


def _formats(allowed: tuple[str, ...]) -> list[str]:
    """The allowed formats this Pillow build can open (naming a missing one would make every open fail)."""
    Image.init()
    return [name for name in allowed if name in Image.OPEN]


def display_picture(image: Image.Image) -> np.ndarray:
    """The picture as st.image can show it: 8-bit L, RGB or RGBA pixels, at most DISPLAY_SIDE on its longest side."""
    picture = eight_bit(image)
    if picture.mode == "LA":  # grey with alpha is not an array st.image takes
        picture = picture.convert("RGBA")
    width, height = picture.size
    scale = DISPLAY_SIDE / max(width, height)
    if scale < 1:  # a strip keeps at least one pixel across
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        picture = picture.resize(size, Image.Resampling.BOX, reducing_gap=3.0)
    return np.array(picture)


def eight_bit(image: Image.Image) -> Image.Image:
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
