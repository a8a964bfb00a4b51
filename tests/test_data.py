"""The loader returns the real, verified Fashion-MNIST and refuses anything else."""

from __future__ import annotations

import gzip
import shutil

import numpy as np
import pytest

from playground.data import fashion_mnist as data
from playground.data.fashion_mnist import (
    CLASS_NAMES,
    FILES,
    DataError,
    load_folder,
    stratified_indices,
    train_validation_split,
)


def test_real_dataset_shapes_and_types(fashion):
    assert fashion.train_images.shape == (60000, 28, 28)
    assert fashion.train_labels.shape == (60000,)
    assert fashion.test_images.shape == (10000, 28, 28)
    assert fashion.test_labels.shape == (10000,)
    for array in (fashion.train_images, fashion.train_labels, fashion.test_images, fashion.test_labels):
        assert array.dtype == np.uint8
        assert not array.flags.writeable  # shared by every session: nobody may scribble on it


def test_class_names_and_balance(fashion):
    assert fashion.class_names == (
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
    assert np.bincount(fashion.train_labels).tolist() == [6000] * 10
    assert np.bincount(fashion.test_labels).tolist() == [1000] * 10


def test_loaded_once_per_process(fashion):
    assert data.load_fashion_mnist() is data.load_fashion_mnist()


def copy_dataset(source: str, target) -> None:
    for spec in FILES.values():
        shutil.copy(f"{source}/{spec.name}", target / spec.name)


@pytest.fixture
def copy_of_dataset(fashion, tmp_path):
    copy_dataset(fashion.source, tmp_path)
    return tmp_path


def rewrite(path, change) -> None:
    raw = bytearray(gzip.decompress(path.read_bytes()))
    path.write_bytes(gzip.compress(bytes(change(raw)), compresslevel=1))


def flip_one_pixel(raw):
    raw[5000] ^= 0xFF
    return raw


def wrong_magic(raw):
    raw[3] = 0x99
    return raw


def wrong_count(raw):
    raw[4:8] = (59999).to_bytes(4, "big")
    return raw


@pytest.mark.parametrize(
    "file_key, change, expected",
    [
        ("train_images", flip_one_pixel, "SHA-256"),
        ("test_images", lambda raw: raw[:-784], "truncated"),
        ("train_labels", wrong_magic, "magic"),
        ("train_images", wrong_count, "declares 59999"),
    ],
    ids=["one-flipped-pixel", "truncated", "wrong-magic", "wrong-count"],
)
def test_corrupt_copy_is_refused_naming_the_file(copy_of_dataset, file_key, change, expected):
    path = copy_of_dataset / FILES[file_key].name
    rewrite(path, change)
    with pytest.raises(DataError) as error:
        load_folder(copy_of_dataset)
    assert FILES[file_key].name in str(error.value)
    assert expected in str(error.value)


def test_truncated_gzip_is_refused(copy_of_dataset):
    path = copy_of_dataset / FILES["test_labels"].name
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte.gz"):
        load_folder(copy_of_dataset)


def test_swapped_files_are_refused(copy_of_dataset):
    images, labels = copy_of_dataset / FILES["test_images"].name, copy_of_dataset / FILES["train_images"].name
    images.write_bytes(labels.read_bytes())
    with pytest.raises(DataError, match="declares 60000"):
        load_folder(copy_of_dataset)


def test_environment_folder_comes_first(copy_of_dataset, monkeypatch):
    monkeypatch.setenv("FASHION_MNIST_DIR", str(copy_of_dataset))
    assert data.candidate_folders()[0] == copy_of_dataset
    loaded = data.find_and_load(allow_download=False)
    assert loaded.source == str(copy_of_dataset)


def test_corrupt_folder_is_an_error_not_skipped(copy_of_dataset, monkeypatch):
    """A broken copy named by the user must not be silently replaced by another copy."""
    rewrite(copy_of_dataset / FILES["train_labels"].name, flip_one_pixel)
    monkeypatch.setenv("FASHION_MNIST_DIR", str(copy_of_dataset))
    with pytest.raises(DataError, match="train-labels"):
        data.find_and_load(allow_download=False)


def test_search_order_then_clear_message_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("FASHION_MNIST_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(data, "DEBIAN_DIR", tmp_path / "no-debian")
    folders = data.candidate_folders()
    assert folders == [tmp_path / "nowhere", tmp_path / "no-debian", tmp_path / "keras" / "datasets" / "fashion-mnist"]

    def offline():
        raise OSError("network unreachable")

    monkeypatch.setattr(data, "download_to_keras_cache", offline)
    with pytest.raises(DataError) as error:
        data.find_and_load()
    assert "dataset-fashion-mnist" in str(error.value) and "FASHION_MNIST_DIR" in str(error.value)


def test_keras_cache_is_used(fashion, tmp_path, monkeypatch):
    cache = tmp_path / "keras" / "datasets" / "fashion-mnist"
    cache.mkdir(parents=True)
    copy_dataset(fashion.source, cache)
    monkeypatch.delenv("FASHION_MNIST_DIR", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(data, "DEBIAN_DIR", tmp_path / "no-debian")
    assert data.find_and_load(allow_download=False).source == str(cache)


def test_stratified_subset_is_balanced_and_repeatable():
    labels = np.repeat(np.arange(10), 600)
    chosen = stratified_indices(labels, 2000, seed=3)
    assert len(chosen) == len(set(chosen)) == 2000
    assert np.bincount(labels[chosen]).tolist() == [200] * 10
    assert np.array_equal(chosen, stratified_indices(labels, 2000, seed=3))
    assert not np.array_equal(chosen, stratified_indices(labels, 2000, seed=4))


def test_validation_split_is_disjoint_and_stratified():
    labels = np.repeat(np.arange(10), 600)
    train, val = train_validation_split(labels, 3000, 0.2, seed=0)
    assert len(train) == 2400 and len(val) == 600
    assert not set(train) & set(val)
    assert np.bincount(labels[val]).tolist() == [60] * 10


def test_class_names_constant_matches_lesson_order():
    assert CLASS_NAMES[0] == "T-shirt/top" and CLASS_NAMES[9] == "Ankle boot"
