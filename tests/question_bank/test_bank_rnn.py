"""The «Рекуррентные сети» bank (question_bank/banks/12-rnn.yaml).

Default variants are checked against hand-computed keys; seed corrections are named
test_seed_correction_*.
"""

import json
import math

import numpy as np
import pytest

import grader
from tests.question_bank.banks import graders, load, spec_of

BANK = "12-rnn"


grade, _ = graders(BANK)


# (slug, right answer as a student types it, wrong answer, id of the typical mistake it matches)
DEFAULTS = [
    # tanh((0, −1) + (1, −0.5) + (1, 0)) = tanh((2, −1.5))
    ("rnn-cell-step", "[0,964; -0,905]", "[2; -1,5]", "no_tanh"),
    ("unrolled-cells-count", "80", "40", "one_direction"),  # 20·2·2
    ("linear-rnn-gradient", "0,1216", "18", "linear"),  # 0.9^20; 0.9·20
    ("linear-rnn-gradient", "0.9^20", "0,1351", "off_by_one"),  # 0.9^19
    ("vanishing-steps", "66", "65", "floor"),  # ln 0.001 / ln 0.9 = 65.56
    ("truncated-bptt", "29", "28", "floor"),  # ⌈1000/35⌉
    # i = σ(0.5), f = σ(1.5), g = tanh 2, o = σ(1); c' = 0.8176·0.8 + 0.6225·0.9640
    ("lstm-cell-c", "1,254", "1,400", "no_forget"),  # 0.8 + 0.6225·0.9640
    ("lstm-cell-h", "0,621", "0,917", "no_tanh"),  # 0.7311·tanh(1.2541); 0.7311·1.2541
    # r = σ(0.5), z = σ(1), n = tanh(2 − 0.6225); h' = 0.2689·0.8805 + 0.7311·0.5
    ("gru-cell-h", "0,602", "0,778", "swapped_z"),
    ("lstm-gate-params", "10560", "10496", "no_bias"),  # 64·164 + 64
    ("lstm-params-pytorch", "2560", "2480", "one_bias"),  # 4·(200 + 400 + 40)
    ("lstm-params-pytorch", "2560", "640", "no_gates"),
    ("lstm-params-keras", "5504", "5632", "two_biases"),  # 4·(32·42 + 32)
    ("gru-params-keras", "3264", "3216", "one_bias"),  # 3·(16·66 + 32)
    ("stacked-bilstm-params", "896", "768", "layer2_input"),  # 448 + 448; 448 + 2·4·(32 + 8)
    ("stacked-gru-params", "43776", "37632", "same_input"),  # 18816 + 24960; 2·18816
    ("simplernn-params-keras", "472", "408", "no_recurrent"),  # 50·8 + 64 + 8
    # seed 000: Embedding(max_words=10000, 50) + SimpleRNN(8) + Dense(1)
    ("keras-text-model-params", "500 481", "481", "no_embedding"),
    # seq2seq
    ("beam-best-score", "-1,4271", "-1,6094", "greedy"),  # ln(0.3·0.8); ln(0.5·0.4)
    ("beam-best-score", "ln(0.24)", "-0,6198", "log10"),
    ("beam-after-two-steps", "[0,245; 0,225]", "[0,225; 0,135]", "only_best_prefix"),
    ("beam-after-two-steps", "[0,245; 0,225]", "[1,05; 0,95]", "added_probs"),
    ("beam-candidates-count", "100", "120", "k_on_first_step"),  # 10 + 3·3·10; 4·3·10
    ("beam-candidates-count", "100", "10000", "exhaustive"),
    ("length-normalized-choice", "-0,4625", "-2,1203", "no_normalization"),
    ("teacher-forcing-loss", "0,602", "2,408", "sum"),
    ("bridge-layer-params", "262656", "131584", "one_direction"),  # 512·512 + 512; 256·512 + 512
    ("bridge-layer-params", "262 656", "262144", "no_bias"),
]


@pytest.mark.parametrize("slug, right, wrong, mistake", DEFAULTS)
def test_default_variant(slug, right, wrong, mistake):
    assert grade(slug, right).correct
    result = grade(slug, wrong)
    assert not result.correct
    assert result.mistake["id"] == mistake


def test_seed_000_model_layers():
    # 000, вопрос 1: SimpleRNN(8) after Embedding(·, 50) has 472 parameters, Dense(1) has 9
    values = grader.variant(spec_of(BANK, "keras-text-model-params"), None).values
    assert (values["emb"], values["rnn_v"], values["dense"]) == (500000, 472, 9)


def test_formula_questions():
    assert grade("lstm-h-formula", "o*tanh(c)").correct
    assert grade("lstm-h-formula", "o*c").mistake["id"] == "no_tanh"
    assert grade("lstm-c-formula", "f*c + i*g").correct
    assert grade("linear-rnn-gradient-formula", "w^T").correct
    assert grade("linear-rnn-gradient-formula", "w*T").mistake["id"] == "linear"


