"""The «Рекуррентные сети» bank (question_bank/banks/12-rnn.yaml).

Default variants are checked against hand-computed keys; seed corrections are named
test_seed_correction_*.
"""

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


def test_bank_shape():
    bank = load(BANK)
    topics = {t["slug"] for t in bank["topics"]}
    assert 2 <= len(topics) <= 6
    slugs = [q["slug"] for q in bank["questions"]]
    assert len(slugs) == len(set(slugs))
    assert all(q["topic"] in topics for q in bank["questions"])
