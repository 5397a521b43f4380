"""The public engine contract: ``manage.py grader compute``."""

from __future__ import annotations

import json
import subprocess
import sys

from django.conf import settings


def _run(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "manage.py", "grader", *args],
        input=stdin,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_compute_prints_one_json_object():
    result = _run("compute", "dense_params", "--args", '{"sizes": [12, 300, 200, 100, 1]}')
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"answer": 84301}


def test_bad_args_exit_2_with_a_message():
    result = _run("compute", "conv2d_output_shape", "--args", '{"h": 4, "w": 4, "kernel": 7}')
    assert result.returncode == 2
    assert "kernel" in result.stderr and result.stdout == ""
    assert _run("compute", "no_such_engine").returncode == 2
    assert _run("compute", "dense_params", "--args", "{not json").returncode == 2
    assert _run("compute", "dense_params", "--args", '{"sizes": [1, 2], "typo": 1}').returncode == 2


def test_jsonl_answers_every_line_in_order():
    lines = [
        {"engine": "dense_params", "args": {"sizes": [12, 300, 200, 100, 1]}},
        {"engine": "dropout", "args": {"x": [1, 0.5, -1], "rate": 0.75, "dropped": [0, 2]}},
        {"engine": "dense_params", "args": {"sizes": [-1, 2]}},
        "not an object",
        {"engine": "iou", "args": {"box_a": [0, 0, 2, 2], "box_b": [1, 1, 3, 3]}},
    ]
    stdin = "\n".join(json.dumps(x) for x in lines) + "\n{broken\n"
    result = _run("compute", "--jsonl", stdin=stdin)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 6
    assert out[0] == {"answer": 84301}
    assert out[1] == {"answer": [0.0, 2.0, 0.0]}
    assert "error" in out[2] and "sizes" in out[2]["error"]
    assert "error" in out[3] and "error" in out[5]
    assert abs(out[4]["answer"] - 1 / 7) < 1e-12


CONTRACT = {
    "dense_params", "conv2d_params", "separable_conv2d_params", "conv2d_output_shape",
    "conv2d_mult_ops", "pool2d_output_shape", "receptive_field", "rnn_params", "embedding_params",
    "dropout", "iou", "detection_map", "precision_recall_f1", "dice_jaccard", "softmax",
    "cross_entropy", "binary_logloss", "activation", "optimizer_trajectory",
    "logistic_regression_step", "mlp", "rnn_cell", "batchnorm", "conv2d", "conv1d", "pool2d",
    "init_scale", "ridge_mean", "dropout_layer_stats",
}  # fmt: skip
# Added since, each with its reference check (tests/reference).
ADDED = {"nms", "batchnorm_running", "conv1d_params", "conv1d_output_shape"}
# Issue 15: training schedules, clipping, transposed convolution, pooling gradients, ROC AUC.
ADDED |= {"clip_grad_norm", "lr_schedule", "conv_transpose2d_output_shape", "pool2d_backward"}
ADDED |= {"roc_auc"}


def test_list_names_every_engine_of_the_contract():
    result = _run("list")
    assert result.returncode == 0
    listed = {line.split("(")[0] for line in result.stdout.splitlines()}
    assert listed == CONTRACT | ADDED
