"""Issue 22: every hostile file of tests/hostile.py is refused in plain words or answered finitely, nothing outside
the upload is ever read back, and a seeded fuzz of mutated .keras files leaves the web process standing with its
memory bounded. Files are read through read_model_upload, so in the sandboxed child, two at a time (the sandbox's
own limit); how long each takes is bench/hostile.py's business, not these tests'."""

from __future__ import annotations

import hashlib
import io
import os
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from playground.network import sandbox
from playground.network.uploaded_model import ModelFileError, read_model_upload
from tests import hostile

MAX_MESSAGE = 600
FROM_THE_FILE = ("[", "](", "<", "![")  # Markdown and HTML signs the corpus plants in names and class names
PEAK_MB = 300  # the issue's target for one file
RSS_GROWTH_MB = 150
# 60 in every run (about 15 s: each mutation that reaches a child costs a process start); the same seeded stream,
# so a deeper run sees these first: PLAYGROUND_FUZZ_MUTATIONS=1000 pytest tests/test_hostile_files.py -k fuzz
# (issue 22 asked for hundreds: run a deeper one whenever the readers change; see the README's Security section).
MUTATIONS = int(os.environ.get("PLAYGROUND_FUZZ_MUTATIONS", "60"))
PROBES = np.stack(
    [
        np.zeros((28, 28), np.uint8),
        np.full((28, 28), 255, np.uint8),
        np.random.default_rng(0).integers(0, 256, (28, 28), dtype=np.uint8),
    ]
)


class Recorder:
    """Wraps sandbox.run_task: per file (by its hash), the child's report or why it failed."""

    def __init__(self, run_task):
        self.run_task = run_task
        self.lock = threading.Lock()
        self.children: dict[str, object] = {}

    def __call__(self, task, data, *args, **kwargs):
        key = hashlib.sha256(data).hexdigest()
        try:
            report = self.run_task(task, data, *args, **kwargs)
        except sandbox.ChildFailed as failed:
            with self.lock:
                self.children[key] = failed
            raise
        with self.lock:
            self.children[key] = report
        return report

    def child(self, data: bytes):
        return self.children.get(hashlib.sha256(data).hexdigest())


def outcome(data: bytes) -> tuple[str, object]:
    """("refused", message) or ("answered", UploadedModel); anything else raised escapes."""
    try:
        return "answered", read_model_upload(data, "model.keras")
    except ModelFileError as refused:
        return "refused", str(refused)


def secret_pieces(secret: bytes) -> list[bytes]:
    return [secret[start : start + 8] for start in range(0, len(secret), 8)]


def leaks(secret: bytes, verdict: str, result) -> list[str]:
    """Where any 8-byte piece of the canary's secret came back: in the message, a weight or a layer's name."""
    pieces = secret_pieces(secret)
    if verdict == "refused":
        return ["message"] if any(piece.decode() in result for piece in pieces) else []
    found = [f"weight {i}" for i, w in enumerate(result.net.weights) if any(p in w.tobytes() for p in pieces)]
    names = " ".join(layer.name for layer in result.net.plan)
    return found + (["names"] if any(piece.decode() in names for piece in pieces) else [])


def plain(message: str) -> bool:
    return len(message) <= MAX_MESSAGE and not any(sign in message for sign in FROM_THE_FILE)


def answers_finitely(model) -> bool:
    return bool(np.isfinite(model.net(PROBES)).all())


# -- The corpus ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="module")
def corpus_results(corpus_folder):
    """Every corpus file made and read, two at a time: name -> (data, verdict, message or model, child)."""
    recorder = Recorder(sandbox.run_task)

    def one(name):
        data = hostile.make(name, corpus_folder)
        verdict, result = outcome(data)
        return name, (data, verdict, result)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sandbox, "run_task", recorder)
        with ThreadPoolExecutor(2) as pool:
            results = dict(pool.map(one, hostile.CORPUS))
    return {name: (*result, recorder.child(result[0])) for name, result in results.items()}


