"""What the server allows and what a run costs: the limits of playground.server.workers, from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from playground.network.numpy_net import count_parameters, planned_layers
from playground.settings.config import LECTURE, OPTIMIZERS, ExperimentConfig

MB = 1024 * 1024
OPTIMIZER_SLOTS = {name: optimizer.slots for name, optimizer in OPTIMIZERS.items()}  # declared in choices.py
# Measured here (bench/crowd.py, /proc): the web process without TensorFlow holds 275-313 MB with ten visitors and
# up to 363 MB with thirty; a worker with TensorFlow and the data 816-916 MB between lecture runs. A run adds more.
WORKER_BASE_MB, WEB_BASE_MB = 850.0, 370.0
# Besides its model, a run's worker holds its training images twice (a tensor and tf.data's shuffle buffer) and,
# for the evaluation and the compiled graphs, about this much more: a lecture run measured +155 MB at its peak.
RUN_SCRATCH_MB = 60.0


@dataclass(frozen=True)
class Limits:
    workers: int = 1
    max_queue: int = 40
    max_run_seconds: float = 600.0
    memory_budget_mb: float = 1500.0
    worker_idle_seconds: float = 120.0  # an idle worker exits, giving its memory back; the next run starts one

    @property
    def worker_recycle_mb(self) -> float:
        """A worker grown past this is replaced after its run (each run leaves ~20 MB behind): a lecture run on
        top of it, beside the web process, still fits the budget."""
        return (self.memory_budget_mb - WEB_BASE_MB) / self.workers - training_megabytes(LECTURE)

    @property
    def room_for_models_mb(self) -> float:
        """What the budget leaves for training and keeping models, once the processes themselves are counted."""
        return self.memory_budget_mb - WEB_BASE_MB - WORKER_BASE_MB * self.workers

    @classmethod
    def from_environment(cls, environ=os.environ) -> Limits:
        def number(name: str, default: float) -> float:
            return environment_number(name, default, environ)

        return cls(
            workers=max(1, int(number("PLAYGROUND_WORKERS", cls.workers))),
            max_queue=int(number("PLAYGROUND_MAX_QUEUE", cls.max_queue)),
            max_run_seconds=number("PLAYGROUND_MAX_RUN_SECONDS", cls.max_run_seconds) or cls.max_run_seconds,
            memory_budget_mb=number("PLAYGROUND_MEMORY_BUDGET_MB", cls.memory_budget_mb) or cls.memory_budget_mb,
            worker_idle_seconds=number("PLAYGROUND_WORKER_IDLE_SECONDS", cls.worker_idle_seconds),
        )


def environment_number(name: str, default: float, environ=os.environ) -> float:
    """A setting from the environment: a number ≥ 0, or the default when it is missing or nonsense."""
    try:
        return max(0.0, float(environ.get(name, default)))
    except ValueError:
        return default


# -- What a run costs --------------------------------------------------------------------------


def training_megabytes(config: ExperimentConfig) -> float:
    """What training this config adds to a worker: weights, gradients, optimizer slots, the kept checkpoint and
    its copy on the way to the web process, a batch of activations forward and backward (with XLA's buffers),
    and its input pipeline (the training images and labels twice, and the scratch of an evaluation)."""
    parameters = count_parameters(config)
    copies = 1 + 1 + OPTIMIZER_SLOTS[config.optimizer] + 2
    activations = sum(int(np.prod(layer.output_shape)) for layer in planned_layers(config))
    model = (parameters * copies + config.batch_size * activations * 4) * 4 / MB
    return model + 2 * config.train_limit * (28 * 28 + 1) / MB + RUN_SCRATCH_MB


def kept_megabytes(config: ExperimentConfig) -> float:
    """What the web process keeps of a run: the final weights and the latest epoch's checkpoint."""
    return 2 * count_parameters(config) * 4 / MB


def process_rss_mb(pid: int | str = "self") -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def return_freed_heap() -> None:
    """Ask glibc to give freed heap back to the system now: it keeps it for later otherwise, so one big answer or
    run would hold the process's memory up for good. Elsewhere than glibc there is nothing to do."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
