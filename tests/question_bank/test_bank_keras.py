"""Bank «keras» (14-keras.yaml): seed examples and seed corrections."""

from tests.question_bank.banks import graders

BANK = "14-keras"


grade, mistake_id = graders(BANK)


def test_functional_mlp_seed():
    # 001: Input(1000) -> Dense(16) -> Dense(16) -> Dense(1)
    assert grade("functional-mlp-params", "16305").correct
    assert mistake_id("functional-mlp-params", "16272") == "no_bias"


def test_shared_input_branches_seed():
    # 001: Input(64, 64, 1); Conv2D(64, 4) -> Flatten; Conv2D(32, 8) -> MaxPool(2) -> Flatten
    assert grade("shared-input-concat-size", "263232").correct
    assert mistake_id("shared-input-concat-size", "342112") == "no_pool"
    assert grade("shared-input-params", "266401").correct
    assert mistake_id("shared-input-params", "3168") == "convs_only"


def test_two_inputs_seed():
    # 000, вопрос 3: 32-8-4 and 128-64-32-4 branches, concatenate, Dense(2), Dense(1)
    assert grade("two-inputs-params", "10789").correct
    assert mistake_id("two-inputs-params", "10674") == "no_bias"
    assert grade("two-inputs-fit", "0").correct


def test_recurrent_layers_seed():
    # 001: Embedding(50, 10, input_length=1000) with LSTM(32), GRU(16); Embedding and Conv1D
    # alone are asked in 13-embeddings and 09-cnn
    assert grade("lstm-return-sequences-shape", "[1000; 32]").correct
    assert grade("lstm-keras-params", "6004").correct
    assert mistake_id("lstm-keras-params", "6132") == "pytorch_biases"
    assert grade("bidirectional-params", "80266").correct
    assert mistake_id("bidirectional-params", "31946") == "not_doubled"
    assert grade("gru-keras-params", "1844").correct
    assert mistake_id("gru-keras-params", "1796") == "one_bias"


def test_other_defaults():
    assert grade("shared-layer-params", "185").correct
    assert mistake_id("shared-layer-params", "353") == "shared_twice"
    assert grade("multi-output-loss", "2.05").correct
    assert mistake_id("multi-output-loss", "3.25") == "unweighted"
    assert grade("flatten-dense-params", "401536").correct
    assert grade("keras-conv2d-params", "18496").correct
    assert grade("keras-conv2d-same-shape", "[14; 14; 32]").correct
    assert mistake_id("keras-conv2d-same-shape", "[13; 13; 32]") == "valid_padding"
    assert grade("functional-model-class", "Model").correct
    assert grade("keras-dropout-rate", "0").correct


def test_seed_correction_dense_on_3d_input():
    # 000, вопрос 5 says Dense first flattens 3D input «в одномерные»; Keras Dense acts on the
    # last axis: (batch, 10, 50) -> Dense(8) has 50*8 + 8 = 408 parameters, not 10*50*8 + 8.
    assert grade("dense-3d-params", "408").correct
    result = grade("dense-3d-params", "4008")
    assert not result.correct, "flattening (the seed's claim) gives 4008"
    assert result.mistake["id"] == "flattened"
    assert grade("dense-on-3d", "0").correct
    assert not grade("dense-on-3d", "1").correct


def test_seed_correction_functional_code_visible():
    # 001: the shared-layers example calls both branches on an undefined `visible`
    assert grade("functional-code-bug", "0").correct
