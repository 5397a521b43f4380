"""Throughput of the grader: engine evaluations and answer checks per second (single core).

Run: .venv/bin/python bench/bench_grader.py [--seconds 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import grader
from grader.engines import compute
from question_bank.formats.common import split_question

ENGINE_CASES = {
    "dense_params": {"sizes": [12, 300, 200, 100, 1]},
    "conv2d_output_shape": {
        "h": 224,
        "w": 224,
        "kernel": 3,
        "stride": 2,
        "padding": 1,
        "dilation": 2,
    },
    "rnn_params": {
        "cell": "lstm",
        "input_size": 32,
        "hidden_size": 64,
        "num_layers": 2,
        "bidirectional": True,
    },
    "dropout": {"x": [1, 0.5, -1], "rate": 0.75, "dropped": [0, 2]},
    "iou": {"box_a": [0, 0, 2, 2], "box_b": [1, 1, 3, 3]},
    "softmax": {"z": [1, -2, 0], "temperature": 2},
    "optimizer_trajectory": {
        "optimizer": "adam",
        "x": [1, 2],
        "y": [2, 3],
        "w0": 0,
        "lr": 0.1,
        "steps": 2,
        "batch": "full",
        "reduction": "mean",
    },
    "mlp": {
        "x": [20, 0, 1],
        "layers": [
            {"W": [[5, -60, 0.5], [-2, -80, 2]], "b": [0, 0], "activation": "relu"},
            {"W": [[1, 0.2]], "b": [4], "activation": "relu"},
        ],
        "target": [100],
        "loss": "half_sse",
    },
    "detection_map": {
        "ground_truths": [
            {"image": i, "class": c, "box": [10 * c, 10, 10 * c + 20, 40]}
            for i in range(5)
            for c in range(3)
        ],
        "detections": [
            {
                "image": i,
                "class": c,
                "box": [10 * c + 2, 12, 10 * c + 21, 41],
                "score": 0.1 * (i + c),
            }
            for i in range(5)
            for c in range(3)
        ],
        "interpolation": "coco-101",
    },
}


def rate(func, seconds: float) -> tuple[float, int]:
    func()  # warm-up: the first call pays for imports and caches
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        func()
        count += 1
    return count / elapsed, count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    seconds = parser.parse_args().seconds

    print(f"{'engine':28} {'evaluations/s':>14}")
    rates = []
    for name, args in ENGINE_CASES.items():
        per_second, _ = rate(lambda name=name, args=args: compute(name, **args), seconds)
        rates.append(per_second)
        print(f"{name:28} {per_second:14,.0f}")
    print(f"{'median over engines':28} {statistics.median(rates):14,.0f}")

    demo = yaml.safe_load(
        (Path(__file__).resolve().parent.parent / "question_bank/demo/demo.yaml").read_text()
    )
    answers = {
        "dense-params": "84301",
        "dropout-vector": "[0; 2; 0]",
        "conv-small": "[0 3; -2 0]",
        "sigmoid-derivative": "f(t)*(1-f(t))",
        "lstm-gates": "1",
        "bounded-activations": "0,3",
        "dropout-name": "дропаут",
        "cafe-network": "104,5",
    }
    print(f"\n{'question (grade with a fresh seed)':36} {'answer checks/s':>16}")
    for question in demo["questions"]:
        raw = answers.get(question["slug"])
        if raw is None:
            continue
        seeds = iter(range(10**9))
        spec = split_question(question)[1]
        per_second, _ = rate(lambda s=spec, it=seeds, r=raw: grader.grade(s, next(it), r), seconds)
        print(f"{question['slug']:36} {per_second:16,.0f}")


if __name__ == "__main__":
    main()
