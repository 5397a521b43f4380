"""Bank «cnn» (09-cnn.yaml): seed examples reproduced by the default variants, seed corrections."""

import numpy as np

import grader
from grader.engines import compute
from grader.variants import variant
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


# ---------------------------------------------------------------- transposed convolution
# Independent computations: a transposed convolution is done here by stamping the kernel
# (scatter-add), never by the conv2d-with-a-flipped-kernel trick the bank uses.


def _stamp(x, kernel, stride):
    """conv_transpose (1-D or 2-D, no padding, no bias) by adding x[i]·kernel at i·stride."""
    x, kernel = np.asarray(x, dtype=float), np.asarray(kernel, dtype=float)
    out_shape = tuple((n - 1) * stride + k for n, k in zip(x.shape, kernel.shape, strict=True))
    out = np.zeros(out_shape)
    for index in np.ndindex(x.shape):
        corner = tuple(i * stride for i in index)
        window = tuple(slice(c, c + k) for c, k in zip(corner, kernel.shape, strict=True))
        out[window] += x[index] * kernel
    return out


def _typed(matrix) -> str:
    return "[" + "; ".join(" ".join(f"{v:g}" for v in row) for row in np.atleast_2d(matrix)) + "]"


def test_convt_output_sizes_invert_the_convolution_shape():
    # 8x8, k=3, s=2, p=1, output_padding=1 -> 16; a Conv2d with the same k, s, p maps 16 back to 8
    assert compute("conv2d_output_shape", h=16, w=16, kernel=3, stride=2, padding=1) == [8, 8]
    assert grade("convt-output-size", "16").correct
    assert mistake_id("convt-output-size", "15") == "no_output_padding"
    assert mistake_id("convt-output-size", "20") == "padding_added"
    assert mistake_id("convt-output-size", "4") == "ordinary_conv"
    # 10x10, k=3, s=1, p=1, dilation=2 -> 12, and the dilated convolution maps 12 back to 10
    shape = compute("conv2d_output_shape", h=12, w=12, kernel=3, padding=1, dilation=2)
    assert shape == [10, 10]
    assert grade("convt-output-size-dilation", "12").correct
    assert mistake_id("convt-output-size-dilation", "10") == "no_dilation"
    assert grade("convt-output-shape-rect", "[9; 20]").correct
    assert mistake_id("convt-output-shape-rect", "[14; 13]") == "swapped_axes"


def test_convt_params_count_the_weight_shape():
    # torch: ConvTranspose2d(128, 64, 2).weight has shape (128, 64, 2, 2), bias 64
    expected = np.zeros((128, 64, 2, 2)).size + 64
    assert grade("convt-params", str(expected)).correct
    assert mistake_id("convt-params", str(expected - 64 + 128)) == "bias_per_input"
    assert mistake_id("convt-params", str(expected - 64)) == "no_bias"


def test_output_padding_and_the_ambiguous_input_sizes():
    # Conv2d(k=3, s=2, p=1): 8 -> 4; ConvTranspose2d gives 7 without output_padding, so 1
    assert grade("convt-output-padding-restore", "1").correct
    assert mistake_id("convt-output-padding-restore", "0") == "zero"
    assert mistake_id("convt-output-padding-restore", "-1") == "forgot_padding"
    # every n whose Conv2d(k=3, s=2, p=1) output is 5, by brute force
    sizes = [
        n
        for n in range(2, 40)
        if compute("conv2d_output_shape", h=n, w=n, kernel=3, stride=2, padding=1)[0] == 5
    ]
    assert sizes == [9, 10]
    assert grade("convt-ambiguous-input", "[9; 10]").correct
    assert mistake_id("convt-ambiguous-input", "[9; 9]") == "unique_input"
    assert grade("convt-matrix-shape", "[16; 4]").correct
    assert mistake_id("convt-matrix-shape", "[4; 16]") == "matrix_of_conv"


def test_convt_by_hand_matches_stamping_the_kernel():
    x, k = [[1, 2], [3, -1]], [[1, 0], [2, -1]]
    out = _stamp(x, k, 2)
    assert out.shape == (4, 4)
    assert grade("convt-manual-stride2", _typed(out)).correct
    assert mistake_id("convt-manual-stride2", _typed(_stamp(x, np.rot90(k, 2), 2))) == (
        "flipped_kernel"
    )
    seq = _stamp([1, 2, 3], [2, 1, -1], 2)
    assert seq.tolist() == [2, 1, 3, 2, 4, 3, -3]
    assert grade("convt1d-overlap", "[2; 1; 3; 2; 4; 3; -3]").correct
    assert mistake_id("convt1d-overlap", "[-1; 1; 0; 2; 1; 3; 6]") == "flipped_kernel"
    assert mistake_id("convt1d-overlap", "[2; 1; 4; 2; 6; 3; -3]") == "overwritten"


