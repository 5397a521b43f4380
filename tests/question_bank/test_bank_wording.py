"""Bank text a lecturer would send back (issue 12 §5): each property over several fixed seeds."""

from __future__ import annotations

import re

import numpy as np
import pytest

import grader
from grader.templating import render
from grader.variants import variant
from tests.question_bank.banks import BANKS_DIR, load, spec_of

SEEDS = [None, 0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89]


def _text(bank: str, slug: str, seed) -> tuple[str, dict]:
    spec = spec_of(bank, slug)
    values = variant(spec, seed).values
    return render(spec["text"], values), values


def _options(bank: str, slug: str) -> list[dict]:
    return spec_of(bank, slug)["options"]


def test_transfer_head_params_text_follows_k():
    seen = set()
    for seed in SEEDS:
        text, values = _text("10-cnn-architectures", "transfer-head-params", seed)
        seen.add(values["k"])
        assert f"$K = {values['k']}$" in text
        assert "кошки" not in text and "собаки" not in text
    assert len(seen) > 1


def test_dropout_expected_params_does_not_refer_to_an_unseen_part():
    spec = spec_of("06-regularization", "dropout-expected-params")
    assert "пункт" not in spec["solution"] and "пункт" not in spec["text"]


def test_relu_second_moment_says_variance_not_std():
    for seed in SEEDS:
        text, values = _text("08-initialization", "relu-second-moment", seed)
        assert "дисперси" in text and r"\mathcal N(0," not in text
        assert f"= {values['s2']}$" in text


def test_iou_boxes_states_the_continuous_convention():
    for seed in SEEDS:
        text, _values = _text("11-detection", "iou-boxes", seed)
        assert "в пикселях" not in text
        assert "без «+1»" in text and "x_2 - x_1" in text


def test_output_layer_backward_upstream_gradient_is_that_of_the_mse():
    mse = spec_of("05-backprop", "mse-gradient")
    layer = spec_of("05-backprop", "output-layer-backward")
    # The same network (ŷ = 1, y = 0 by default): the same upstream gradient, +2 by the engine.
    assert variant(layer, None).values["g"] == pytest.approx(variant(mse, None).values["grad"])
    assert variant(layer, None).values["g"] == pytest.approx(2)
    for seed in SEEDS:
        text, values = _text("05-backprop", "output-layer-backward", seed)
        yhat = float(np.dot(values["o"], values["w"]))
        assert values["g"] == pytest.approx(2 * (yhat - values["y"]))
        assert f"y = {values['y']}" in text


def test_model_memory_mistake_feedback_follows_the_dtype():
    spec = spec_of("10-cnn-architectures", "model-memory")
    checked = set()
    for seed in SEEDS:
        values = variant(spec, seed).values
        megabits = values["params"] * values["bits"] / 1e6
        result = grader.grade(spec, seed, repr(megabits))
        assert result.mistake["id"] == "bits"
        size = {32: "4", 16: "2"}[values["bits"]]
        other = {32: "2", 16: "4"}[values["bits"]]
        assert f"float{values['bits']}" in result.feedback
        assert f"{size}$ байта" in result.feedback or f"{size} байта" in result.feedback
        assert f"{other} байта" not in result.feedback.replace("$", "")
        checked.add(values["bits"])
    assert checked == {16, 32}


_TUPLE = re.compile(r"\$\(([-\d, ]+)\)\$")


def test_padding_kind_choice_has_exactly_one_numpy_mode_that_fits():
    spec = spec_of("09-cnn", "padding-kind-choice")
    row, padded = ([int(x) for x in t.split(",")] for t in _TUPLE.findall(spec["text"]))
    pad = (len(padded) - len(row)) // 2
    modes = ["edge", "constant", "reflect", "symmetric", "wrap"]
    fitting = [m for m in modes if np.pad(row, pad, mode=m).tolist() == padded]
    assert fitting == ["edge"]
    (right,) = [o["text"] for o in spec["options"] if o["correct"]]
    assert "'edge'" in right


def test_output_multilabel_accepts_the_label_powerset():
    spec = spec_of("03-losses", "output-multilabel")
    powerset = [o for o in spec["options"] if "сочетани" in o["text"]]
    assert powerset and all(o["correct"] for o in powerset)
    assert spec["kind"] == "multiple_choice"


def test_bn_small_batch_option_does_not_contradict_itself():
    options = _options("07-batchnorm", "bn-small-batch-choice")
    assert not any("не определена" in o["text"] and "равна нулю" in o["text"] for o in options)


def test_temperature_limits_options_are_wholly_true_or_false():
    options = _options("03-losses", "temperature-limits")
    assert not any(", но " in o["text"] for o in options)  # no «true, but false» options
    proportional = [o for o in options if "логитам" in o["text"]]
    assert proportional and not any(o["correct"] for o in proportional)


def test_xavier_is_not_claimed_for_the_sigmoid():
    # Glorot's derivation assumes an activation symmetric around 0 with f'(0) = 1 (tanh);
    # the sigmoid has σ(0) = 1/2 and σ'(0) = 1/4.
    for option in _options("08-initialization", "xavier-vs-he-choice"):
        if option["correct"]:
            assert "сигмоид" not in option["text"], option["text"]


def test_map_definition_takes_the_max_over_recall_not_smaller():
    back = spec_of("11-detection", "map-definition")["back"]
    assert "при не меньшем recall" in back and "при большем recall" not in back


# Text a student reads: no reference to material they never see, no book slang.
FORBIDDEN = [
    "в лекции", "из лекции", "в конспекте", "из задачника", "пункт (", "пункта (",
    "навинтил", "котейк", "котик", "пре-активац", " с значением", "forward pass",
]  # fmt: skip
_SHOWN = ("text", "front", "back", "solution", "hints", "options", "mistakes", "feedback")


def _shown_strings(node, key=None):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in _SHOWN or key in _SHOWN:
                yield from _shown_strings(v, k if k in _SHOWN else key)
    elif isinstance(node, list):
        for item in node:
            yield from _shown_strings(item, key)
    elif isinstance(node, str) and key is not None:
        yield node


@pytest.mark.parametrize("path", sorted(BANKS_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_exam_russian_in_every_bundled_text(path):
    found = [
        (entry["slug"], word)
        for entry in load(path.stem)["questions"]
        for text in _shown_strings(entry)
        for word in FORBIDDEN
        if word in text.lower()
    ]
    assert found == []
