"""The «Эмбеддинги и word2vec» bank (question_bank/banks/13-embeddings.yaml).

Default variants are checked against hand-computed keys.
"""

import numpy as np
import pytest

import grader
from tests.question_bank.banks import graders, load, spec_of

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
    # autoencoders: 784·128 + 128 + 128·32 + 32 + 32·128 + 128 + 128·784 + 784
    ("ae-params", "209968", "104608", "encoder_only"),
    ("ae-params", "209 968", "208896", "no_bias"),
    ("kl-gaussian", "0,9319", "0,2784", "sigma_not_var"),  # ½(0.25 + 4 − 1 − ln 4); σ for σ²
    ("kl-gaussian", "0,5*(0,25 + 4 - 1 - ln(4))", "1,8637", "no_half"),
    ("kl-vector-logvar", "1,0374", "-1,0374", "minus_sign"),
    ("kl-vector-logvar", "1,0374", "0,3458", "mean_over_dims"),
    ("kl-vector-logvar", "1,037", "-0,5", "logvar_as_var"),
    ("reparam-sample", "[0,6966; -1,1749; 1,5927]", "[0,4466; -1,4111; 1,439]", "variance_not_std"),
    ("reparam-sample", "[0,6966; -1,1749; 1,5927]", "[-1,2; -0,8; 0,52]", "logvar_as_std"),
    ("denoising-mse", "0,015", "0,0325", "noisy_target"),  # (.01 + .01 + 0 + .04)/4
    ("denoising-mse", "0,06/4", "0,06", "sum_not_mean"),
    ("vae-encoder-params", "330040", "322020", "one_head"),  # 784·400 + 400 + 2·(400·20 + 20)
    ("vae-encoder-params", "330 040", "329600", "no_bias"),
    # −(ln .9 + ln .8 + ln .6 + ln .8)/4; MSE (.01 + .04 + .16 + .04)/4
    ("bce-reconstruction", "0,2656", "0,0625", "mse_instead"),
    ("bce-reconstruction", "0,2656", "1,0625", "sum_not_mean"),
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


def test_kl_gaussian_by_numerical_integration():
    # KL(q‖p) = ∫ q ln(q/p) on a fine grid, q = N(μ, σ²), p = N(0, 1): no closed form used
    spec = spec_of(BANK, "kl-gaussian")
    for seed in [None, *range(10)]:
        v = grader.variant(spec, seed).values
        mu, sigma = v["mu"], v["sigma"]
        z = np.linspace(mu - 12 * sigma, mu + 12 * sigma, 200001)
        log_q = -0.5 * ((z - mu) / sigma) ** 2 - np.log(sigma * np.sqrt(2 * np.pi))
        log_p = -0.5 * z**2 - np.log(np.sqrt(2 * np.pi))
        kl = float(np.sum(np.exp(log_q) * (log_q - log_p)) * (z[1] - z[0]))
        assert grade("kl-gaussian", repr(kl), seed).correct, (seed, kl)


def test_kl_vector_is_the_sum_of_one_dimensional_kls():
    mu, var = np.array([0.5, -1.0, 0.0]), np.exp([0.0, -0.5, 1.0])
    kl = sum(0.5 * (m * m + s2 - 1 - np.log(s2)) for m, s2 in zip(mu, var, strict=True))
    assert grade("kl-vector-logvar", repr(float(kl))).correct


def test_reparam_sample_default_by_hand():
    sigma = np.sqrt(np.exp([-1.4, 0.6, -0.6]))
    z = np.array([0.2, -0.5, 1.0]) + sigma * np.array([1.0, -0.5, 0.8])
    assert grade("reparam-sample", "[" + "; ".join(repr(float(x)) for x in z) + "]").correct


def test_autoencoder_theory_keys():
    assert grade("ae-training-target", "0").correct
    assert grade("denoising-ae", "0").correct and not grade("denoising-ae", "1").correct
    assert grade("reparameterization", "0").correct
    assert grade("vae-loss-terms", "0,1,2").correct
    assert grade("vae-loss-terms", "0,1,2,4").score < 1  # KL is not symmetric
    assert grade("kl-zero-when", "0").correct and not grade("kl-zero-when", "2").correct
    assert grade("latent-space-name", "латентное пространство").correct


def test_bank_shape():
    bank = load(BANK)
    topics = {t["slug"] for t in bank["topics"]}
    assert 2 <= len(topics) <= 6
    slugs = [q["slug"] for q in bank["questions"]]
    assert len(slugs) == len(set(slugs))
    assert all(q["topic"] in topics for q in bank["questions"])