def test_convt_overlap_count_by_stamping_ones():
    counts = _stamp(np.ones((8, 8)), np.ones((3, 3)), 2)
    interior = counts[4:-4, 4:-4]
    assert (interior.max(), interior.min()) == (4, 1)
    assert grade("convt-overlap-count", "[4; 1]").correct
    assert mistake_id("convt-overlap-count", "[2; 1]") == "one_axis"


def test_conv_input_gradient_is_the_transposed_convolution():
    x = np.array([[1, 0, 2], [3, 1, 0], [0, 2, 1]], dtype=float)
    k = np.array([[1, 2], [0, -1]], dtype=float)
    g = np.array([[1, -1], [2, 0]], dtype=float)
    # dL/dX by the chain rule on Y_ij = sum_ab K_ab X_{i+a, j+b}, one output at a time
    grad = np.zeros_like(x)
    for i, j in np.ndindex(g.shape):
        grad[i : i + 2, j : j + 2] += g[i, j] * k
    assert grad.tolist() == [[1, 1, -2], [2, 3, 1], [0, -2, 0]]
    assert grade("conv-input-grad", _typed(grad)).correct
    assert mistake_id("conv-input-grad", _typed(_stamp(g, np.rot90(k, 2), 1))) == (
        "kernel_not_flipped"
    )


# ---------------------------------------------------------------- U-Net shapes
def _unet_valid(n: int) -> dict:
    """Sides of the original U-Net (valid 3x3 convolutions), stepped one layer at a time."""
    encoder = []
    side = n
    for _level in range(4):
        side = side - 2 - 2
        encoder.append(side)
        assert side % 2 == 0
        side //= 2
    bottom = side - 2 - 2
    decoder, side = [], bottom
    for _level in range(4):
        side *= 2
        decoder.append(side)
        side = side - 2 - 2
    return {"encoder": encoder, "bottom": bottom, "up": decoder[::-1], "out": side}


def test_unet_valid_shapes_reproduce_the_paper():
    # Ronneberger et al. 2015, fig. 1: 572 -> 28 at the bottom, 388 out; crops 568->392 ... 64->56
    sizes = _unet_valid(572)
    assert sizes["bottom"] == 28 and sizes["out"] == 388
    assert sizes["encoder"] == [568, 280, 136, 64] and sizes["up"] == [392, 200, 104, 56]
    assert grade("unet-valid-bottleneck", "28").correct
    assert mistake_id("unet-valid-bottleneck", "35,75") == "padded"
    assert mistake_id("unet-valid-bottleneck", "32") == "no_bottom_convs"
    assert grade("unet-valid-output", "388").correct
    assert mistake_id("unet-valid-output", "572") == "same_as_input"
    assert mistake_id("unet-valid-output", "448") == "no_decoder_convs"
    assert grade("unet-crop", "4").correct
    assert mistake_id("unet-crop", "8") == "both_sides"


def test_unet_crop_on_sampled_variants():
    spec = spec_of(BANK, "unet-crop")
    levels = set()
    for seed in range(40):
        values = variant(spec, seed).values
        sizes = _unet_valid(values["n"])
        level = values["L"] - 1
        expected = (sizes["encoder"][level] - sizes["up"][level]) // 2
        assert grader.grade(spec, seed, str(expected)).correct, (seed, values)
        levels.add(values["L"])
    assert levels == {1, 2, 3, 4}


def test_unet_padded_input_and_concatenation():
    # depth 4, side 100: the sides halve to 50, 25 (odd: 24 after a pool, 48 after the way up)
    side, ok = 112, True
    for _ in range(4):
        ok &= side % 2 == 0
        side //= 2
    assert ok and all(n % 2 or n % 16 for n in range(100, 112))
    assert grade("unet-padded-input", "112").correct
    assert mistake_id("unet-padded-input", "96") == "cropped"
    # Conv2d(64 + 64, 64, 3): (9*128 + 1)*64
    assert grade("unet-concat-params", str((9 * 128 + 1) * 64)).correct
    assert mistake_id("unet-concat-params", str((9 * 64 + 1) * 64)) == "no_concat"
    assert grade("unet-ops-matching", '{"0": "0", "1": "1", "2": "2", "3": "3"}').correct
    as_sum = '{"0": "0", "1": "1", "2": "2", "3": "5"}'
    assert mistake_id("unet-ops-matching", as_sum) == "concat_as_sum"


# ---------------------------------------------------------------- backward pass through pooling
def _pool_backward(x, upstream, kernel, stride, mode):
    """dL/dX of a k×k pooling, one window at a time (max: the first maximum by rows wins)."""
    x, upstream = np.asarray(x, dtype=float), np.asarray(upstream, dtype=float)
    grad = np.zeros_like(x)
    for i, j in np.ndindex(upstream.shape):
        top, left = i * stride, j * stride
        if mode == "avg":
            grad[top : top + kernel, left : left + kernel] += upstream[i, j] / kernel**2
            continue
        best = None
        for a in range(kernel):
            for b in range(kernel):
                if best is None or x[top + a, left + b] > x[best]:
                    best = (top + a, left + b)
        grad[best] += upstream[i, j]
    return grad


