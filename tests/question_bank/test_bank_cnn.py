"""Bank «cnn» (09-cnn.yaml): seed examples reproduced by the default variants, seed corrections."""

from grader.engines import compute
from tests.question_bank.banks import graders, spec_of

BANK = "09-cnn"


grade, mistake_id = graders(BANK)


def test_conv1d_first_value_seed():
    # 001, Conv1D: N = 46*0.2 + 9*0.2 + 124*0.2 + 56*0.2 = 47
    assert grade("conv1d-first-value", "47").correct
    assert mistake_id("conv1d-first-value", "235") == "sum_only"


def test_conv1d_keras_layer_seed():
    # 001: Embedding(50, 10, input_length=1000) -> Conv1D(20, 5): (5*10 + 1)*20 = 1020, длина 996
    assert grade("conv1d-keras-params", "1020").correct
    assert mistake_id("conv1d-keras-params", "120") == "no_channels"
    assert mistake_id("conv1d-keras-params", "1000") == "no_bias"
    assert grade("conv1d-keras-length", "996").correct
    assert mistake_id("conv1d-keras-length", "995") == "no_plus_one"


def test_two_branch_model_seed():
    # 001, модель с общими слоями: 61*61*64 + 28*28*32 = 263232 входов Dense(1) -> 263233
    assert grade("two-branch-dense-params", "263233").correct
    assert mistake_id("two-branch-dense-params", "263232") == "no_bias"
    assert (
        mistake_id("two-branch-dense-params", str(61 * 61 * 64 + 57 * 57 * 32 + 1))
        == "forgot_pooling"
    )


def test_mlp_on_image_seed():
    # 004, гл. 6, упр. 5а: (784 + 1)*1000 = 785000 и (1000 + 1)*10 = 10010
    assert grade("mlp-mnist-params", "795010").correct
    assert grade("mlp-mnist-params", "785000 + 10010").correct
    assert mistake_id("mlp-mnist-params", "785000") == "first_layer_only"
    assert mistake_id("mlp-mnist-params", "794000") == "no_bias"


def test_conv_params_formula_seed():
    # 004, гл. 6, упр. 6а: (W_k*H_k*C_in + 1)*C_out; 003, вопрос 5: K*K*C_in*C_out + C_out
    assert grade("conv-params-formula", "(W_k*H_k*C_in + 1)*C_out").correct
    assert grade("conv-params-formula", "W_k*H_k*C_in*C_out + C_out").correct
    assert mistake_id("conv-params-formula", "W_k*H_k*C_in*C_out") == "no_bias"
    assert grade("conv-params", "1792").correct
    assert mistake_id("conv-params", "1728") == "no_bias"
    assert grade("conv-params-rect", "368").correct


def test_receptive_field_seed():
    # 003, вопрос 5: две свёртки 3x3 -> поле восприятия 5x5
    assert grade("receptive-field-stack", "5").correct
    assert mistake_id("receptive-field-stack", "6") == "sum_of_kernels"
    assert mistake_id("receptive-field-stack", "9") == "product_of_kernels"


def test_receptive_field_cat_seed():
    # 004, гл. 6, упр. 7: котик 512x512, свёртки 5x5 (шаг 1) + пулинг 2x2 -> 7 блоков
    assert grade("receptive-field-cat", "7").correct
    assert mistake_id("receptive-field-cat", "128") == "no_pooling"
    conv, pool = {"kernel": 5}, {"kernel": 2, "stride": 2}
    assert compute("receptive_field", layers=[conv, pool] * 6) == 316
    assert compute("receptive_field", layers=[conv, pool] * 7) == 636


def test_multiplications_and_shapes():
    # 003, вопрос 5: H*W*C_out*(K*K*C_in) по размерам выхода
    assert grade("conv-mult-ops", "388800").correct
    assert mistake_id("conv-mult-ops", "442368") == "input_size"
    assert grade("conv-output-size", "16").correct
    assert mistake_id("conv-output-size", "14") == "forgot_padding"
    assert grade("conv-output-size-dilation", "28").correct
    assert mistake_id("conv-output-size-dilation", "30") == "no_dilation"
    assert grade("conv-output-same", "4").correct
    assert mistake_id("conv-output-same", "3") == "floor_division"
    assert grade("pool-output-size", "27").correct
    assert mistake_id("pool-output-size", "28") == "ignored_window"


def test_separable_params_seed():
    # 000, вопрос 2 / 002, вопрос 1: поканальная 3x3 + поточечная 1x1; 16 -> 32: 144 + 544 = 688
    assert grade("separable-params", "688").correct
    assert mistake_id("separable-params", "4640") == "ordinary"
    assert grade("conv-params-groups", "4672").correct
    assert mistake_id("conv-params-groups", "18496") == "ignored_groups"


def test_manual_convolutions():
    # 004, гл. 6, упр. 1–3 (картинки составлены в банке)
    assert grade("conv-manual-valid", "[4 3; -3 3]").correct
    assert grade("kernel-shift", "[0 1 2 3; 0 5 6 7; 0 9 1 2; 0 4 5 6]").correct
    assert mistake_id("kernel-shift", "[2 3 4 0; 6 7 8 0; 1 2 3 0; 5 6 7 0]") == "flipped_kernel"
    assert grade("kernel-crosses-noughts", "[3 0 1; 0 3 0; 1 0 3]").correct
    assert grade("maxpool-manual", "[6 2; 3 8]").correct
    assert mistake_id("maxpool-manual", "[3,5 1; 1,5 5,5]") == "average"


def test_seed_correction_conv_formula_bias():
    # 003, вопрос 5: в источнике смещение b_t стоит внутри тройной суммы (вариант 1) — неверно
    spec = spec_of(BANK, "conv-layer-formula-choice")
    assert "+ b_t\\big)" in spec["options"][1]["text"]
    assert not grade("conv-layer-formula-choice", "1").correct
    assert grade("conv-layer-formula-choice", "0").correct


def test_seed_correction_rotation_is_not_a_convolution():
    # 004, гл. 6, упр. 2: источник относит «повороты» к тому, что делают ядра; свёрткой поворот не сделать
    assert grade("kernel-rotation", "0").correct
    assert grade("cnn-properties", "0,1,2").correct
    assert not grade("cnn-properties", "0,1,2,4").correct


def test_seed_correction_separable_order():
    # 000, вопрос 2 / 002, вопрос 1: «порядок не влияет на конечный результат» — неверно в точном смысле
    assert not grade("separable-order", "1").correct
    assert grade("separable-order", "0").correct


def test_separable_orders_differ_numerically():
    # «поканальная -> 1x1» и «1x1 -> поканальная» дают разные выходы при одних и тех же весах
    x = [[[1, 2, 0], [0, 1, 3], [2, 1, 1]], [[0, 1, 1], [2, 0, 1], [1, 3, 0]]]
    k = [[[1, 0], [0, -1]], [[2, 1], [0, 1]]]
    m = [[1, 2], [-1, 1]]

    def conv(img, ker):
        return compute("conv2d", image=img, kernel=ker)

    def mix(maps, row):
        return [[sum(row[c] * maps[c][i][j] for c in range(2)) for j in range(2)] for i in range(2)]

    depthwise_first = [mix([conv(x[c], k[c]) for c in range(2)], m[t]) for t in range(2)]
    mixed = [
        [[sum(m[t][c] * x[c][i][j] for c in range(2)) for j in range(3)] for i in range(3)]
        for t in range(2)
    ]
    pointwise_first = [conv(mixed[t], k[t]) for t in range(2)]
    assert depthwise_first != pointwise_first
