"""Why a run ends early, in plain words: the lesson's callbacks, the server's time limit, and a collapse."""

from __future__ import annotations

from playground.settings.config import DEFAULT_LEARNING_RATES, ExperimentConfig
from playground.training.snapshots import EpochRecord


def collapse_message(config: ExperimentConfig, record: EpochRecord) -> str:
    """A too-large step can also kill the neurons without a NaN: a whole epoch then stays near chance.

    Only blamed on the step size when it is large (10x the optimizer's usual rate) or the pixels are raw
    0-255 values; a small learning rate that is merely slow is left to run.
    """
    big_step = config.learning_rate >= 10 * DEFAULT_LEARNING_RATES[config.optimizer]
    if record.accuracy >= 0.25 or record.loss <= 2.0 or not (big_step or not config.normalize):
        return ""
    if big_step:
        cause = (
            f"The learning rate {config.learning_rate:g} is too large for {config.optimizer}: its steps jumped so "
            f"far that the neurons stopped responding. Try one ten or a hundred times smaller."
        )
    else:
        cause = (
            "Without dividing the pixels by 255 the inputs are up to 255, so every step is far too big. "
            "Turn normalization back on, or use a much smaller learning rate."
        )
    return (
        f"Training broke down in epoch {record.epoch}: accuracy is {record.accuracy:.0%}, hardly better than "
        f"guessing at random among 10 garments. {cause}"
    )


def time_limit_reason(max_seconds: float, epoch: int) -> str:
    """Why a run that hit the server's time limit ended, in plain words."""
    limit = f"{max_seconds / 60:g} minutes" if max_seconds >= 120 else f"{max_seconds:g} seconds"
    return (
        f"it reached this server's time limit of {limit} per run in epoch {epoch}; the model trained so far is "
        "kept (fewer epochs or training images finish sooner)"
    )


def threshold_reason(config: ExperimentConfig, record: EpochRecord) -> str:
    """The lesson's callbacks, checked at the end of an epoch: why to stop, in plain words, or ''."""
    if config.stop_accuracy is not None and record.accuracy >= config.stop_accuracy:
        return (
            f"training accuracy {record.accuracy:.1%} reached the {config.stop_accuracy:.1%} target "
            f"in epoch {record.epoch}"
        )
    if config.stop_loss is not None and record.loss < config.stop_loss:
        return f"loss {record.loss:.2f} fell below {config.stop_loss:.2f} in epoch {record.epoch}"
    return ""