def test_maxpool_backward_routes_to_the_maximum():
    x = [[1, 3, 2, 0], [4, 6, 1, 5], [0, 2, 7, 3], [8, 1, 4, 2]]
    g = [[2, -1], [3, 1]]
    expected = _pool_backward(x, g, 2, 2, "max")
    assert expected.tolist() == [[0, 0, 0, 0], [0, 2, 0, -1], [0, 0, 1, 0], [3, 0, 0, 0]]
    assert grade("maxpool-backward", _typed(expected)).correct
    spread = _typed(_pool_backward(x, g, 2, 2, "avg"))
    assert mistake_id("maxpool-backward", spread) == "average_spread"


def test_maxpool_backward_overlapping_windows_add_up():
    x, g = [[1, 2, 0], [3, 8, 1], [0, 4, 9]], [[1, 2], [3, 4]]
    expected = _pool_backward(x, g, 2, 1, "max")
    assert expected[1, 1] == 1 + 2 + 3  # 8 is the maximum of three windows
    assert grade("maxpool-backward-overlap", _typed(expected)).correct
    spread = _typed(_pool_backward(x, g, 2, 1, "avg"))
    assert mistake_id("maxpool-backward-overlap", spread) == "average_spread"


def test_maxpool_backward_ties_go_to_the_first_by_rows():
    x, g = [[2, 7, 6, 1], [7, 3, 0, 6]], [[4, 2]]
    expected = _pool_backward(x, g, 2, 2, "max")
    assert expected.tolist() == [[0, 4, 2, 0], [0, 0, 0, 0]]
    assert grade("maxpool-backward-ties", "[0 4 2 0; 0 0 0 0]").correct
    assert mistake_id("maxpool-backward-ties", "[0 2 1 0; 2 0 0 1]") == "split_between_ties"
    assert mistake_id("maxpool-backward-ties", "[0 0 0 0; 4 0 0 2]") == "last_tie"
    spec = spec_of(BANK, "maxpool-backward-ties")
    for seed in range(20):
        values = variant(spec, seed).values
        expected = _pool_backward(values["image"], values["g"], 2, 2, "max")
        assert grader.grade(spec, seed, _typed(expected)).correct, (seed, values)


def test_avgpool_backward_spreads_evenly():
    g = [[4, -2], [8, 6]]
    expected = _pool_backward(np.zeros((4, 4)), g, 2, 2, "avg")
    assert grade(
        "avgpool-backward", "[1 1 -1/2 -1/2; 1 1 -0,5 -0,5; 2 2 1,5 1,5; 2 2 3/2 3/2]"
    ).correct
    assert grade("avgpool-backward", _typed(expected)).correct
    assert mistake_id("avgpool-backward", _typed(4 * expected)) == "not_divided"
    g = [[4, 8], [-4, 12]]
    expected = _pool_backward(np.zeros((3, 3)), g, 2, 1, "avg")
    assert expected.tolist() == [[1, 3, 2], [0, 5, 5], [-1, 2, 3]]
    assert grade("avgpool-backward-overlap", _typed(expected)).correct
    assert mistake_id("avgpool-backward-overlap", "[1 2 2; -1 3 3; -1 3 3]") == "not_accumulated"


def test_pool_backward_choice_keys():
    assert grade("maxpool-backward-where", "0").correct
    assert grade("pool-backward-properties", "0,1,2").correct
    assert not grade("pool-backward-properties", "0,1,2,4").correct


def test_transposed_convolution_and_unet_choice_keys():
    for slug in ("output-padding-why", "convt-not-inverse", "convt-as-gradient"):
        assert grade(slug, "0").correct, slug
        assert not grade(slug, "1").correct, slug
    assert grade("checkerboard-artifacts", "0,1,2").correct
    assert not grade("checkerboard-artifacts", "0,1,2,4").correct
    assert grade("unet-concat-vs-add", "0").correct
    assert grade("unet-crop-why", "0").correct


def test_convt_padding_that_doubles_the_size():
    # kernel 4, stride 2: every n goes to 2n with padding 1 and to none other
    for n in range(4, 33):
        sides = {
            p: compute(
                "conv_transpose2d_output_shape", in_h=n, in_w=n, kernel=4, stride=2, padding=p
            )[0]
            for p in range(3)
        }
        assert [p for p, side in sides.items() if side == 2 * n] == [1]
    assert grade("convt-double-padding", "1").correct
    assert mistake_id("convt-double-padding", "0") == "no_padding"
    assert mistake_id("convt-double-padding", "2") == "sum_not_halved"