def test_seed_correction_lstm_name():
    # 003 expands LSTM as «Long Short-Time Memory»; it is Long Short-Term Memory
    assert grade("lstm-expansion", "Long Short-Term Memory").correct
    assert not grade("lstm-expansion", "Long Short-Time Memory").correct


def test_seed_correction_gru_update_gate_convention():
    # 003 writes h_t = (1 − z)·h_{t−1} + z·h̃ but describes z as the share of the old state;
    # the bank states the PyTorch convention h' = (1 − z)·n + z·h explicitly
    assert grade("gru-h-formula", "(1 - z)*n + z*h").correct
    assert grade("gru-h-formula", "z*n + (1 - z)*h").mistake["id"] == "swapped"
    assert grade("gru-cell-h", "0,6023").correct


def test_seed_correction_gate_is_vector():
    # 003: «Обновляющий гейт — это число»; a gate is a vector of the hidden size
    spec = spec_of(BANK, "gate-size")
    assert spec["options"][0]["text"] == "64" and spec["options"][0]["correct"]
    assert not grade("gate-size", "3").correct  # «1 — вентиль это одно число»


def test_seed_correction_lstm_has_three_gates():
    # 002: «три или четыре вентиля»; the classic LSTM has three (the candidate is not a gate)
    assert grade("lstm-gates", "0,1,2").correct
    assert grade("lstm-gates", "0,1,2,4").score < 1


def _beam(first, table, width, steps=2):
    """Plain beam search over probabilities: the kept (probability, prefix) pairs, best first."""
    beam = [(1.0, ())]
    for _ in range(steps):
        grown = [
            (prob * (first[j] if not prefix else table[prefix[-1]][j]), (*prefix, j))
            for prob, prefix in beam
            for j in range(len(first))
        ]
        beam = sorted(grown, reverse=True)[:width]
    return beam


def _tables(slug, values):
    first = [values["pA"], values["pB"], 1 - values["pA"] - values["pB"]]
    # the row after B puts its peak on B in beam-best-score and on A in beam-after-two-steps
    row_b = (
        (values["b2"], values["b1"]) if slug == "beam-best-score" else (values["b1"], values["b2"])
    )
    rows = [(values["a1"], values["a2"]), row_b, (values["c1"], values["c2"])]
    return first, [[x, y, 1 - x - y] for x, y in rows]


@pytest.mark.parametrize("slug", ["beam-best-score", "beam-after-two-steps"])
def test_beam_keys_against_a_plain_beam_search(slug):
    spec = spec_of(BANK, slug)
    for seed in [None, *range(15)]:
        values = grader.variant(spec, seed).values
        first, table = _tables(slug, values)
        np.testing.assert_allclose(values["Q"], table, atol=1e-12)
        kept = _beam(first, table, width=2)
        (greedy,) = _beam(first, table, width=1)
        assert greedy[1][0] == 0 and any(prefix[0] == 1 for _, prefix in kept)
        if slug == "beam-best-score":
            assert kept[0][0] > greedy[0]  # the wider beam beats greedy decoding
            raw = repr(math.log(kept[0][0]))
        else:
            raw = f"[{kept[0][0]!r}; {kept[1][0]!r}]"
        assert grade(slug, raw, seed).correct, (slug, seed)


def test_length_normalized_choice_by_hand():
    short, long = [0.5, 0.4, 0.6], [0.9, 0.5, 0.8, 0.5, 0.55]
    assert sum(map(math.log, short)) > sum(map(math.log, long))  # unnormalised: the short one
    best = max(np.mean(np.log(short)), np.mean(np.log(long)))
    assert best == np.mean(np.log(long))
    assert grade("length-normalized-choice", repr(float(best))).correct


def test_teacher_forcing_loss_is_torch_mean_cross_entropy():
    # the same numbers as log-probabilities fed to a mean NLL: −(ln .5 + ln .8 + ln .25 + ln .9)/4
    loss = -(math.log(0.5) + math.log(0.8) + math.log(0.25) + math.log(0.9)) / 4
    assert grade("teacher-forcing-loss", repr(loss)).correct


def test_seq2seq_theory_keys():
    assert grade("greedy-vs-beam", "0,1,2").correct
    assert grade("greedy-vs-beam", "0,1,2,3").score < 1  # beam search is no exhaustive search
    assert grade("beam-width-one", "0").correct and not grade("beam-width-one", "1").correct
    assert grade("teacher-forcing-choice", "0").correct
    assert not grade("teacher-forcing-choice", "1").correct  # its own prediction: inference
    assert grade("beam-search-name", "beam search").correct
    swapped = json.dumps({"0": "0", "1": "1", "2": "2", "3": "4", "4": "3"})
    assert grade("seq2seq-parts", swapped).mistake["id"] == "bos_eos_swapped"


def test_bank_shape():
    bank = load(BANK)
    topics = {t["slug"] for t in bank["topics"]}
    assert 2 <= len(topics) <= 6
    slugs = [q["slug"] for q in bank["questions"]]
    assert len(slugs) == len(set(slugs))
    assert all(q["topic"] in topics for q in bank["questions"])
