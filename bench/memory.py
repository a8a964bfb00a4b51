"""Peak memory (RSS) of one process that loads Fashion-MNIST and trains the lecture model for one epoch
on all 60,000 images through the live engine. Prints one JSON object."""

from __future__ import annotations

import json
import os
import resource
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    import keras  # noqa: F401  (so the TensorFlow share can be told apart)

    after_import = peak_mb()
    from playground.data.fashion_mnist import load_fashion_mnist
    from playground.settings.config import LECTURE
    from playground.training.engine import train

    data = load_fashion_mnist()
    after_data = peak_mb()
    run = train(LECTURE.replace(epochs=1, validation_split=0.0), data)
    print(
        json.dumps(
            {
                "benchmark": "memory",
                "peak_rss_mb_after_importing_tensorflow": round(after_import),
                "peak_rss_mb_after_loading_data": round(after_data),
                "peak_rss_mb_after_one_epoch": round(peak_mb()),
                "test_accuracy": run.snapshot.test_accuracy,
                "target_mb": 900,
            }
        )
    )


if __name__ == "__main__":
    main()
