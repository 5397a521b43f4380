"""Near-duplicate questions: found within and across banks, reported as warnings with a code."""

from __future__ import annotations

import copy
import time

import pytest
import yaml
from django.core.management import call_command

from question_bank.duplicates import near_duplicates
from question_bank.formats.common import split_question
from question_bank.formats.native import parse_bank
from question_bank.validation import check_near_duplicates
from tests.question_bank.banks import BANKS_DIR

FILES = sorted(BANKS_DIR.glob("*.yaml"))


def _bundled():
    return [(path.name, parse_bank(path.read_bytes(), path.name)) for path in FILES]


def _entries():
    return [
        (result.bank["bank"]["slug"], *_slug_spec(entry))
        for _name, result in _bundled()
        for entry in result.bank["questions"]
    ]


def _slug_spec(entry):
    meta, spec = split_question(entry)
    return meta["slug"], spec


def test_bundled_banks_have_no_near_duplicates():
    banks = _bundled()
    count = sum(len(result.bank["questions"]) for _name, result in banks)
    started = time.perf_counter()
    problems = check_near_duplicates(banks)
    elapsed = time.perf_counter() - started
    print(f"near-duplicates: {count} questions compared pairwise in {elapsed:.2f} s")
    assert [str(p) for p in problems] == []


def _copy_of(bank: str, slug: str, *, rename: dict[str, str]) -> dict:
    """A question of a bundled bank as a careless author copies it: parameters renamed."""
    spec = next(s for b, q, s in _entries() if (b, q) == (bank, slug))
    text = yaml.safe_dump(copy.deepcopy(spec), allow_unicode=True)
    for old, new in rename.items():
        text = text.replace(f"{{{{ {old} }}}}", f"{{{{ {new} }}}}")
        text = text.replace(f"{old}:", f"{new}:").replace(f": {old}", f": {new}")
        text = text.replace(f"[{old},", f"[{new},").replace(f" {old},", f" {new},")
    return yaml.safe_load(text)


@pytest.mark.parametrize(
    "bank, slug, rename",
    [
        ("perceptron", "dense-params", {"n_in": "inputs"}),  # was repeated in 06 (Dropout)
        (
            "embeddings",
            "keras-embedding-params",
            {"max_words": "words"},
        ),  # was repeated in 14 and 13
        ("cnn", "flatten-why", {}),  # the same card was in 14
    ],
)
def test_a_copy_in_another_bank_is_found(bank, slug, rename):
    pairs = near_duplicates([*_entries(), ("upload", "copy", _copy_of(bank, slug, rename=rename))])
    assert [(p.first, p.second) for p in pairs] == [((bank, slug), ("upload", "copy"))]


def test_siblings_with_another_answer_are_not_duplicates():
    # Same wording, another function or padding: different questions.
    found = {frozenset((p.first[1], p.second[1])) for p in near_duplicates(_entries())}
    for a, b in [
        ("sigmoid-backward", "tanh-backward"),
        ("conv-output-same", "conv-output-valid"),
        ("maxpool-manual", "avgpool-manual"),
        ("conv-params-groups", "conv-params-depthwise"),
    ]:
        assert frozenset((a, b)) not in found


def test_validate_bank_reports_the_pair_across_files_with_a_code(tmp_path, capsys):
    paths = []
    for bank, slug in [("perceptron", "dense-params"), ("my-copy", "my-dense")]:
        data = yaml.safe_load((BANKS_DIR / "01-perceptron.yaml").read_text(encoding="utf-8"))
        data["bank"]["slug"] = bank
        data["questions"] = [q for q in data["questions"] if q["slug"] == "dense-params"]
        data["questions"][0]["slug"] = slug
        paths.append(tmp_path / f"{bank}.yaml")
        paths[-1].write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    path = paths[1]
    call_command("validate_bank", *map(str, paths), "--variants", "20")
    out = capsys.readouterr().out
    assert (
        "my-copy.yaml" in out
        and "предупреждение: my-dense: почти повторяет вопрос «dense-params»" in out
    )
    result = parse_bank(path.read_bytes(), "my-copy.yaml")
    stored = [("perceptron", slug, spec) for _b, slug, spec in _entries() if _b == "perceptron"]
    (problem,) = check_near_duplicates([("my-copy.yaml", result)], others=stored)
    assert (problem.code, problem.severity) == ("near_duplicate", "warning")
    assert "«perceptron»" in problem.message


def test_matching_questions_are_told_apart_by_their_pairs():
    text = "Сопоставьте функцию активации и область её значений."
    activations = {
        "kind": "matching",
        "text": text,
        "pairs": [{"stem": "сигмоида", "answer": "(0; 1)"}, {"stem": "tanh", "answer": "(−1; 1)"}],
    }
    layers = {
        "kind": "matching",
        "text": text,
        "pairs": [
            {"stem": "свёртка", "answer": "локальные признаки"},
            {"stem": "пулинг", "answer": "уменьшение размера"},
        ],
        "distractors": ["нормализация батча"],
    }
    copy_of = {**activations, "text": text + " "}
    pairs = near_duplicates([("a", "act", activations), ("a", "lay", layers), ("b", "cp", copy_of)])
    assert [(p.first[1], p.second[1]) for p in pairs] == [("act", "cp")]
