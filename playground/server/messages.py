"""What the web process and a training worker process say to each other over their pipe.

Each message is a small frozen dataclass with named fields. Everything in them pickles and stays small: settings
as a flat dict of strings, snapshots (plain dataclasses), and NumPy weights only after a full epoch and at the end.

In (to the worker): Train, Stop, Exit. Out (from it): Ready, Progress, Checkpoint, Done, Fatal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.network.evaluation import Evaluation
from playground.training.snapshots import Snapshot

# -- To the worker


@dataclass(frozen=True)
class Train:
    """Train this configuration (ExperimentConfig.to_flat_dict); end it as stopped after max_seconds."""

    settings: dict[str, str]
    max_seconds: float | None


@dataclass(frozen=True)
class Stop:
    """End the current run after its batch; what it learned is kept."""


@dataclass(frozen=True)
class Exit:
    """Take no new run: the process ends once it reads this between runs."""


# -- From the worker


@dataclass(frozen=True)
class Ready:
    """TensorFlow and the data are loaded; the process's memory now."""

    rss_mb: float


@dataclass(frozen=True)
class Progress:
    """The running run's latest snapshot (never its end: that comes with Done)."""

    snapshot: Snapshot


@dataclass(frozen=True)
class Checkpoint:
    """The weights after a full epoch."""

    epoch: int
    weights: list[np.ndarray]


@dataclass(frozen=True)
class Done:
    """The run's end, with what it leaves: the final snapshot, the weights (None if it failed), the test results,
    and the process's memory once the run's has been given back."""

    snapshot: Snapshot
    weights: list[np.ndarray] | None
    evaluation: Evaluation | None
    rss_mb: float


@dataclass(frozen=True)
class Fatal:
    """The worker cannot train at all (e.g. the images cannot be loaded); the message says why, in words."""

    message: str


ToWorker = Train | Stop | Exit
FromWorker = Ready | Progress | Checkpoint | Done | Fatal
