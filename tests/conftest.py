"""Shared fixtures: the real dataset (loaded once) and small arrays for fast tests."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(scope="session")
def fashion():
    """The real Fashion-MNIST, from the Debian package or FASHION_MNIST_DIR; the suite needs it."""
    from playground.data import load_fashion_mnist

    return load_fashion_mnist()
