"""Reading back what a figure sends the browser."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image


def png_pixels(picture) -> np.ndarray:
    """The RGB pixels of a go.Image drawn from a PNG data URI (charts.style.png_source)."""
    source = picture.source
    assert source.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1]))).convert("RGB"))
