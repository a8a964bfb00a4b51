"""Real Fashion-MNIST: find the four IDX files, verify them, load them once as uint8."""

from __future__ import annotations

import gzip
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from playground.once import once

CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


@dataclass(frozen=True)
class IdxFile:
    """One of the four files: its name, IDX magic number, item count and SHA-256 once decompressed."""

    name: str
    magic: int
    count: int
    sha256: str


FILES = {
    "train_images": IdxFile(
        "train-images-idx3-ubyte.gz",
        2051,
        60000,
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    ),
    "train_labels": IdxFile(
        "train-labels-idx1-ubyte.gz",
        2049,
        60000,
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    ),
    "test_images": IdxFile(
        "t10k-images-idx3-ubyte.gz",
        2051,
        10000,
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    ),
    "test_labels": IdxFile(
        "t10k-labels-idx1-ubyte.gz",
        2049,
        10000,
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    ),
}

HOW_TO_GET_IT = (
    "Fashion-MNIST was not found and could not be downloaded. Install it with "
    "`sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or put the four "
    "files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
    "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) in a folder and set "
    "FASHION_MNIST_DIR to it."
)


class DataError(RuntimeError):
    """The dataset is missing, or one of its files is truncated, corrupt or the wrong file."""


@dataclass(frozen=True)
class FashionMNIST:
    """The whole dataset as read-only uint8 arrays, plus where it came from."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    source: str
    class_names: tuple[str, ...] = CLASS_NAMES

    def __repr__(self) -> str:
        return f"FashionMNIST(train={len(self.train_labels)}, test={len(self.test_labels)}, source={self.source!r})"


# -- Reading and checking one file ------------------------------------------------


def read_idx(path: Path, spec: IdxFile) -> np.ndarray:
    """Decompress, check and parse one IDX file; raise DataError naming the file otherwise.

    Streams into one buffer of the size the header promises, so loading never holds two copies.
    """
    header_size = 16 if spec.magic == 2051 else 8
    try:
        with gzip.open(path, "rb") as stream:
            header = stream.read(header_size)
            if len(header) < header_size:
                raise DataError(f"{path}: only {len(header)} bytes, too short for an IDX header.")
            magic, count = int.from_bytes(header[0:4], "big"), int.from_bytes(header[4:8], "big")
            if magic != spec.magic:
                raise DataError(f"{path}: IDX magic number is {magic}, expected {spec.magic}.")
            if count != spec.count:
                raise DataError(f"{path}: declares {count} items, expected {spec.count}.")
            item_size = 1
            if spec.magic == 2051:
                rows, cols = int.from_bytes(header[8:12], "big"), int.from_bytes(header[12:16], "big")
                if (rows, cols) != (28, 28):
                    raise DataError(f"{path}: images are {rows}x{cols}, expected 28x28.")
                item_size = rows * cols
            raw = bytearray(header_size + count * item_size)
            raw[:header_size] = header
            filled = header_size + _read_into(stream, memoryview(raw)[header_size:])
            padded = bool(stream.read(1))
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise DataError(f"{path}: not a readable gzip file ({error}).") from error
    if filled != len(raw) or padded:
        raise DataError(
            f"{path}: the header promises {len(raw)} bytes but the file holds "
            f"{'more' if padded else filled} (truncated or padded)."
        )
    digest = hashlib.sha256(raw).hexdigest()
    if digest != spec.sha256:
        raise DataError(f"{path}: SHA-256 is {digest}, expected {spec.sha256} (corrupt or a different file).")
    array = np.frombuffer(raw, dtype=np.uint8, offset=header_size)
    if spec.magic == 2051:
        array = array.reshape(count, 28, 28)
    if spec.magic == 2049 and array.max() > 9:
        raise DataError(f"{path}: holds labels above 9.")
    array.flags.writeable = False  # shared by every session: nobody may change it
    return array


def _read_into(stream, view: memoryview) -> int:
    """Fill view from stream until it is full or the stream ends; return how many bytes came."""
    total = 0
    while total < len(view):
        count = stream.readinto(view[total:])
        if not count:
            break
        total += count
    return total


def load_folder(folder: Path) -> FashionMNIST:
    """Load and verify all four files from one folder; nothing is returned unless all pass."""
    missing = [spec.name for spec in FILES.values() if not (folder / spec.name).is_file()]
    if missing:
        raise FileNotFoundError(f"{folder}: missing {', '.join(missing)}")
    arrays = {key: read_idx(folder / spec.name, spec) for key, spec in FILES.items()}
    return FashionMNIST(**arrays, source=str(folder))


# -- Where to look --------------------------------------------------------------


def candidate_folders() -> list[Path]:
    """The folders to try, in order: $FASHION_MNIST_DIR, the Debian package, the Keras cache."""
    folders = []
    if os.environ.get("FASHION_MNIST_DIR"):
        folders.append(Path(os.environ["FASHION_MNIST_DIR"]).expanduser())
    folders.append(DEBIAN_DIR)
    keras_home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser()
    folders.append(keras_home / "datasets" / "fashion-mnist")
    return folders


def download_to_keras_cache() -> Path:
    """Last resort for users who are online: the real Keras download into its cache."""
    from keras.utils import get_file  # imported late: only this path needs Keras

    folder = None
    for spec in FILES.values():
        path = Path(get_file(spec.name, origin=KERAS_ORIGIN + spec.name, cache_subdir="datasets/fashion-mnist"))
        folder = path.parent
    return folder


def find_and_load(allow_download: bool = True) -> FashionMNIST:
    """Try each folder in turn; a folder with all four files that fail verification is an error."""
    for folder in candidate_folders():
        try:
            return load_folder(folder)
        except FileNotFoundError:
            continue
    if allow_download:
        try:
            return load_folder(download_to_keras_cache())
        except DataError:
            raise
        except Exception as error:  # offline: urllib/HTTP errors of many kinds
            raise DataError(HOW_TO_GET_IT) from error
    raise DataError(HOW_TO_GET_IT)


@once
def load_fashion_mnist() -> FashionMNIST:
    """The dataset, loaded once per process and shared read-only by every caller."""
    return find_and_load()


# -- Subsets --------------------------------------------------------------------


def stratified_indices(labels: np.ndarray, limit: int, seed: int) -> np.ndarray:
    """Indices of `limit` examples with the classes as balanced as the labels allow, shuffled."""
    if limit >= len(labels):
        return np.random.default_rng(seed).permutation(len(labels))
    rng = np.random.default_rng(seed)
    classes = np.unique(labels)
    per_class = {c: rng.permutation(np.flatnonzero(labels == c)) for c in classes}
    base, extra = divmod(limit, len(classes))
    chosen = [per_class[c][: base + (1 if i < extra else 0)] for i, c in enumerate(classes)]
    return rng.permutation(np.concatenate(chosen))


def train_validation_split(
    labels: np.ndarray, limit: int, validation_split: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Stratified training subset, then a stratified slice of it held out for validation."""
    indices = stratified_indices(labels, limit, seed)
    if validation_split <= 0:
        return indices, indices[:0]
    n_val = int(round(len(indices) * validation_split))
    val_positions = stratified_indices(labels[indices], n_val, seed + 1)
    mask = np.zeros(len(indices), dtype=bool)
    mask[val_positions] = True
    return indices[~mask], indices[mask]


SAMPLES_PER_CLASS = 12  # pictures in one class's strip on the Explore page


def sample_strip(images: np.ndarray, labels: np.ndarray, label: int, seed: int) -> np.ndarray:
    """SAMPLES_PER_CLASS random images of one class side by side, enlarged 3x without blurring."""
    picks = np.random.default_rng(seed + label).choice(np.flatnonzero(labels == label), SAMPLES_PER_CLASS, False)
    gap = np.full((28, 2), 60, dtype=np.uint8)
    strip = np.hstack([part for index in picks for part in (images[index], gap)][:-1])
    return np.kron(strip, np.ones((3, 3), dtype=np.uint8))
