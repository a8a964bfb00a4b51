"""`python -m playground train|predict`: the engine from a terminal, with a JSON summary for scripts."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
import time
from pathlib import Path

from playground.settings.config import SETTINGS, ConfigError, ExperimentConfig
from playground.settings.presets import PRESETS


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad argument prints one line instead of the usage block."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def add_setting_options(parser: argparse.ArgumentParser) -> None:
    """One option per setting, made from its declaration (config.SETTINGS): --epochs, --train-limit, --normalize/
    --no-normalize, ... Values stay strings here; the config parses and validates them."""
    for name, spec in SETTINGS.items():
        names = [spec.cli_option, *spec.cli_aliases]
        limits = spec.describe_limits()
        help_text = (spec.help + (f" ({limits})" if limits else "")).replace("%", "%%")  # argparse formats help
        if spec.kind == "bool":
            parser.add_argument(*names, dest=name, action=argparse.BooleanOptionalAction, help=help_text)
        elif spec.choices is not None:
            parser.add_argument(*names, dest=name, choices=list(spec.choices), help=help_text)
        else:
            metavar = "N,N,..." if spec.layers else name.upper()
            parser.add_argument(*names, dest=name, metavar=metavar, help=help_text)


def make_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="python -m playground", description="Fashion-MNIST playground engine.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    train = commands.add_parser("train", help="train one configuration")
    train.add_argument("--preset", default="lecture", choices=list(PRESETS), help="starting configuration")
    add_setting_options(train)
    train.add_argument(
        "--photo-composites",
        metavar="SHARE",
        type=float,
        default=0.0,
        help="swap this share (0-1) of the training images for photo-like composites put through the photo "
        "preprocessing (playground.data.composites)",
    )
    train.add_argument(
        "--outliers",
        metavar="SHARE",
        type=float,
        default=0.0,
        help="give this share (0-0.5) of the training slots to shapes that are none of the ten kinds, taught as "
        "'each kind equally likely' so the network is unsure of such things (playground.data.outliers)",
    )
    train.add_argument("--jobs", type=int, default=1, help="processes that draw the composites (same result)")
    train.add_argument("--save", metavar="PATH", help="save the trained model (.keras) and its record (.json)")
    train.add_argument("--json", action="store_true", help="end with one JSON object on stdout")

    calibrate = commands.add_parser("calibrate", help="fit a saved model's temperature and familiarity line")
    calibrate.add_argument(
        "model",
        metavar="MODEL",
        nargs="+",
        help="a .keras saved by train --save (its .json is updated); several in one folder make an ensemble whose "
        "answers are averaged, named in the first one's record",
    )
    calibrate.add_argument("--images", type=int, default=5000, help="held-out test items drawn as composites")
    calibrate.add_argument("--seed", type=int, default=7)
    calibrate.add_argument("--jobs", type=int, default=1, help="processes that draw the composites (same result)")

    predict = commands.add_parser("predict", help="classify image files")
    predict.add_argument("images", nargs="+", metavar="IMAGE")
    predict.add_argument("--model", metavar="PATH", help="a .keras model (default: the shipped one)")
    predict.add_argument("--json", action="store_true", help="one JSON object with a result per file")
    return parser


def config_from_args(args: argparse.Namespace) -> ExperimentConfig:
    """The preset's settings with every given option applied, validated."""
    values = PRESETS[args.preset].config.to_flat_dict()
    for name, spec in SETTINGS.items():
        given = getattr(args, name)
        if given is not None:
            values[name] = given if isinstance(given, str) else spec.format(given)
    return ExperimentConfig.from_flat_dict(values)


def save_path_problem(path: str) -> str | None:
    """Why a model could not be saved at `path` (its folder is made if missing), or None."""
    target = Path(path)
    if target.suffix != ".keras":
        return "the file name must end in .keras"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return f"its folder can't be made ({error.strerror or error})"
    if not os.access(target.parent, os.W_OK) or target.is_dir():
        return "that place can't be written"
    return None


def shares_problem(photo_composites: float, outliers: float) -> str | None:
    """Why these shares of the training slots can't be given to composites and shapes, or None."""
    from playground.data.outliers import MOST_SHARE

    if not 0.0 <= photo_composites <= 1.0:
        return f"--photo-composites {photo_composites:g}: give a share from 0 to 1"
    if not 0.0 <= outliers <= MOST_SHARE:
        return f"--outliers {outliers:g}: give a share from 0 to {MOST_SHARE:g}"
    if photo_composites + outliers > 1.0:
        return "--photo-composites and --outliers share the training slots: together at most 1"
    return None


