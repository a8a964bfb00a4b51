"""What a drawing canvas sends is untrusted too: only a PNG of about the canvas's size is decoded."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from playground.photos.decoding import MAX_DRAWING_BYTES, decode_drawing
from playground.photos.images import ImageError, preprocess_canvas


def png_header_only(width: int, height: int) -> bytes:
    """A PNG declaring width × height RGBA pixels with almost no data: a bomb if anything decoded it."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    data = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(1000))) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + data


def drawn(width: int, height: int, fmt: str = "PNG") -> bytes:
    canvas = np.zeros((height, width, 4), np.uint8)
    canvas[..., 3] = 255
    canvas[60:300, 150:290, :3] = 255  # a white block: a garment-ish shape
    buffer = io.BytesIO()
    Image.fromarray(canvas if fmt == "PNG" else canvas[..., :3]).save(buffer, format=fmt)
    return buffer.getvalue()


def test_a_canvas_png_is_read_as_rgba_pixels_the_model_can_use():
    pixels = decode_drawing(drawn(440, 400), 440, 400)
    assert pixels.shape == (400, 440, 4) and pixels.dtype == np.uint8
    assert preprocess_canvas(pixels).shape == (28, 28)


def test_a_high_density_screens_canvas_is_still_read():
    assert decode_drawing(drawn(880, 800), 440, 400).shape == (800, 880, 4)


@pytest.mark.parametrize(
    "data, words",
    [
        (png_header_only(13_000, 13_000), "enormous size"),  # issue 22's crafted stroke: 169 MP, Pillow's own limit
        (png_header_only(440 * 5, 400 * 5), "too large"),
        (drawn(440, 400, "JPEG"), "not an image we can read"),  # only PNG is what a canvas sends
        (drawn(440, 400, "GIF"), "not an image we can read"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not an image we can read"),
        (b"\x89PNG" + bytes(MAX_DRAWING_BYTES), "far larger than the canvas"),
        (b"", "empty"),
    ],
)
def test_anything_else_is_refused_before_decoding(data, words):
    with pytest.raises(ImageError, match=words):
        decode_drawing(data, 440, 400)
