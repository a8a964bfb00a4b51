"""Hostile .keras files, generated in code (issue 22): each class of attack the issue lists, and a few it does not.

Every file is made from scratch with json, zipfile (or raw zip headers written here) and h5py, never with Keras,
so the corpus is quick to make and any byte of it can be bent. The valid base is what Keras writes for a small
playground model (InputLayer, Rescaling, Flatten, Dense 16 relu, Dense 10 softmax; config.json,
metadata.json and model.weights.h5 with /layers/<snake_case>/vars/<i>), checked by tests/test_hostile_files.py
to answer.

    CORPUS[name] = Hostile(make, expect, what)   # make(folder) -> bytes; expect "refused" or "answered"
    make(name, folder) -> bytes

Files that point outside themselves (external storage, external links, virtual datasets) point at a canary: a
file in `folder` holding a random secret (`canary(folder)`), which must never come back in a message or a weight.
The bombs are built from one compressed block repeated: nothing of their inflated size is ever
held in memory (each takes under a second to make).
"""

from __future__ import annotations

import bz2
import io
import json
import os
import secrets
import struct
import threading
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CANARY_NAME = "canary.bin"
CANARY_BYTES = 64  # a Dense(16) bias: 16 float32


# -- The valid base ---------------------------------------------------------------------------------


def layer(kind: str, **config) -> dict:
    """One layer as Keras 3 writes it into config.json."""
    return {"module": "keras.layers", "class_name": kind, "config": config, "registered_name": None}


def dense(units: int, activation: str = "linear", name: str | None = None) -> dict:
    return layer("Dense", name=name or f"dense_{units}", units=units, activation=activation, use_bias=True)


def sequential(layers: list[dict], batch_shape=(None, 28, 28)) -> dict:
    """A Sequential model's config.json as Keras 3 writes it (an InputLayer first)."""
    pixels = "uint8" if layers and layers[0].get("class_name") == "Rescaling" else "float32"  # as Keras needs
    first = layer("InputLayer", batch_shape=list(batch_shape), dtype=pixels, name="pixels")
    return {
        "module": "keras",
        "class_name": "Sequential",
        "config": {"name": "hostile", "trainable": True, "layers": [first, *layers]},
        "registered_name": None,
        "build_config": {"input_shape": list(batch_shape)},
    }


def base_layers(hidden: int = 16) -> list[dict]:
    return [
        layer("Rescaling", name="scale", scale=1 / 255, offset=0.0),
        layer("Flatten", name="flatten"),
        dense(hidden, "relu", "hidden"),
        dense(10, "softmax", "output"),
    ]


def base_weights(hidden: int = 16, seed: int = 0) -> dict[str, list[np.ndarray]]:
    """Weights as Keras stores them: by snake-case class name, numbered from the second layer of a class on."""
    rng = np.random.default_rng(seed)
    return {
        "rescaling": [],
        "flatten": [],
        "dense": [rng.normal(0, 0.05, (784, hidden)).astype("f4"), np.zeros(hidden, "f4")],
        "dense_1": [rng.normal(0, 0.3, (hidden, 10)).astype("f4"), np.zeros(10, "f4")],
    }


Put = Callable[["object", str, np.ndarray], None]  # (vars group, "0", array): write one weight


def plain_put(group, name: str, array: np.ndarray) -> None:
    group.create_dataset(name, data=array)


def h5_bytes(weights: dict[str, list[np.ndarray]], put: dict[tuple[str, int], Put] | None = None, extra=None) -> bytes:
    """model.weights.h5: every weight written plainly, except those `put` writes its own way; `extra(h5)` last."""
    import h5py

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        layers = h5.create_group("layers")
        for group_name, arrays in weights.items():
            variables = layers.create_group(group_name).create_group("vars")
            for index, array in enumerate(arrays):
                (put or {}).get((group_name, index), plain_put)(variables, str(index), array)
        h5.create_group("vars")
        if extra is not None:
            extra(h5)
    return buffer.getvalue()


def keras_bytes(config, weights_file: bytes, method: int = zipfile.ZIP_DEFLATED, extra=()) -> bytes:
    """A .keras archive: metadata.json, config.json (a dict, or bytes as they are) and model.weights.h5."""
    text = config if isinstance(config, bytes) else json.dumps(config).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        archive.writestr("metadata.json", b'{"keras_version": "3.15.1", "date_saved": "2026-12-06@19:20:14"}')
        archive.writestr("config.json", text)
        archive.writestr("model.weights.h5", weights_file)
        for name, content in extra:
            archive.writestr(name, content)
    return out.getvalue()


def valid_file(method: int = zipfile.ZIP_DEFLATED) -> bytes:
    return keras_bytes(sequential(base_layers()), h5_bytes(base_weights()), method)


