"""Hostile uploads (issue 22): every file of tests/hostile.py's corpus read as the page reads it, through the
sandboxed child, one at a time. Per file: the verdict (answered, refused by a check, or the child failed: killed
for time or memory, or crashed), the first 80 characters of the message, the seconds, the child's peak resident
memory (see web_high_water_mb: ru_maxrss of a child started by vfork + exec counts its parent's high-water mark),
and this (web) process's resident memory before and after. Then what the sandbox costs per upload: a
valid model read ten times through it versus read in this process (playground.network.uploaded_model._read, no child),
medians. Prints one JSON object. Wall-clock times depend on the machine's load, which is reported too.

    python bench/hostile.py
    python bench/hostile.py --only bomb --reads 20
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from playground import sandbox, uploaded_model  # noqa: E402
from playground.network.uploaded_model import ModelFileError, model_from_child  # noqa: E402
from tests import hostile  # noqa: E402


def rss_mb(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def read_one(data: bytes) -> dict:
    """The file through the sandbox as the page reads it, with the child's report kept."""
    reports: list = []
    run_task = sandbox.run_task

    def recording(task, payload, *args, **kwargs):
        try:
            report = run_task(task, payload, *args, **kwargs)
        except sandbox.ChildFailed as failed:
            reports.append(failed)
            raise
        reports.append(report)
        return report

    sandbox.run_task = recording
    before = rss_mb()
    started = time.perf_counter()
    try:
        model = uploaded_model.read_model_upload(data, "model.keras")
        verdict, message = "answered", model.summary
    except ModelFileError as refused:
        failed = reports and isinstance(reports[0], sandbox.ChildFailed)
        verdict, message = ("child failed" if failed else "refused"), str(refused)
    finally:
        sandbox.run_task = run_task
    seconds = time.perf_counter() - started
    child = reports[0] if reports else None
    return {
        "verdict": verdict,
        "message": message[:80],
        "seconds": round(seconds, 3),
        "child_peak_mb": round(child.peak_mb, 1) if isinstance(child, sandbox.ChildReport) else None,
        "web_rss_mb_before": before,
        "web_rss_mb_after": rss_mb(),
        # Linux reports a child started by vfork + exec at least its parent's high-water mark in ru_maxrss: a child
        # peak equal to this is the web process's figure, not the child's.
        "web_high_water_mb": rss_mb("VmHWM"),
    }


def upload_cost(data: bytes, reads: int) -> dict:
    """Median seconds of a valid file read through the sandbox (the page's way) and in this process."""
    sandboxed, in_process, peaks = [], [], []
    for _ in range(reads):
        started = time.perf_counter()
        report = uploaded_model.read_in_sandbox(data)
        model_from_child(report, "model.keras")
        sandboxed.append(time.perf_counter() - started)
        peaks.append(report.peak_mb)
        started = time.perf_counter()
        uploaded_model._read(data)
        in_process.append(time.perf_counter() - started)
    return {
        "file_bytes": len(data),
        "reads": reads,
        "sandboxed_median_s": round(statistics.median(sandboxed), 3),
        "in_process_median_s": round(statistics.median(in_process), 4),
        "sandbox_cost_median_s": round(statistics.median(sandboxed) - statistics.median(in_process), 3),
        "child_peak_mb_median": round(statistics.median(peaks), 1),
        "web_high_water_mb": rss_mb("VmHWM"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="only corpus files whose name contains this")
    parser.add_argument("--reads", type=int, default=10, help="reads of the valid model for the per-upload cost")
    args = parser.parse_args()
    load_before = os.getloadavg()
    files = {}
    with tempfile.TemporaryDirectory(prefix="hostile-") as folder:
        for name, entry in hostile.CORPUS.items():
            if args.only.lower() not in name.lower():
                continue
            data = hostile.make(name, Path(folder))
            files[name] = {"expected": entry.expect, "bytes": len(data), **read_one(data)}
            del data
        cost = upload_cost(hostile.make("valid", Path(folder)), args.reads)
    verdicts = [item["verdict"] for item in files.values()]
    print(
        json.dumps(
            {
                "benchmark": "hostile",
                "load_average_1m_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
                "limits": dataclasses.asdict(sandbox.Limits()),
                "files": files,
                "counts": {verdict: verdicts.count(verdict) for verdict in sorted(set(verdicts))},
                "not_as_expected": [  # a child that failed refused the file too, but without a check's words
                    name
                    for name, item in files.items()
                    if (item["verdict"] == "answered") != (item["expected"] == "answered")
                ],
                "child_failed": [name for name, item in files.items() if item["verdict"] == "child failed"],
                "slowest_s": max((item["seconds"] for item in files.values()), default=None),
                "largest_child_peak_mb": max(
                    (item["child_peak_mb"] for item in files.values() if item["child_peak_mb"] is not None),
                    default=None,
                ),
                "valid_upload_cost": cost,
            }
        )
    )


if __name__ == "__main__":
    main()