def test_the_corpus_has_each_class_of_the_issue():
    names = " ".join(hostile.CORPUS).lower()
    for word in (
        "external storage",
        "fifo",
        "fletcher32",
        "4 gb chunk",
        "soft link",
        "external link",
        "virtual",
        "int32",
        "compound",
        "string",
        "bzip2 bomb",
        "deflate bomb",
        "lying",
        "encrypted",
        "200,000",
        "nested zip",
        "../",
        "wrap-around",
        "52,000 filters",
        "rescaling",
        "deep json",
        "config a list",
        "config a string",
        "abc",
        "-28",
        "nan",
        "infinite",
        "markdown",
        "html",
        "1 mb",
        "lambda",
        "registered_name",
        "unknown layer",
        "functional",
        "wrong weight shapes",
        "empty",
        "truncated",
    ):
        assert word in names, word
    assert {entry.expect for entry in hostile.CORPUS.values()} == {"refused", "answered"}


@pytest.mark.parametrize("name", list(hostile.CORPUS))
def test_a_hostile_file_is_refused_plainly_or_answered_finitely(name, corpus_results, corpus_folder):
    data, verdict, result, child = corpus_results[name]
    expected = hostile.CORPUS[name].expect
    assert verdict == expected, f"{name}: {verdict} ({result if verdict == 'refused' else result.summary})"
    if verdict == "refused":
        assert plain(result), result
    else:
        assert answers_finitely(result)
        assert all(plain(layer.name) and len(layer.name) <= 100 for layer in result.net.plan)
    if (corpus_folder / hostile.CANARY_NAME).exists():
        assert not leaks((corpus_folder / hostile.CANARY_NAME).read_bytes(), verdict, result)
    if isinstance(child, sandbox.ChildReport):
        assert child.peak_mb <= PEAK_MB


def test_nothing_in_a_zip_is_ever_unpacked_onto_the_server(corpus_results, corpus_folder):
    assert corpus_results["../ member besides"][1] == "answered"
    assert not (corpus_folder / "escaped.txt").exists()


def test_the_canary_is_really_reachable_so_the_refusals_mean_something(corpus_folder, corpus_results):
    """Opened in this process with plain h5py (no checks), the external-storage file does read the canary: the
    corpus file is a real attack, and only the reader's checks stop it."""
    import h5py

    data = corpus_results["external storage: canary"][0]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        weights = archive.read("model.weights.h5")
    with h5py.File(io.BytesIO(weights), "r") as h5:
        read = h5["layers/dense/vars/1"][()].tobytes()
    assert read == (corpus_folder / hostile.CANARY_NAME).read_bytes()


# -- The fuzz --------------------------------------------------------------------------------------


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


EXTREMES = (0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 2**63 - 1, 2**64 - 1)


def _word(rng: np.random.Generator, width: int) -> bytes:
    value = int(rng.choice(EXTREMES)) if rng.random() < 0.6 else int(rng.integers(0, 2**63)) * 2 + 1
    return (value % 2 ** (8 * width)).to_bytes(width, "little")


def mutate_bytes(data: bytes, rng: np.random.Generator) -> bytes:
    """Byte flips, a truncation, a splice (a slice copied elsewhere) or an extreme word written somewhere."""
    out = bytearray(data)
    kind = rng.integers(4)
    if kind == 0:
        for _ in range(int(rng.integers(1, 9))):
            out[int(rng.integers(len(out)))] ^= 1 << int(rng.integers(8))
    elif kind == 1:
        del out[int(rng.integers(1, len(out))) :]
    elif kind == 2:
        start, length = int(rng.integers(len(out))), int(rng.integers(1, 512))
        piece = out[start : start + length]
        at = int(rng.integers(len(out)))
        out[at : at + (len(piece) if rng.random() < 0.5 else 0)] = piece
    else:
        width = int(rng.choice([1, 2, 4, 8]))
        at = int(rng.integers(0, max(1, len(out) - width))) // width * width
        out[at : at + width] = _word(rng, width)
    return bytes(out)


