"""An untrusted HDF5 file (a .keras archive's model.weights.h5) checked whole before any of its data is read.

HDF5 can make a read reach outside the file: external storage names another file (even /etc/passwd or a FIFO),
virtual datasets and external or soft links point elsewhere, and filters run decoders (one of which crashes on a
crafted chunk). None of that is in what Keras writes: plain groups joined by hard links, and contiguous (or
compact) numeric datasets without filters. So everything else is refused while walking the file, before a
single value is read, and sizes are counted with Python ints, which cannot wrap around. This runs in the
sandboxed child (playground.network.sandbox): a crash in HDF5's own parsing ends only that process.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

MAX_OBJECTS = 2_000  # groups and datasets; a Keras model with its optimizer's state has a few dozen
MAX_DEPTH = 8  # /layers/dense/vars/0 is four deep
MAX_DIMENSION = 1_000_000
FLOAT_SIZES = (2, 4, 8)  # float16, float32, float64


class Hdf5Refused(ValueError):
    """The weights file holds something Keras never writes: a plain reason for the visitor."""


class Hdf5Damaged(Hdf5Refused):
    """The weights file cannot be read, or its numbers do not fit the model's layers."""


@dataclass(frozen=True)
class Hdf5Caps:
    values: int  # numbers in any one dataset
    total_values: int  # numbers in all datasets together


def open_checked(data: bytes, caps: Hdf5Caps):
    """The open h5py.File after the whole file passed the checks above; close it (it is a context manager)."""
    import h5py

    try:
        h5 = h5py.File(io.BytesIO(data), "r")
    except Exception as error:  # h5py raises OSError, ValueError, KeyError… for a file it cannot open
        raise Hdf5Damaged("the weights file is not a readable HDF5 file") from error
    try:
        _walk(h5, len(data), caps)
    except Hdf5Refused:
        h5.close()
        raise
    except Exception as error:
        h5.close()
        raise Hdf5Damaged("the weights file is damaged") from error
    return h5


def read_floats(h5, path: tuple[str, ...], shape: tuple[int, ...]) -> np.ndarray:
    """One checked dataset as float32, if it has exactly this shape and holds floats; Hdf5Refused otherwise."""
    node = h5
    try:
        for part in path:
            node = node[part]  # every link on the way was checked to be a hard link inside the file
        values = node
        if tuple(values.shape) != shape or values.dtype.kind != "f":
            raise Hdf5Damaged("the weights do not match the model's layers")
        return np.asarray(values, dtype=np.float32)
    except Hdf5Refused:
        raise
    except Exception as error:
        raise Hdf5Damaged("the weights do not match the model's layers") from error


def _walk(h5, file_size: int, caps: Hdf5Caps) -> None:
    """Every object reachable from the root: hard links only, groups and plain datasets only, sizes in bounds."""
    import h5py

    pending = [(h5, 0)]
    objects = 0
    total = 0
    while pending:
        group, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise Hdf5Refused("the weights file is nested far deeper than Keras writes")
        for name in group:
            objects += 1
            if objects > MAX_OBJECTS:
                raise Hdf5Refused("the weights file holds far more parts than a model of this playground")
            if not isinstance(group.get(name, getlink=True), h5py.HardLink):
                raise Hdf5Refused("the weights file links to something outside it")
            item = group[name]
            if isinstance(item, h5py.Group):
                pending.append((item, depth + 1))
            elif isinstance(item, h5py.Dataset):
                total += _check_dataset(item, file_size, caps)
                if total > caps.total_values:
                    raise Hdf5Refused("the weights file holds far more numbers than a model of this playground")
            else:
                raise Hdf5Refused("the weights file holds something other than numbers")


def _check_dataset(dataset, file_size: int, caps: Hdf5Caps) -> int:
    """How many numbers a dataset holds, after checking it is stored plainly inside the file."""
    import h5py

    plist = dataset.id.get_create_plist()
    layout = plist.get_layout()
    if layout not in (h5py.h5d.CONTIGUOUS, h5py.h5d.COMPACT) or plist.get_external_count() or plist.get_nfilters():
        raise Hdf5Refused("the weights are stored in a way Keras never uses (chunked, filtered or elsewhere)")
    dtype = dataset.dtype
    # Floats are the weights; an optimizer's step counter (never read) is an integer.
    sizes = FLOAT_SIZES if dtype.kind == "f" else (1, 2, 4, 8)
    if dtype.kind not in "fiu" or dtype.itemsize not in sizes:
        raise Hdf5Refused("the weights file holds something other than plain numbers")
    shape = dataset.shape
    if shape is None or any(type(side) is not int or not 1 <= side <= MAX_DIMENSION for side in shape):
        raise Hdf5Refused("the weights file declares an impossible size")
    count = 1
    for side in shape:
        count *= side  # Python ints: no wrap-around, however large the sides
    if count > caps.values:
        raise Hdf5Refused("the weights file holds a part far larger than a model of this playground")
    if layout == h5py.h5d.CONTIGUOUS:
        offset, stored = dataset.id.get_offset(), dataset.id.get_storage_size()
        if offset is None or stored != count * dtype.itemsize or offset + stored > file_size:
            raise Hdf5Damaged("the weights file is damaged (its numbers are not where it says)")
    return count
