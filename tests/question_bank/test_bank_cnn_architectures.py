"""Bank «cnn-architectures» (10-cnn-architectures.yaml): seed examples and computed facts."""

from grader.engines import compute
from tests.question_bank.banks import graders

BANK = "10-cnn-architectures"


grade, mistake_id = graders(BANK)


def test_lenet_params_seed():
    # 004, гл. 6, упр. 5б («LaNet» в источнике): 156 + 2416 + 48120 + 10164 + 850 = 61706
    assert grade("lenet-params", "61706").correct
    assert grade("lenet-params", "156 + 2416 + 48120 + 10164 + 850").correct
    assert mistake_id("lenet-params", "59134") == "fc_only"
    assert (
        mistake_id("lenet-params", str(156 + 2416 + 1600 * 120 + 120 + 10164 + 850))
        == "forgot_second_pooling"
    )


def test_vgg_small_kernels_seed():
    # 003, вопрос 6: VGG — свёртки 3x3; две 3x3 (64 канала) против одной 5x5
    assert grade("vgg-stack-vs-big", "[73856; 102464]").correct
    assert mistake_id("vgg-stack-vs-big", "[36928; 102464]") == "one_layer_only"
    assert compute("receptive_field", layers=[{"kernel": 3}] * 3) == 7
    assert grade("vgg-stack-receptive-field", "14").correct
    assert mistake_id("vgg-stack-receptive-field", "10") == "ignored_pool_stride"


def test_vgg_weight_seed():
    # 003, вопрос 6: «большой вес параметров (0.5 Гб)» — 138 357 544 параметров, ≈ 553 МБ в float32
    assert grade("vgg16-params", "138357544").correct
    assert mistake_id("vgg16-params", "14714688") == "conv_only"
    assert grade("model-memory", "553.4").correct
    assert mistake_id("model-memory", str(138357544 * 32 / 1e6)) == "bits"
    assert grade("vgg16-first-fc", "102764544").correct


def test_alexnet_and_inception_numbers():
    assert grade("alexnet-first-layer", "55").correct
    assert mistake_id("alexnet-first-layer", "217") == "ignored_stride"
    # 28x28x192 -> 5x5, 32 канала: 120 422 400 умножений напрямую, 12 443 648 через 1x1 до 16
    assert grade("inception-1x1-savings", "12443648").correct
    assert mistake_id("inception-1x1-savings", "10035200") == "forgot_1x1_cost"
    assert mistake_id("inception-1x1-savings", "120422400") == "direct"


def test_resnet_and_mobilenet():
    assert grade("bottleneck-params", "69632").correct
    assert mistake_id("bottleneck-params", "53248") == "no_expand"
    assert grade("residual-block-forward", "[3; 0]").correct
    assert mistake_id("residual-block-forward", "[1; 0]") == "no_skip"
    assert grade("residual-gradient-product", "[1.5^10; 0.5^10]").correct
    assert mistake_id("residual-gradient-product", "[6; 0.5^10]") == "additive"
    assert grade("mobilenet-cost-ratio", "1/(1/512 + 1/9)").correct
    assert mistake_id("mobilenet-cost-ratio", "9") == "k_squared"


def test_transfer_learning_seed():
    # 003, вопрос 7: кошки и собаки (2 класса) по сети, обученной на ImageNet (1000 классов)
    assert grade("transfer-head-params", "4098").correct
    assert mistake_id("transfer-head-params", "2049000") == "old_head"
    assert mistake_id("transfer-head-params", "4096") == "no_bias"
    assert grade("finetune-trainable-params", "2360834").correct
    assert mistake_id("finetune-trainable-params", "1026") == "head_only"
    assert grade("transfer-small-similar", "0").correct
    assert grade("freeze-pytorch", "param.requires_grad = False").correct
