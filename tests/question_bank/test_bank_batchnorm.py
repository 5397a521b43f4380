"""Bank «BatchNorm» (question_bank/banks/07-batchnorm.yaml).

The seeds (003, BatchNorm section; 004, гл. 5.3 — only a heading) give formulas but no numeric
examples, so the defaults are our own numbers; keys come from the batchnorm engine (torch
batch_norm, biased batch variance) or expressions.
"""

import grader
from tests.question_bank.banks import spec_of

BANK = "07-batchnorm"


def grade(slug, answer, seed=None):
    return grader.grade(spec_of(BANK, slug), seed, answer)


def test_batch_stats_biased_variance():
    assert grade("bn-batch-stats", "[4; 5]").correct
    assert grade("bn-batch-stats", "[4; 20/3]").mistake["id"] == "unbiased_variance"


def test_normalize_element():
    assert grade("bn-normalize-element", "-1/sqrt(5)").correct
    assert grade("bn-normalize-element", "-0.2").mistake["id"] == "no_sqrt"


def test_output_vector():
    assert grade("bn-output-vector", "[1 - 2*sqrt(2); 1; 1; 1 + 2*sqrt(2)]").correct
    assert grade("bn-output-vector", "[-1.414; 0; 0; 1.414]").mistake["id"] == "no_affine"


def test_output_matrix_matches_engine():
    spec = spec_of(BANK, "bn-output-matrix")
    result = grader.grade(spec, None, "[-1.2247 -1.4495; 0 3.4495; 1.2247 1]")
    assert result.correct
    assert (
        grader.grade(spec, None, "[-1.2247 -1.2247; 0 1.2247; 1.2247 0]").mistake["id"]
        == "no_affine"
    )


def test_running_statistics():
    assert grade("bn-running-mean", "0.4").correct
    assert grade("bn-running-mean", "3.6").mistake["id"] == "keras_convention"
    assert grade("bn-running-var", "1.5667").correct
    assert grade("bn-running-var", "1.4").mistake["id"] == "biased_variance"


def test_inference_and_counts():
    assert grade("bn-inference", "2").correct
    assert grade("bn-params-count", "128").correct
    assert grade("bn-params-count", "256").mistake["id"] == "counted_running_stats"
    assert grade("bn-values-per-channel", "25088").correct
    assert grade("bn-values-per-channel", "32").mistake["id"] == "batch_only"


def test_choice_keys():
    spec = spec_of(BANK, "bn-eval-stats-choice")
    assert grader.grade(spec, None, "0").correct
    spec = spec_of(BANK, "bn-advantages-choice")
    assert grader.grade(spec, None, "0,1,2,3").correct
