"""Synthetic 'photos' of real Fashion-MNIST items (tilted garments on varied backgrounds), odd upload files, and
model files for the upload checks (Keras is imported only by the helpers that save one)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

BACKGROUNDS = ("plain", "noise", "stripes", "wood", "gradient")


def make_synthetic_photo(item: np.ndarray, rng: np.random.Generator, background: str | None = None) -> Image.Image:
    """A photograph-like RGB image of a 28x28 item: a cloth-coloured garment shaped and shaded by the item."""
    return make_synthetic_case(item, rng, background)[0]


def make_synthetic_case(
    item: np.ndarray, rng: np.random.Generator, background: str | None = None
) -> tuple[Image.Image, np.ndarray]:
    """(photo, the item tilted like the photo and re-framed as Fashion-MNIST does): the best one can recover."""
    size = int(rng.integers(300, 1201))
    angle = float(rng.uniform(-15, 15))
    cloth = rng.uniform(20, 235, 3)
    layer = _garment_layer(item, size, cloth, rng).rotate(angle, Image.Resampling.BILINEAR, expand=True)
    width, height = (int(side * rng.uniform(1.25, 1.8)) for side in layer.size)
    kind = background or str(rng.choice(BACKGROUNDS))
    photo = _background(kind, width, height, cloth, rng)
    x = int(rng.integers(0, width - layer.size[0] + 1))
    y = int(rng.integers(0, height - layer.size[1] + 1))
    photo.paste(layer, (x, y), layer)
    photo = photo.filter(ImageFilter.BoxBlur(float(rng.uniform(0.0, 2.0)) * size / 600))  # focus; box is fast
    noise = rng.standard_normal((height, width, 1), dtype=np.float32) * np.float32(rng.uniform(2, 8))  # sensor
    noisy = np.asarray(photo, np.float32) + noise
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)), tilted_item(item, angle)


def tilted_item(item: np.ndarray, angle: float) -> np.ndarray:
    """The item rotated by `angle` degrees, then trimmed, scaled and centred the Fashion-MNIST way (float 28x28)."""
    up = Image.fromarray(item).resize((280, 280), Image.Resampling.BICUBIC)
    tilted = np.asarray(up.rotate(angle, Image.Resampling.BICUBIC, expand=True), np.float32)
    rows, cols = np.flatnonzero(tilted.max(axis=1) > 8), np.flatnonzero(tilted.max(axis=0) > 8)
    crop = tilted[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    scale = 28 / max(crop.shape)
    w, h = max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale))
    small = np.asarray(Image.fromarray(crop).resize((w, h), Image.Resampling.BOX))
    out = np.zeros((28, 28), np.float32)
    top, left = (28 - h + 1) // 2, (28 - w + 1) // 2
    out[top : top + h, left : left + w] = small
    return out


def _garment_layer(item: np.ndarray, size: int, cloth: np.ndarray, rng: np.random.Generator) -> Image.Image:
    """RGBA garment: the item is the alpha mask; darker where the item is brighter (the item is a negated photo)."""
    up = np.asarray(Image.fromarray(item).resize((size, size), Image.Resampling.BICUBIC), np.float32) / 255.0
    alpha = np.clip((up * 255.0 - 3.0) / 20.0, 0.0, 1.0)  # a solid silhouette with soft edges
    shade = 1.0 - np.float32(rng.uniform(0.35, 0.65)) * up  # folds, seams and print: the item's own texture
    rgb = np.clip(cloth.astype(np.float32) * shade[:, :, None], 0, 255)
    return Image.fromarray(np.dstack([rgb, alpha * 255.0]).astype(np.uint8))


def _background(kind: str, width: int, height: int, cloth: np.ndarray, rng: np.random.Generator) -> Image.Image:
    """A light, dark or coloured background of the given kind whose mean colour clearly differs from the cloth."""
    for _ in range(100):  # people photograph a garment on something it stands out from
        base = rng.uniform(0, 255, 3)
        if np.linalg.norm(base - cloth) > 80:
            break
    ys, xs = np.ogrid[0:height, 0:width]
    ys, xs = ys.astype(np.float32), xs.astype(np.float32)
    if kind == "plain":
        value = np.zeros((1, 1), np.float32)
    elif kind == "noise":  # a rough surface: coarse blotches plus fine grain
        coarse = rng.standard_normal((height // 40 + 2, width // 40 + 2), dtype=np.float32)
        grain = rng.standard_normal((height, width), dtype=np.float32)
        value = 12 * _resize(coarse, width, height) + 6 * grain
    elif kind == "stripes":  # fabric, tiles, floorboards
        angle, period = rng.uniform(0, np.pi), rng.uniform(20, 80)
        value = 14 * np.sign(np.sin((xs * np.cos(angle) + ys * np.sin(angle)) * (2 * np.pi / period)))
    elif kind == "wood":  # wavy grain
        period, wave = rng.uniform(15, 50), rng.uniform(60, 200)
        value = 12 * np.sin((ys + 10 * np.sin(xs / wave)) * (2 * np.pi / period))
    else:  # "gradient": uneven light across the frame
        angle = rng.uniform(0, 2 * np.pi)
        value = 40 * ((xs / width - 0.5) * np.cos(angle) + (ys / height - 0.5) * np.sin(angle))
    value = np.broadcast_to(value, (height, width)).astype(np.float32)
    photo = base.astype(np.float32)[None, None, :] + value[:, :, None]
    return Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8))


def _resize(array: np.ndarray, width: int, height: int) -> np.ndarray:
    """Smoothly resize a float array to width x height."""
    return np.asarray(Image.fromarray(array.astype(np.float32)).resize((width, height), Image.Resampling.BICUBIC))


# ---------------------------------------------------------------- uploads a visitor might make


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    """Image to file bytes."""
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def garment_photo(item: np.ndarray, background=(236, 228, 214), cloth=(40, 60, 110), size=(240, 200)) -> Image.Image:
    """An upright, untilted photo of the item: cloth shaded by the item on a plain background."""
    up = np.asarray(Image.fromarray(item).resize((180, 180), Image.Resampling.BICUBIC), np.float32) / 255
    alpha = np.clip((up * 255 - 3) / 20, 0, 1)
    rgb = np.array(cloth, np.float32) * (1 - 0.5 * up)[:, :, None]
    layer = Image.fromarray(np.dstack([rgb, alpha * 255]).astype(np.uint8))
    photo = Image.new("RGB", size, background)
    photo.paste(layer, ((size[0] - 180) // 2, (size[1] - 180) // 2), layer)
    return photo


def sixteen_bit(photo: Image.Image, size: tuple[int, int] | None = None) -> bytes:
    """A 16-bit greyscale PNG (opens as I;16), optionally blown up to `size` (fast to write, slow to decode)."""
    grey = photo.convert("L") if size is None else photo.convert("L").resize(size, Image.Resampling.BILINEAR)
    return encode(Image.fromarray(np.asarray(grey).astype(np.uint16) * 257), "PNG", compress_level=1)


def sixteen_bit_big_endian(photo: Image.Image) -> bytes:
    """A big-endian 16-bit greyscale TIFF (opens as I;16B), as scanners and microscopes write them."""
    grey = (np.asarray(photo.convert("L")).astype(np.uint16) * 257).astype(">u2")
    return encode(Image.frombytes("I;16B", photo.size, grey.tobytes()), "TIFF")


def thirty_two_bit_integers(photo: Image.Image) -> bytes:
    """A 32-bit integer greyscale TIFF (opens as I) holding 16-bit values."""
    return encode(Image.fromarray(np.asarray(photo.convert("L")).astype(np.int32) * 257), "TIFF")


def thirty_two_bit_floats(photo: Image.Image) -> bytes:
    """A 32-bit float greyscale TIFF (opens as F) with values 0..1, the usual convention for floats."""
    return encode(Image.fromarray(np.asarray(photo.convert("L")).astype(np.float32) / 255), "TIFF")


def strip(photo: Image.Image, size: tuple[int, int]) -> bytes:
    """The photo squeezed into a thin strip of `size` (e.g. 10000x3): a PNG."""
    return encode(photo.resize(size, Image.Resampling.BILINEAR), "PNG")


# -- Model files ----------------------------------------------------------------------------------


def keras_file(layers: list, path: Path) -> bytes:
    """A Sequential of these Keras layers, with random weights, saved as .keras."""
    import keras

    keras.utils.set_random_seed(1)
    keras.Sequential(layers).save(path)
    return path.read_bytes()


def lambda_model_file(folder: Path, marker: Path) -> bytes:
    """A .keras holding a Lambda whose Python code writes `marker` when it runs (checked once, then removed)."""
    import keras

    layers = [
        keras.Input((28, 28)),
        keras.layers.Flatten(),
        keras.layers.Lambda(lambda x, where=str(marker): (open(where, "w").write("ran"), x)[1]),
        keras.layers.Dense(10, activation="softmax"),
    ]
    data = keras_file(layers, folder / "lambda.keras")
    assert marker.exists()  # the code really writes the marker when it runs...
    marker.unlink()
    return data


def zip_of_random_bytes() -> bytes:
    """A zip archive that holds no model."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("data.bin", np.random.default_rng(0).bytes(5000))
    return out.getvalue()