def mutate_zip_header(data: bytes, rng: np.random.Generator) -> bytes:
    """An extreme or random value written over a field of a local, central or end-of-directory header."""
    starts = [i for sign in (b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06") for i in _find_all(data, sign)]
    out = bytearray(data)
    for _ in range(int(rng.integers(1, 3))):
        width = int(rng.choice([2, 4]))
        at = int(rng.choice(starts)) + 4 + int(rng.integers(0, 21)) * 2
        out[at : at + width] = _word(rng, width)
    return bytes(out[: len(data)])


def _find_all(data: bytes, sign: bytes) -> list[int]:
    found, at = [], data.find(sign)
    while at >= 0:
        found.append(at)
        at = data.find(sign, at + 1)
    return found


def rezipped(data: bytes, name: str, content: bytes) -> bytes:
    """The archive with member `name` replaced (so its CRC is right again and the mutation reaches the parser)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == name else source.read(info))
    return out.getvalue()


def fuzz_files(bases: list[bytes], count: int, seed: int) -> list[bytes]:
    """`count` seeded mutations of the bases: of the archive's bytes, of its zip headers, of model.weights.h5
    (rezipped) and of config.json (rezipped)."""
    rng = np.random.default_rng(seed)
    members = []
    for base in bases:
        with zipfile.ZipFile(io.BytesIO(base)) as archive:
            members.append({name: archive.read(name) for name in archive.namelist()})
    files = []
    for _ in range(count):
        which = int(rng.integers(len(bases)))
        base, parts = bases[which], members[which]
        kind = rng.integers(10)
        if kind < 2:
            files.append(mutate_bytes(base, rng))
        elif kind < 4:
            files.append(mutate_zip_header(base, rng))
        elif kind < 9:
            weights = parts["model.weights.h5"]
            for _ in range(int(rng.integers(1, 4))):
                weights = mutate_bytes(weights, rng)
            files.append(rezipped(base, "model.weights.h5", weights))
        else:
            files.append(rezipped(base, "config.json", mutate_bytes(parts["config.json"], rng)))
    return files


def test_a_seeded_fuzz_of_mutated_files_never_hurts_the_web_process(tmp_path):
    """Mutations of three valid models and of two that point at a canary (external storage, a virtual dataset):
    each is refused in plain words or answers finitely, no canary byte comes back, every child that answered
    stayed under the peak target, and this process's memory stays bounded."""
    bases = [
        hostile.make("valid", tmp_path),
        hostile.make("valid stored", tmp_path),
        hostile.make("valid CNN 28x28x1", tmp_path),
        hostile.make("external storage: canary", tmp_path),
        hostile.make("virtual dataset: canary", tmp_path),
    ]
    secret = (tmp_path / hostile.CANARY_NAME).read_bytes()
    files = fuzz_files(bases, MUTATIONS, seed=22)
    recorder = Recorder(sandbox.run_task)
    outcome(bases[0])  # the first read's imports and allocations are not the fuzz's
    before = rss_mb()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sandbox, "run_task", recorder)
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(outcome, files))
    growth = rss_mb() - before
    problems = []
    for index, (verdict, result) in enumerate(results):
        if verdict == "refused" and len(result) > MAX_MESSAGE:
            problems.append((index, "long message"))
        if verdict == "answered" and not answers_finitely(result):
            problems.append((index, "not finite"))
        if where := leaks(secret, verdict, result):
            problems.append((index, f"canary in {where}"))
    peaks = [child.peak_mb for child in recorder.children.values() if isinstance(child, sandbox.ChildReport)]
    assert not problems
    assert max(peaks) <= PEAK_MB
    assert growth < RSS_GROWTH_MB
    # The fuzz reached the children and, now and then, a readable model: it is not all refused at the door.
    assert len(recorder.children) > MUTATIONS // 2
    assert any(verdict == "answered" for verdict, _ in results)


def test_a_childs_peak_memory_is_its_own_not_the_web_processs(tmp_path):
    """ChildReport.peak_mb is what bench/hostile.py and the issue's 300 MB target rely on. A child started by a
    process that once held much memory must still report its own peak (Linux hands a child started with vfork
    and exec the parent's high-water mark in ru_maxrss). Runs last: it raises this process's high-water mark."""
    data = hostile.make("valid", tmp_path)
    ballast = np.ones(350 * 2**20 // 8)  # 350 MB, touched, then freed: only the high-water mark stays
    del ballast
    assert sandbox.run_task("keras-model", data).peak_mb <= PEAK_MB