def with_weights(put=None, extra=None, weights=None) -> bytes:
    """The valid model with some of its weights written another way (see h5_bytes)."""
    return keras_bytes(sequential(base_layers()), h5_bytes(weights or base_weights(), put, extra))


_CANARY_LOCK = threading.Lock()


def canary(folder: Path) -> tuple[Path, bytes]:
    """A file holding a fresh random secret (hex, CANARY_BYTES long): nothing of it may ever come back."""
    path = Path(folder) / CANARY_NAME
    with _CANARY_LOCK:  # tests/test_hostile_files.py makes the corpus two files at a time
        if not path.exists():
            path.write_bytes(secrets.token_hex(CANARY_BYTES // 2).encode())
        return path, path.read_bytes()


# -- Raw zip archives (headers written by hand, so they can lie) ----------------------------------------


@dataclass
class Member:
    name: bytes
    data: bytes  # as stored (already compressed)
    size: int  # inflated size, as declared
    crc: int
    method: int = zipfile.ZIP_STORED
    flags: int = 0


def stored(name: str, content: bytes) -> Member:
    return Member(name.encode(), content, len(content), zlib.crc32(content))


def deflated(name: str, content: bytes) -> Member:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Member(name.encode(), packer.compress(content) + packer.flush(), len(content), zlib.crc32(content), 8)


def raw_zip(members: list[Member]) -> bytes:
    """A zip archive of these members, with exactly the headers given (zip64 end records past 65,535 members)."""
    local, central = [], []
    offset = 0
    for m in members:
        header = struct.pack(
            "<4s5H3L2H", b"PK\x03\x04", 20, m.flags, m.method, 0, 0x21, m.crc, len(m.data), m.size, len(m.name), 0
        )
        local += [header, m.name, m.data]
        central += [
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                m.flags,
                m.method,
                0,
                0x21,
                m.crc,
                len(m.data),
                m.size,
                len(m.name),
                0,
                0,
                0,
                0,
                0,
                offset,
            ),
            m.name,
        ]
        offset += len(header) + len(m.name) + len(m.data)
    directory = b"".join(central)
    count = len(members)
    end = b""
    if count > 0xFFFF:
        end = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(directory), offset)
        end += struct.pack("<4sLQL", b"PK\x06\x07", 0, offset + len(directory), 1)
    end += struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, min(count, 0xFFFF), min(count, 0xFFFF), len(directory), offset, 0
    )
    return b"".join(local) + directory + end


def valid_members() -> list[Member]:
    return [
        deflated("config.json", json.dumps(sequential(base_layers())).encode()),
        deflated("model.weights.h5", h5_bytes(base_weights())),
    ]


def _gf2_times(matrix: list[int], vector: int) -> int:
    total, row = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[row]
        vector >>= 1
        row += 1
    return total


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """zlib's crc32_combine: the CRC-32 of A + B from those of A and B and B's length (so a bomb's CRC is right
    without running over its gigabytes)."""
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = [_gf2_times(odd, odd[n]) for n in range(32)]
    odd = [_gf2_times(even, even[n]) for n in range(32)]
    while length2:
        even = [_gf2_times(odd, odd[n]) for n in range(32)]
        if length2 & 1:
            crc1 = _gf2_times(even, crc1)
        length2 >>= 1
        if not length2:
            break
        odd = [_gf2_times(even, even[n]) for n in range(32)]
        if length2 & 1:
            crc1 = _gf2_times(odd, crc1)
        length2 >>= 1
    return crc1 ^ crc2


def zeros_crc(chunk: int, count: int) -> int:
    one = zlib.crc32(bytes(chunk))
    crc = 0
    for _ in range(count):
        crc = crc32_combine(crc, one, chunk)
    return crc


DEFLATE_CHUNK = 16 * 2**20


def deflate_bomb(chunks: int = 128) -> Member:
    """model.weights.h5 as raw deflate of chunks × 16 MB of zeros (128: 2 GB from about 2 MB). After a full flush
    deflate starts afresh, so every chunk compresses to the same bytes: one chunk is compressed, the rest copied."""
    zeros = bytes(DEFLATE_CHUNK)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    data = first + again * (chunks - 1) + packer.flush(zlib.Z_FINISH)
    size = DEFLATE_CHUNK * chunks
    return Member(b"model.weights.h5", data, size, zeros_crc(DEFLATE_CHUNK, chunks), zipfile.ZIP_DEFLATED)


BZIP2_BLOCK = 32 * 2**20  # zeros: after bzip2's run-length step about 650 kB, one 900 kB block


