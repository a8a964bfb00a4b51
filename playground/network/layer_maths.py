"""The NumPy arithmetic of the playground's layers, forwards and backwards: activations, 3×3 convolution, 2×2 pooling.

playground.network.layers says which layer kind uses which; these functions only compute, on batches, channels last.
"""

from __future__ import annotations

import numpy as np

from playground.network.maths import softmax

NORM_EPSILON = 1e-3  # Keras' BatchNormalization default
NUMPY_ACTIVATIONS = ("relu", "sigmoid", "tanh", "elu", "linear", "softmax")  # what activate() computes


def activate(x: np.ndarray, name: str) -> np.ndarray:
    if name == "relu":
        return np.maximum(x, 0)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if name == "tanh":
        return np.tanh(x)
    if name == "elu":
        return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))
    if name == "softmax":
        return softmax(x, dtype=x.dtype)
    if name == "linear":
        return x
    raise ValueError(f"unknown activation {name!r}")


def activation_backward(grad: np.ndarray, out: np.ndarray, name: str) -> np.ndarray:
    """The gradient through an activation, from its output (every one here can be differentiated that way)."""
    if name == "relu":
        return grad * (out > 0)
    if name == "sigmoid":
        return grad * out * (1 - out)
    if name == "tanh":
        return grad * (1 - out * out)
    if name == "elu":
        return grad * np.where(out > 0, 1, out + 1)
    if name == "softmax":
        return out * (grad - np.sum(grad * out, axis=-1, keepdims=True))
    return grad  # linear


def conv3x3(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """'valid' 3x3 convolution, stride 1, channels last, as Keras' Conv2D computes it."""
    windows = np.lib.stride_tricks.sliding_window_view(x, (3, 3), axis=(1, 2))  # (n, h, w, c, 3, 3)
    n, h, w, c = windows.shape[:4]
    patches = windows.transpose(0, 1, 2, 4, 5, 3).reshape(n * h * w, 9 * c)  # (kh, kw, c), as the kernel
    return (patches @ kernel.reshape(9 * c, -1) + bias).reshape(n, h, w, -1)


def conv3x3_backward(grad: np.ndarray, kernel: np.ndarray, input_shape: tuple) -> np.ndarray:
    """The input gradient of conv3x3: each output's gradient spread back over its 3×3 window."""
    n, h, w, filters = grad.shape
    channels = input_shape[-1]
    patches = (grad.reshape(-1, filters) @ kernel.reshape(9 * channels, filters).T).reshape(n, h, w, 3, 3, channels)
    out = np.zeros(input_shape, dtype=np.float32)
    for dy in range(3):
        for dx in range(3):
            out[:, dy : dy + h, dx : dx + w] += patches[:, :, :, dy, dx]
    return out


def max_pool2(x: np.ndarray) -> np.ndarray:
    n, h, w, c = x.shape
    h, w = h // 2 * 2, w // 2 * 2
    return x[:, :h, :w].reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))


def max_pool2_backward(grad: np.ndarray, x_in: np.ndarray) -> np.ndarray:
    """The input gradient of a 2×2 max pool: all of it to the (first) largest of each window."""
    n, h2, w2, c = grad.shape
    windows = x_in[:, : 2 * h2, : 2 * w2].reshape(n, h2, 2, w2, 2, c).transpose(0, 1, 3, 5, 2, 4)
    winner = windows.reshape(n, h2, w2, c, 4).argmax(axis=-1)
    spread = (np.arange(4) == winner[..., None]) * grad[..., None]  # (n, h2, w2, c, 4)
    spread = spread.reshape(n, h2, w2, c, 2, 2).transpose(0, 1, 4, 2, 5, 3).reshape(n, 2 * h2, 2 * w2, c)
    out = np.zeros(x_in.shape, dtype=np.float32)
    out[:, : 2 * h2, : 2 * w2] = spread
    return out