def run_train(args: argparse.Namespace) -> int:
    config = config_from_args(args)  # first, so a bad option fails before TensorFlow loads
    problem = save_path_problem(args.save) if args.save else None
    if problem:  # said now, not after a long training that could not be kept
        print(f"python -m playground: error: --save {args.save}: {problem}", file=sys.stderr)
        return 2
    problem = shares_problem(args.photo_composites, args.outliers)
    if problem:
        print(f"python -m playground: error: {problem}", file=sys.stderr)
        return 2
    from playground.data.fashion_mnist import DataError, load_fashion_mnist
    from playground.training.engine import RunState, TrainingRun

    try:
        data = load_fashion_mnist()
    except DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.photo_composites:
        from playground.data.composites import with_photo_composites

        print(f"drawing {args.photo_composites:.0%} of the training images as photo composites…", file=sys.stderr)
        data = with_photo_composites(data, args.photo_composites, config, workers=args.jobs)
    if args.outliers:
        from playground.data.outliers import with_outliers

        print(f"drawing shapes for {args.outliers:.0%} of the training slots…", file=sys.stderr)
        shaped = with_outliers(data, args.outliers, config, workers=args.jobs)
        if shaped is data:
            print("too few training slots for one shape of each kind: none drawn", file=sys.stderr)
        data = shaped
    run = TrainingRun(config, data).start()
    started = time.perf_counter()
    shown_epochs = 0
    live = sys.stderr.isatty()
    while not run.snapshot.state.done:
        time.sleep(0.25)
        snap = run.snapshot
        if snap.state is RunState.QUEUED:
            continue
        line = f"\repoch {snap.epoch}/{snap.epochs}  {snap.progress:6.1%}  images {snap.examples_seen:,}"
        if snap.batch_points:
            line += f"  loss {snap.batch_points[-1].loss:.3f}"
        if live:
            print(line, end="", file=sys.stderr, flush=True)
        for record in snap.epoch_history[shown_epochs:]:
            val = "" if record.val_accuracy is None else f", validation accuracy {record.val_accuracy:.4f}"
            summary = f"epoch {record.epoch}: loss {record.loss:.4f}, accuracy {record.accuracy:.4f}{val}"
            print(f"\r{summary}", file=sys.stderr)
        shown_epochs = len(snap.epoch_history)
    snap = run.wait()
    seconds = time.perf_counter() - started
    if snap.state is RunState.FAILED:
        print(f"\n{snap.error}", file=sys.stderr)
        return 1
    print(f"\n{snap.stop_reason}; test accuracy {snap.test_accuracy:.4f}", file=sys.stderr)
    if args.save:
        save_for_use(run.model, config, args.save)
        write_record(args, config, snap, seconds, run.model.count_params(), data.source)
        print(f"saved {args.save} and its record {Path(args.save).with_suffix('.json')}", file=sys.stderr)
    if args.json:
        summary = {
            "config": config.to_flat_dict(),
            **snap.summary(),
            "seconds": round(seconds, 2),
            "parameters": run.model.count_params(),
            "saved": args.save,
        }
        print(json.dumps(summary))
    return 0


def save_for_use(model, config: ExperimentConfig, path: str) -> None:
    """Save the trained weights without the optimizer's state: a third of the file, and all a page needs."""
    from playground.network.model import build_model

    usable = build_model(config)
    usable.set_weights(model.get_weights())
    usable.save(path)


def write_record(args, config: ExperimentConfig, snap, seconds: float, parameters: int, source: str) -> None:
    """The .json beside a saved model: the command that made it, its figures and its config."""
    import keras

    record = {
        "file": Path(args.save).name,
        "command": shlex.join(["python", "-m", "playground", *args.argv]),
        "test_accuracy": round(snap.test_accuracy, 4),
        "test_loss": round(snap.test_loss, 4),
        "train_accuracy": round(snap.train_accuracy, 4),
        "epochs_run": len(snap.epoch_history),
        "parameters": parameters,
        "training_seconds": round(seconds, 2),
        "trained_on": f"{source} (keras {keras.__version__}, Python {platform.python_version()})",
        "config": config.to_flat_dict(),
    }
    Path(args.save).with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n")


def run_calibrate(args: argparse.Namespace) -> int:
    from playground.answers.calibration import calibrate
    from playground.data.fashion_mnist import DataError, load_fashion_mnist

    try:
        calibration = calibrate(args.model, load_fashion_mnist(), args.images, args.seed, args.jobs)
    except (DataError, OSError, ValueError) as error:
        print(f"python -m playground: error: {error}", file=sys.stderr)
        return 1
    print(json.dumps(calibration))
    return 0


def run_predict(args: argparse.Namespace) -> int:
    """Classify each file, report per-file errors, exit 1 if any file failed (2 if the model can't load)."""
    from playground.answers.inference import DEFAULT_MODEL_PATH, Classifier, classify_files

    model_path = args.model or DEFAULT_MODEL_PATH
    try:
        classifier = Classifier.from_file(model_path)
    except (OSError, ValueError) as error:
        print(f"python -m playground: error: cannot load model {model_path}: {error}", file=sys.stderr)
        return 2
    results = classify_files(classifier, args.images)
    if args.json:
        print(json.dumps({"model": str(model_path), "results": results}))
    else:
        for path, result in results.items():
            if "error" in result:
                print(f"{path}: error: {result['error']}")
                continue
            print(f"{path}: {result['top_name']} ({result['in_words']})")
            for name, probability in result["probabilities"].items():
                print(f"    {name:<12} {probability:6.1%}")
    return 1 if any("error" in result for result in results.values()) else 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = make_parser().parse_args(argv)
    args.argv = argv  # the record of a saved model keeps the exact command
    commands = {"train": run_train, "calibrate": run_calibrate, "predict": run_predict}
    try:
        return commands[args.command](args)
    except ConfigError as error:
        print(f"python -m playground: error: {error}", file=sys.stderr)
        return 2
