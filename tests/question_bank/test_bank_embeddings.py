"""The «Эмбеддинги и word2vec» bank (question_bank/banks/13-embeddings.yaml).

Default variants are checked against hand-computed keys.
"""

import pytest

from tests.question_bank.banks import graders, load

BANK = "13-embeddings"


grade, _ = graders(BANK)


# (slug, right answer as a student types it, wrong answer, id of the typical mistake it matches)
DEFAULTS = [
    ("one-hot-length", "10002", "10000", "no_special"),
    ("one-hot-vs-dense", "100", "0,01", "inverted"),  # 10000 / 100
    ("word2vec-params", "6 000 000", "3 000 000", "one_matrix"),  # 2·10000·300
    ("skipgram-pairs", "34", "40", "no_edges"),  # 2·2·10 − 2·3
    ("cbow-hidden", "[0,3; -0,2; 0,2]", "[0,6; -0,4; 0,4]", "sum"),
    ("negative-sampling-updates", "1800", "1500", "forgot_positive"),  # (5 + 1)·300
    ("cosine-similarity", "0,8889", "8", "no_norm"),  # 8 / (3·3)
    ("analogy-vector", "[0,8; 0,9; 0,9]", "[0,8; 0,9; -0,7]", "swapped"),
    ("analogy-cosine", "0,9915", "0,7559", "king_only"),  # 17/(√21·√14); 12/(√18·√14)
    # seed 000: Embedding(input_dim=max_words, output_dim=50, input_length=maxlen)
    ("keras-embedding-params", "500000", "25000", "length_not_vocab"),
    ("embedding-output-shape", "[32; 100; 50]", "[32; 10000; 50]", "vocab_axis"),
]


@pytest.mark.parametrize("slug, right, wrong, mistake", DEFAULTS)
def test_default_variant(slug, right, wrong, mistake):
    assert grade(slug, right).correct
    result = grade(slug, wrong)
    assert not result.correct
    assert result.mistake["id"] == mistake


def test_embedding_lookup_default():
    # one-hot (0, 0, 1, 0) picks the third row of W
    assert grade("embedding-lookup", "[4; -2; 1]").correct
    assert not grade("embedding-lookup", "[1; 0; 2]").correct


def test_theory_keys():
    assert grade("one-hot-cosine", "0").correct
    assert grade("pytorch-embedding-layer", "nn.Embedding").correct
    assert grade("cbow-choice", "0").correct and not grade("cbow-choice", "1").correct


def test_bank_shape():
    bank = load(BANK)
    topics = {t["slug"] for t in bank["topics"]}
    assert 2 <= len(topics) <= 6
    slugs = [q["slug"] for q in bank["questions"]]
    assert len(slugs) == len(set(slugs))
    assert all(q["topic"] in topics for q in bank["questions"])