def bzip2_bomb(blocks: int = 40) -> Member:
    """model.weights.h5 as bzip2 of blocks × 32 MB of zeros (40: 1.25 GB from a few kB): one block compressed,
    its bits repeated, and the stream's CRC (bzip2 combines the blocks' CRCs) recomputed."""
    one = bz2.compress(bytes(BZIP2_BLOCK), 9)
    bits = int.from_bytes(one[4:], "big")
    total = (len(one) - 4) * 8
    for pad in range(8):  # the end-of-stream marker, its CRC, then padding to a whole byte
        end = total - pad - 80
        if (bits >> (total - end - 48)) & (2**48 - 1) == 0x177245385090:
            break
    else:
        raise AssertionError("bzip2 wrote more than one block")
    block_bits = bits >> (total - end)
    block_crc = (block_bits >> (end - 80)) & 0xFFFFFFFF
    stream, combined = 0, 0
    for _ in range(blocks):
        stream = (stream << end) | block_bits
        combined = (((combined << 1) | (combined >> 31)) & 0xFFFFFFFF) ^ block_crc
    stream = (((stream << 48) | 0x177245385090) << 32) | combined
    length = blocks * end + 80
    padding = -length % 8
    data = one[:4] + (stream << padding).to_bytes((length + padding) // 8, "big")
    size = BZIP2_BLOCK * blocks
    return Member(b"model.weights.h5", data, size, zeros_crc(BZIP2_BLOCK, blocks), zipfile.ZIP_BZIP2)


def bomb_file(bomb: Member) -> bytes:
    return raw_zip([valid_members()[0], bomb])


def lying_size(folder) -> bytes:
    """model.weights.h5 deflated from 40 MB (zeros then the real weights), declared as its true 40 kB."""
    config, weights = valid_members()
    real = h5_bytes(base_weights())
    content = real + bytes(40 * 2**20)
    member = deflated("model.weights.h5", content)
    member.size = len(real)
    return raw_zip([config, member])


def declared_huge(folder) -> bytes:
    """Both members declare 2 GB but hold the real few kB (answered: declared sizes are never trusted)."""
    members = valid_members()
    for m in members:
        m.size = 2**31
    return raw_zip(members)


def encrypted_flag(folder) -> bytes:
    members = valid_members()
    members[0].flags |= 1
    return raw_zip(members)


def many_entries(folder) -> bytes:
    """The valid model plus 200,000 empty members (17 MB, under the 20 MB upload limit)."""
    empty = [Member(f"{n:06x}".encode(), b"", 0, 0) for n in range(200_000)]
    return raw_zip(valid_members() + empty)


def nested_zip(folder) -> bytes:
    """A zip holding a valid .keras (no config.json of its own)."""
    return raw_zip([stored("model.keras", valid_file())])


def weights_are_a_zip(folder) -> bytes:
    return keras_bytes(sequential(base_layers()), valid_file())


def dotdot_only(folder) -> bytes:
    config, weights = valid_members()
    config.name, weights.name = b"../config.json", b"../../model.weights.h5"
    return raw_zip([config, weights])


def dotdot_extra(folder) -> bytes:
    """A valid model plus members that would land outside any folder they were unpacked in."""
    target = Path(folder) / "escaped.txt"
    up = "../" * 12 + str(target).lstrip("/")
    return raw_zip(valid_members() + [stored(up, b"escaped"), stored(str(target), b"escaped")])


# -- HDF5: reaching outside the file, filters, chunks, odd types -----------------------------------------------


def external_to(path_of: Callable[[Path], str], size: int = CANARY_BYTES):
    """The hidden layer's bias (16 float32) stored in another file: HDF5 external storage."""

    def make(folder) -> bytes:
        target = path_of(Path(folder))

        def put(group, name, array):
            group.create_dataset(name, shape=array.shape, dtype="f4", external=[(target, 0, size)])

        return with_weights({("dense", 1): put})

    return make


def _fifo(folder: Path) -> str:
    path = folder / "fifo"
    if not path.exists():
        os.mkfifo(path)
    return str(path)


def chunked(**options):
    """The first kernel stored chunked, with these filters (h5py's create_dataset options)."""

    def make(folder) -> bytes:
        def put(group, name, array):
            group.create_dataset(name, data=array, chunks=(98, 16), **options)

        return with_weights({("dense", 0): put})

    return make


def fletcher32_zero_chunk(folder) -> bytes:
    """The output bias chunked with the fletcher32 checksum, its chunk's recorded size patched to 0 (the crasher)."""
    import h5py

    def put(group, name, array):
        group.create_dataset(name, data=array, chunks=(10,), fletcher32=True)

    weights_file = h5_bytes(base_weights(), {("dense_1", 1): put})
    with h5py.File(io.BytesIO(weights_file), "r") as h5:
        info = h5["layers/dense_1/vars/1"].id.get_chunk_info(0)
    key = struct.pack("<II", info.size, 0) + bytes(16)  # a v1 B-tree key: size, filter mask, offsets (0, 0)
    assert weights_file.count(key) == 1, "the chunk's B-tree key was not found once"
    weights_file = weights_file.replace(key, bytes(len(key)))
    return keras_bytes(sequential(base_layers()), weights_file)


def huge_chunk(folder) -> bytes:
    """The output bias declared with one chunk of 2**30 - 1 float32 (4 GB), extendible. Not written: h5py would
    build the 4 GB chunk in this process. (So plain h5py reads it cheaply: the chunk is never allocated; the reader
    must refuse chunking as such.)"""

    def put(group, name, array):
        group.create_dataset(name, shape=array.shape, dtype="f4", maxshape=(None,), chunks=(2**30 - 1,))

    return with_weights({("dense_1", 1): put})


def linked(kind: str):
    """The output bias replaced by a soft link, an external link or a virtual dataset (into the canary, or the file
    itself)."""

    def make(folder) -> bytes:
        import h5py

        path, secret = canary(folder)
        source = Path(folder) / f"canary-{kind.replace(' ', '-')}.h5"  # one per kind: they are made side by side
        with h5py.File(source, "w") as h5:
            h5["data"] = np.frombuffer(secret[:40], "f4")

        def put(group, name, array):
            if kind == "soft":
                group[name] = h5py.SoftLink("/stash/bias")
            elif kind == "soft dangling":
                group[name] = h5py.SoftLink("/nowhere")
            elif kind == "external":
                group[name] = h5py.ExternalLink(str(source), "/data")
            elif kind == "virtual canary":
                layout = h5py.VirtualLayout((10,), "f4")
                layout[:] = h5py.VirtualSource(str(source), "data", (10,))
                group.create_virtual_dataset(name, layout)
            elif kind == "virtual self":
                layout = h5py.VirtualLayout((10,), "f4")
                layout[:] = h5py.VirtualSource(".", "/stash/bias", (10,))
                group.create_virtual_dataset(name, layout)

        def stash(h5):
            h5.create_group("stash").create_dataset("bias", data=np.zeros(10, "f4"))

        return with_weights({("dense_1", 1): put}, stash)

    return make


def typed(dtype):
    """The output bias stored with another type (integers, a compound, strings…)."""

    def make(folder) -> bytes:
        import h5py

        def put(group, name, array):
            if dtype == "vlen str":
                group.create_dataset(name, data=np.array(["x"] * 10, dtype=object), dtype=h5py.string_dtype())
            elif dtype == "compound":
                group.create_dataset(name, data=np.zeros(10, [("a", "f4"), ("b", "i4")]))
            else:
                group.create_dataset(name, data=np.zeros(10, dtype))

        return with_weights({("dense_1", 1): put})

    return make


def float_kind(dtype: str, compact: bool = False):
    """The valid model with every weight stored as `dtype` (or compact): what Keras could write; answered."""

    def make(folder) -> bytes:
        import h5py

        def put(group, name, array):
            if compact and array.nbytes < 60_000:
                space = h5py.h5s.create_simple(array.shape)
                plist = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
                plist.set_layout(h5py.h5d.COMPACT)
                tid = h5py.h5t.py_create(np.dtype(dtype))
                h5py.h5d.create(group.id, name.encode(), tid, space, dcpl=plist).write(
                    h5py.h5s.ALL, h5py.h5s.ALL, np.ascontiguousarray(array, dtype)
                )
            else:
                group.create_dataset(name, data=array.astype(dtype))

        put_all = {(g, i): put for g in ("dense", "dense_1") for i in (0, 1)}
        return with_weights(put_all)

    return make


def hdf5_edit(edit: Callable[[bytes], bytes]):
    def make(folder) -> bytes:
        return keras_bytes(sequential(base_layers()), edit(h5_bytes(base_weights())))

    return make


def shaped_weights(folder) -> bytes:
    weights = base_weights()
    weights["dense"][0] = np.zeros((784, 32), "f4")
    return with_weights(weights=weights)


def scalar_weight(folder) -> bytes:
    def put(group, name, array):
        group.create_dataset(name, data=np.float32(0))

    return with_weights({("dense_1", 1): put})


def huge_numbers(bias: float, kernel: float, second: float = 1.0):
    """Weights that overflow float32 on the way to the answer (so it is infinite, or NaN after softmax)."""

    def make(folder) -> bytes:
        weights = base_weights()
        weights["dense"][0][:] = kernel
        weights["dense"][1][:] = bias
        weights["dense_1"][0][:] = second
        return with_weights(weights=weights)

    return make


def deep_groups(folder) -> bytes:
    def extra(h5):
        group = h5
        for n in range(200):
            group = group.create_group(f"g{n}")

    return with_weights(extra=extra)


def many_datasets(folder) -> bytes:
    def extra(h5):
        group = h5.create_group("many")
        for n in range(2500):
            group.create_dataset(str(n), data=np.zeros(1, "f4"))

    return with_weights(extra=extra)


# -- config.json: layers, sizes, JSON itself, text from the file ---------------------------------------


def config_of(make_config: Callable[[], object], weights=None):
    """A file with this config.json (a dict, or raw bytes) and the valid weights (or `weights()`)."""

    def make(folder) -> bytes:
        return keras_bytes(make_config(), h5_bytes(weights() if weights else base_weights()))

    return make


def layers_of(*layers: dict, batch_shape=(None, 28, 28)):
    return lambda: sequential(list(layers), batch_shape)


def weights_for(layers: list[dict], input_shape=(28, 28), seed: int = 0, scale: float = 0.05) -> dict:
    """Random weights of the right shapes for Dense/Conv2D layers (only what a finite-answer check needs)."""
    rng = np.random.default_rng(seed)
    shape, out, seen = tuple(input_shape), {}, {}
    for item in layers:
        kind, config = item["class_name"], item["config"]
        snake = {
            "Dense": "dense",
            "Conv2D": "conv2d",
            "Flatten": "flatten",
            "MaxPooling2D": "max_pooling2d",
            "Rescaling": "rescaling",
            "Reshape": "reshape",
        }.get(kind, kind.lower())
        number = seen.get(snake, 0)
        seen[snake] = number + 1
        group = snake if number == 0 else f"{snake}_{number}"
        if kind == "Dense":
            units = config["units"]
            out[group] = [rng.normal(0, scale, (shape[-1], units)).astype("f4"), np.zeros(units, "f4")]
            shape = (units,)
        elif kind == "Conv2D":
            filters = config["filters"]
            out[group] = [rng.normal(0, scale, (3, 3, shape[-1], filters)).astype("f4"), np.zeros(filters, "f4")]
            shape = (shape[0] - 2, shape[1] - 2, filters)
        elif kind == "Flatten":
            shape = (int(np.prod(shape)),)
        elif kind == "MaxPooling2D":
            shape = (shape[0] // 2, shape[1] // 2, shape[2])
        elif kind == "Reshape":
            shape = tuple(config["target_shape"])
        else:
            out[group] = []
    return out


def conv(filters: int, name: str | None = None) -> dict:
    return layer(
        "Conv2D",
        name=name or f"conv_{filters}",
        filters=filters,
        kernel_size=[3, 3],
        strides=[1, 1],
        padding="valid",
        activation="relu",
        use_bias=True,
    )


def with_model(layers: list[dict], batch_shape=(None, 28, 28), weights: dict | None = None):
    """A model of these layers with weights of the right shapes (so only the checks on the layers can stop it)."""
    input_shape = tuple(batch_shape[1:])

    def make(folder) -> bytes:
        return keras_bytes(sequential(layers, batch_shape), h5_bytes(weights or weights_for(layers, input_shape)))

    return make


def edited(edit: Callable[[dict], None]):
    """The valid config.json, edited in place by `edit`."""

    def make_config():
        config = sequential(base_layers())
        edit(config)
        return config

    return config_of(make_config)


def set_layer(index: int, **changes):
    """Edit layer `index` of the model (0 is the InputLayer)."""
    return edited(lambda c: c["config"]["layers"][index].update(changes))


def set_layer_config(index: int, **changes):
    return edited(lambda c: c["config"]["layers"][index]["config"].update(changes))


def deep_json(folder) -> bytes:
    depth = 100_000
    text = b'{"module": "keras", "class_name": "Sequential", "config": {"layers": ' + b"[" * depth + b"]" * depth
    return keras_bytes(text + b"}}", h5_bytes(base_weights()))


def json_constant(constant: str, where: str):
    def make(folder) -> bytes:
        text = json.dumps(sequential(base_layers()))
        marker = {"scale": '"scale": 0.00392156862745098', "units": '"units": 16'}[where]
        text = text.replace(marker, marker.split(":")[0] + ": " + constant)
        assert constant in text
        return keras_bytes(text.encode(), h5_bytes(base_weights()))

    return make


LINK = "[click](http://example.invalid)"
IMAGE = "![x](http://example.invalid/x.png)"
HTML = '<img src="http://example.invalid/y.png" onerror="alert(1)">'
MEGABYTE_NAME = "A" * 2**20


def renamed_layers(name: str):
    """The valid model with every layer named `name` (Keras never checks names): answered, names shown plainly."""
    return edited(lambda c: [item["config"].update(name=name) for item in c["config"]["layers"]])


def rescaling_chain(folder) -> bytes:
    """5,000 Rescaling layers (about 400 kB of config.json) before the valid model's layers."""
    chain = [layer("Rescaling", name=f"r{n}", scale=1.0, offset=0.0) for n in range(5000)]
    return keras_bytes(sequential(chain + base_layers()), h5_bytes(base_weights()))


def functional(folder) -> bytes:
    config = sequential(base_layers())
    config["class_name"] = "Functional"
    config["module"] = "keras.src.models.functional"
    return keras_bytes(config, h5_bytes(base_weights()))


def lambda_layer(folder) -> bytes:
    code = (  # marshalled bytecode of `lambda x: x`, as Keras writes a Lambda's function
        "4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMEAAAAfABTACkBTqkAKQHaAXhyAQAAAHIBAAAA+gY8c3RkaW4+2gg8bGFtYmRhPgEAAADzAAAAAA=="
    )
    config = sequential(base_layers())
    item = layer("Lambda", name="run_me", function={"class_name": "__lambda__", "config": {"code": code}})
    config["config"]["layers"].insert(3, item)
    return keras_bytes(config, h5_bytes(base_weights()))


def truncated(folder) -> bytes:
    data = valid_file()
    return data[: len(data) // 2]


def html_page(folder) -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(1)</script>" + IMAGE.encode() + b"</body></html>"


# -- The corpus ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hostile:
    make: Callable[[Path], bytes]
    expect: str  # "refused" (ModelFileError) or "answered" (loads, finite answers)
    what: str


def R(make, what: str) -> Hostile:
    return Hostile(make, "refused", what)


def A(make, what: str) -> Hostile:
    return Hostile(make, "answered", what)


_WRAP = [dense(2**31, "relu", "wide"), dense(2**33, "relu", "wider"), dense(10, "softmax", "output")]
_FILTERS = [conv(52_000, "many_filters"), conv(1, "one"), layer("Flatten", name="flat"), dense(10, "softmax")]
_WORK = [
    conv(32),
    conv(256),
    layer("MaxPooling2D", name="pool", pool_size=[2, 2], strides=[2, 2]),
    layer("Flatten", name="flat"),
    dense(10, "softmax"),
]
_ACTIVATION = [
    conv(64, "c1"),
    conv(64, "c2"),
    layer("MaxPooling2D", name="pool", pool_size=[2, 2]),
    layer("Flatten", name="flat"),
    dense(10, "softmax"),
]
_CNN = [
    conv(8, "c1"),
    layer("MaxPooling2D", name="pool", pool_size=[2, 2], strides=[2, 2]),
    layer("Flatten", name="flat"),
    dense(10, "softmax", "out"),
]
_POOL = layer("MaxPooling2D", name="pool", pool_size=[2, 2], strides=[2, 2])
_SPLIT = [dense(16, "relu", "hidden"), dense(10, "softmax", "output")]

CORPUS: dict[str, Hostile] = {
    # What must keep working: the valid base and what Keras may also write.
    "valid": A(lambda folder: valid_file(), "the valid base: Rescaling, Flatten, Dense 16 relu, Dense 10 softmax"),
    "valid stored": A(lambda folder: valid_file(zipfile.ZIP_STORED), "the valid base, zip members stored"),
    "valid float64": A(float_kind("f8"), "weights as float64"),
    "valid float16": A(float_kind("f2"), "weights as float16"),
    "valid big-endian": A(float_kind(">f4"), "weights as big-endian float32"),
    "valid compact": A(float_kind("f4", compact=True), "small weights in HDF5's compact layout"),
    "valid CNN 28x28x1": A(with_model(_CNN, (None, 28, 28, 1)), "Conv2D 8, pool, Dense 10 on 28x28x1"),
    "markdown layer names": A(renamed_layers(LINK + IMAGE), "every layer named with a Markdown link and image"),
    "html layer names": A(renamed_layers(HTML), "every layer named with an HTML image tag"),
    "200 kB layer names": A(renamed_layers("B" * 200_000), "every layer named with 200 kB of text"),
    "1 MB layer name": R(set_layer_config(3, name=MEGABYTE_NAME), "a layer named with 1 MB of text (config > 1 MB)"),
    "../ member besides": A(dotdot_extra, "a valid model plus ../ and absolute members (never unpacked)"),
    # 1. Reading the server's files.
    "external storage: canary": R(external_to(lambda f: str(canary(f)[0])), "a bias stored in the canary file"),
    "external storage: /etc/passwd": R(external_to(lambda f: "/etc/passwd"), "a bias stored in /etc/passwd"),
    "external storage: /proc/self/environ": R(external_to(lambda f: "/proc/self/environ"), "a bias in environ"),
    "external storage: FIFO": R(external_to(_fifo), "a bias stored in a FIFO (a read hangs)"),
    "external link: canary": R(linked("external"), "the output bias an external link into an HDF5 canary"),
    "virtual dataset: canary": R(linked("virtual canary"), "the output bias a virtual dataset over the canary"),
    "virtual dataset: itself": R(linked("virtual self"), "the output bias a virtual dataset over the file itself"),
    "soft link": R(linked("soft"), "the output bias a soft link to another dataset in the file"),
    "soft link dangling": R(linked("soft dangling"), "the output bias a soft link to nothing"),
    # 2. Crashing HDF5: filters and chunks.
    "fletcher32 chunk of size 0": R(fletcher32_zero_chunk, "chunked + fletcher32, the chunk's size patched to 0"),
    "chunked": R(chunked(), "the first kernel chunked, no filter"),
    "chunked gzip": R(chunked(compression="gzip"), "the first kernel chunked with gzip"),
    "chunked shuffle lzf": R(chunked(compression="lzf", shuffle=True), "chunked with shuffle and lzf"),
    "chunked fletcher32": R(chunked(fletcher32=True), "chunked with the fletcher32 checksum"),
    "chunked scaleoffset": R(chunked(scaleoffset=3), "chunked with the scale-offset filter"),
    "4 GB chunk": R(huge_chunk, "one chunk of 2**30 - 1 float32 declared"),
    # Odd HDF5 contents.
    "int32 weights": R(typed("i4"), "the output bias as int32"),
    "compound weights": R(typed("compound"), "the output bias as a compound of float and int"),
    "string weights": R(typed("vlen str"), "the output bias as variable-length strings"),
    "bytes weights": R(typed("S4"), "the output bias as fixed 4-byte strings"),
    "complex weights": R(typed("c8"), "the output bias as complex64"),
    "bool weights": R(typed("?"), "the output bias as booleans"),
    "scalar weight": R(scalar_weight, "the output bias a scalar"),
    "wrong weight shapes": R(shaped_weights, "the first kernel 784 x 32 for 16 neurons"),
    "200 nested groups": R(deep_groups, "200 groups nested in the weights file"),
    "2,500 datasets": R(many_datasets, "2,500 extra datasets (a Keras file holds a few dozen)"),
    "weights not HDF5": R(hdf5_edit(lambda b: b"not an HDF5 file at all"), "model.weights.h5 of text"),
    "weights truncated": R(hdf5_edit(lambda b: b[: len(b) // 2]), "model.weights.h5 cut in half"),
    "weights HDF5 header only": R(hdf5_edit(lambda b: b[:512]), "model.weights.h5's first 512 bytes"),
    # 3. Zip bombs and odd archives.
    "bzip2 bomb 1.25 GB": R(lambda folder: bomb_file(bzip2_bomb()), "bzip2 weights inflating to 1.25 GB"),
    "deflate bomb 2 GB": R(lambda folder: bomb_file(deflate_bomb()), "deflate weights inflating to 2 GB (2 MB)"),
    "lying member size": R(lying_size, "weights inflating to 40 MB, declared 40 kB"),
    "declared 2 GB members": A(declared_huge, "members declaring 2 GB each, holding kB (sizes never trusted)"),
    "encrypted flag": R(encrypted_flag, "config.json flagged encrypted"),
    "200,000 entries": R(many_entries, "the valid model plus 200,000 empty members"),
    "nested zip": R(nested_zip, "a zip holding a .keras"),
    "weights a zip": R(weights_are_a_zip, "model.weights.h5 is itself a .keras zip"),
    "../ names only": R(dotdot_only, "config.json and weights named ../"),
    # 4. Compute and memory caps.
    "weight count wrap-around": R(config_of(layers_of(layer("Flatten", name="f"), *_WRAP)), "Dense 2**31, 2**33"),
    "10 million neurons": R(
        config_of(layers_of(layer("Flatten", name="f"), dense(10_000_000), dense(10))), "Dense 10,000,000"
    ),
    "52,000 filters": R(
        config_of(layers_of(*_FILTERS, batch_shape=(None, 28, 28, 1))), "Conv2D 52,000 then Conv2D 1: 994,951 weights"
    ),
    "work per answer": R(with_model(_WORK, (None, 28, 28, 1)), "Conv2D 32 then 256 unpooled: 42M multiply-adds"),
    "largest activation": R(with_model(_ACTIVATION, (None, 28, 28, 1)), "Conv2D 64 on 26x26x64: 331,776 values"),
    "5,000 Rescaling layers": R(rescaling_chain, "a chain of 5,000 Rescaling layers"),
    "4097 units": R(
        with_model([*[_POOL] * 3, layer("Flatten", name="f"), dense(4097, "relu"), dense(10)], (None, 28, 28, 1)),
        "a Dense of 4,097 neurons on 3x3 pooled pixels",
    ),
    # 6. Config oddities.
    "deep JSON": R(deep_json, "100,000 nested lists in config.json"),
    "config a list": R(config_of(lambda: [1, 2, 3]), "config.json is a list"),
    "config a string": R(config_of(lambda: "Sequential"), "config.json is a string"),
    "model config a list": R(edited(lambda c: c.update(config=[1, 2])), "the model's config is a list"),
    "model config a string": R(edited(lambda c: c.update(config="layers")), "the model's config is a string"),
    "layers a dict": R(edited(lambda c: c["config"].update(layers={"a": 1})), "the layers are a dict"),
    "layer config a list": R(set_layer(3, config=[16, "relu"]), "a Dense's config is a list"),
    "layer a string": R(edited(lambda c: c["config"]["layers"].insert(2, "Dense")), "a layer given as a string"),
    "Reshape to abc": R(
        config_of(layers_of(layer("Reshape", name="r", target_shape="abc"), layer("Flatten"), *_SPLIT)),
        'a Reshape to "abc"',
    ),
    "Reshape to (-28, -28)": R(
        config_of(layers_of(layer("Reshape", name="r", target_shape=[-28, -28]), layer("Flatten"), *_SPLIT)),
        "a Reshape to (-28, -28)",
    ),
    "Reshape to 784 x 0": R(
        config_of(layers_of(layer("Reshape", name="r", target_shape=[784, 1, 0]), layer("Flatten"), *_SPLIT)),
        "a Reshape with a 0 side",
    ),
    "NaN scale": R(json_constant("NaN", "scale"), "Rescaling scale NaN (a JSON constant)"),
    "Infinity units": R(json_constant("Infinity", "units"), "Dense units Infinity (a JSON constant)"),
    "-Infinity scale": R(json_constant("-Infinity", "scale"), "Rescaling scale -Infinity"),
    "units true": R(set_layer_config(3, units=True), "Dense units true"),
    "units 16.5": R(set_layer_config(3, units=16.5), "Dense units 16.5"),
    "input 32x32": R(set_layer_config(0, batch_shape=[None, 32, 32]), "an input of 32 x 32"),
    "input batch_shape a string": R(set_layer_config(0, batch_shape="28x28"), "batch_shape a string"),
    "answer infinite": R(huge_numbers(bias=3e38, kernel=0.0, second=3e38), "every answer overflows to inf/NaN"),
    "answer infinite on a bright picture": R(huge_numbers(bias=0.0, kernel=3e38), "zeros finite, a picture inf"),
    # Text from the file shown on the page.
    "markdown class name": R(set_layer(3, class_name=LINK), "a layer class named with a Markdown link"),
    "image class name": R(set_layer(3, class_name=IMAGE), "a layer class named with a Markdown image"),
    "html class name": R(set_layer(3, class_name=HTML), "a layer class named with an HTML tag"),
    "markdown model class": R(edited(lambda c: c.update(class_name=IMAGE + LINK)), "the model's class a link"),
    "1 MB class name": R(set_layer(3, class_name=MEGABYTE_NAME), "a layer class of 1 MB"),
    "markdown activation": R(set_layer_config(3, activation=LINK), "an activation named with a link"),
    "markdown Reshape": R(
        config_of(layers_of(layer("Reshape", name="r", target_shape=[LINK, IMAGE]), layer("Flatten"), *_SPLIT)),
        "a Reshape to a link",
    ),
    "markdown input shape": R(set_layer_config(0, batch_shape=[None, IMAGE, LINK]), "an input shape of links"),
    # Code and classes that must never be run or built.
    "Lambda layer": R(lambda_layer, "a Lambda layer with marshalled code"),
    "registered_name": R(set_layer(3, registered_name="my_package>EvilDense"), "a custom registered_name"),
    "module": R(set_layer(3, module="os"), "a layer whose module is os"),
    "unknown layer": R(set_layer(3, class_name="LSTM"), "an LSTM layer"),
    "Functional model": R(functional, "a Functional model"),
    # Not model files at all.
    "empty": R(lambda folder: b"", "an empty file"),
    "HTML page": R(html_page, "an HTML page named .keras"),
    "truncated": R(truncated, "the valid model cut in half"),
    "PK only": R(lambda folder: b"PK", "two bytes"),
    "PNG": R(lambda folder: b"\x89PNG\r\n\x1a\n" + bytes(100), "a PNG's signature"),
}


def make(name: str, folder: Path) -> bytes:
    """The bytes of CORPUS[name], made in `folder` (where its canary, FIFO or linked files are put)."""
    return CORPUS[name].make(Path(folder))
