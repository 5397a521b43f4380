"""Every short-text question of the bundled banks: answers lecturers accept, and ones they don't.

The table must name every ``short_text`` question of ``question_bank/banks``: a new one without
an entry fails :func:`test_every_short_text_question_has_an_entry`. The answers under
«accept» are typed the way students type them (other word forms, dashes, brackets, look-alike
letters, a typo); those under «reject» are plausible wrong answers, and must stay wrong whatever
the matcher learns.
"""

from __future__ import annotations

import pytest

from grader.grading import check_spec, grade
from question_bank.formats.common import split_question
from tests.question_bank.banks import BANKS_DIR, load

TYPO = "опечаткой"

TABLE: dict[str, dict[str, list[str]]] = {
    "xor-name": {
        "accept": ["XOR", "\u0425\u041eR", "исключающее ИЛИ", "Исключающее или (XOR)",
                   "XOR (исключающее или)", "сложение по модулю 2",
                   "строгая дизъюнкция", "функция XOR"],
        "reject": ["OR", "AND", "NOT", "XNOR", "ИЛИ", "не исключающее или", "дизъюнкция"],
    },
    "heaviside-name": {
        "accept": ["функция Хевисайда", "Функция Хэвисайда", "единичная ступенька", "ступенька",
                   "пороговая функция", "Heaviside step function", "функция единичного скачка",
                   "ступенчатая функция"],
        "reject": ["сигмоида", "знаковая функция", "ReLU", "функция знака", "линейная функция"],
    },
    "relu-name": {
        "accept": ["ReLU", "relu", "Rectified Linear Unit (ReLU)", "rectified linear unit",
                   "ReLU (Rectified Linear Unit)", "выпрямитель", "функция ReLU",
                   "ReLU-функция", "Выпрямленная линейная функция"],
        "reject": ["Leaky ReLU", "ELU", "GELU", "сигмоида", "линейная функция", "softplus",
                   "ReLU6"],
    },
    "vanishing-gradient-name": {
        "accept": ["проблема исчезающего градиента", "исчезающие градиенты",
                   "затухание градиентов", "Затухающий градиент", "проблема затухания градиентов",
                   "vanishing gradients", "vanishing gradient problem", "затухание гардиента"],
        "reject": ["взрыв градиента", "взрывающийся градиент", "exploding gradient",
                   "не затухание градиента", "переобучение", "градиент затухания",
                   "паралич сети"],
    },
    "cross-entropy-name": {
        "accept": ["кросс-энтропия", "Кросс энтропия", "кроссэнтропия", "перекрестная энтропия",
                   "cross entropy", "log loss", "log-loss", "categorical crossentropy",
                   "categorical_crossentropy", "nn.CrossEntropyLoss", "кросс-энтропийные потери",
                   "отрицательное логарифмическое правдоподобие"],
        "reject": ["энтропия", "MSE", "среднеквадратичная ошибка", "hinge loss",
                   "дивергенция Кульбака — Лейблера", "бинарная кросс-энтропия"],
    },
    "focal-loss-name": {
        "accept": ["focal loss", "Focal Loss", "focal-loss", "фокальная функция потерь",
                   "фокальные потери", "фокальная потеря", "focal", "фокальной функцией потерь"],
        "reject": ["кросс-энтропия", "dice loss", "hinge loss", "взвешенная кросс-энтропия",
                   "label smoothing", "не focal loss", "IoU loss"],
    },
    "logits-name": {
        "accept": ["логиты", "Логиты", "logits", "логит", "Logits", "логитами", "логииты"],
        "reject": ["вероятности", "логарифмы вероятностей", "log-probabilities", "веса",
                   "градиенты", "признаки", "probabilities"],
    },
    "adagrad-name": {
        "accept": ["AdaGrad", "Adagrad", "Ada Grad", "adagrad", "адаград",
                   "Adaptive Gradient", "AdaGrad (adaptive gradient)", "optim.Adagrad"],
        "reject": ["RMSprop", "Adam", "AdaDelta", "SGD", "градиентный спуск", "momentum"],
    },
    "adam-name": {
        "accept": ["Adam", "ADAM", "адам", "Adaptive Moment Estimation", "torch.optim.Adam",
                   "адаптивная оценка момента"],
        "reject": ["AdamW", "Nadam", "RMSprop", "AdaGrad", "momentum", "SGD с моментом"],
    },
    "zero-grad-name": {
        "accept": ["optimizer.zero_grad()", "optimizer.zero_grad", "zero_grad()", "opt.zero_grad()",
                   "model.zero_grad()", "optimizer.zero_grad(set_to_none=True)"],
        "reject": ["optimizer.step()", "loss.backward()", "model.eval()", "torch.no_grad()",
                   "zero_grad(set_to_none=False)", "scheduler.step()"],
    },
    "no-grad-name": {
        "accept": ["torch.no_grad()", "with torch.no_grad():", "no_grad", "torch.no_grad",
                   "torch.inference_mode()", "inference_mode"],
        "reject": ["model.eval()", "torch.enable_grad()", "requires_grad=False", "model.train()",
                   "optimizer.zero_grad()"],
    },
    "clip-value-name": {
        "accept": ["clip_grad_value_", "torch.nn.utils.clip_grad_value_", "clip_grad_value",
                   "nn.utils.clip_grad_value_()"],
        "reject": ["clip_grad_norm_", "torch.nn.utils.clip_grad_norm_", "clipvalue", "clamp",
                   "clip_grad_norm"],
    },
    "steplr-name": {
        "accept": ["StepLR", "steplr", "torch.optim.lr_scheduler.StepLR", "lr_scheduler.StepLR",
                   "StepLR()"],
        "reject": ["MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "ReduceLROnPlateau",
                   "LinearLR", "OneCycleLR"],
    },
    "chain-rule-name": {
        "accept": ["цепное правило", "Правило цепочки", "chain rule",
                   "цепное правило дифференцирования", "производная сложной функции",
                   "правило дифференцирования сложной функции",
                   "дифференцирование сложных функций"],
        "reject": ["правило Лейбница", "правило Лопиталя", "производная произведения",
                   "градиентный спуск", "правило произведения"],
    },
    "weight-decay-name": {
        "accept": ["weight decay", "Weight-decay", "L2", "L2-регуляризация", "L2 регуляризация",
                   "l2-регуляризация", "затухание весов", "регуляризация Тихонова",
                   "ridge-регуляризация", "L₂-регуляризация"],
        "reject": ["L1", "L1-регуляризация", "lasso", "dropout", "ранняя остановка",
                   "elastic net", "L1-регуляризатор"],
    },
    "dropout-eval-call": {
        "accept": ["model.eval()", "net.eval()", "model.eval", "eval()", ".eval()",
                   "net.train(False)", "model.train(False)", "model.train(mode=False)"],
        "reject": ["model.train()", "model.train(True)", "torch.no_grad()", "model.predict()",
                   "model.eval(False)", "train()"],
    },
    "bn-shift-name": {
        "accept": ["internal covariate shift", "Internal Covariate Shift (ICS)", "ICS",
                   "внутренний ковариатный сдвиг", "внутренний ковариационный сдвиг",
                   "ковариатный сдвиг", "сдвиг ковариат"],
        "reject": ["переобучение", "затухание градиента", "сдвиг данных", "data shift",
                   "концептуальный дрейф"],
    },
    "he-name": {
        "accept": ["He", "He-инициализация", "Хе-инициализация", "инициализация He",
                   "инициализация Хе", "Kaiming", "Kaiming He", "инициализация Каймина",
                   "kaiming normal", "He initialization",
                   "\u041d\u0435"],  # Cyrillic «Не» typed for He
        "reject": ["Xavier", "Glorot", "инициализация Ксавье", "LeCun", "нормальная",
                   "Kaiming uniform", "не He"],
    },
    "conv-stride-keras": {
        "accept": ["strides=3", "strides=(3,3)", "strides = (3, 3)", "strides=[3, 3]",
                   "strides=3,3"],
        "reject": ["stride=3", "strides=1", "strides=(3,1)", "padding=3", "kernel_size=3",
                   "dilation_rate=3", "strides=33"],
    },
    "residual-name": {
        "accept": ["residual connection", "skip connection", "skip-connection",
                   "Остаточная связь", "остаточные связи", "shortcut", "shortcut connection",
                   "identity shortcut", "остаточное соединение"],
        "reject": ["dense connection", "плотная связь", "рекуррентная связь", "attention",
                   "полносвязный слой", "batch normalization"],
    },
    "freeze-pytorch": {
        "accept": ["param.requires_grad = False", "param.requires_grad=False",
                   "requires_grad=False", "p.requires_grad=False", "param.requires_grad_(False)"],
        "reject": ["param.requires_grad = True", "param.requires_grad_()", "param.grad = None",
                   "requires_grad=True", "torch.no_grad()", "param.detach()"],
    },
    "iou-name": {
        "accept": ["IoU", "iou", "Intersection over Union (IoU)", "Intersection over Union",
                   "intersection-over-union", "IoU (intersection over union)",
                   "индекс Жаккара", "мера Жаккара", "коэффициентом Жаккара", "Jaccard index"],
        "reject": ["Dice", "мера Дайса", "mAP", "precision", "GIoU", "F1", "IoU (или Dice)"],
    },
    "dice-other-name": {
        "accept": ["Dice", "мера Сёренсена-Дайса", "мера Серенсена — Дайса",
                   "коэффициент Сёренсена–Дайса", "Dice coefficient", "DSC",
                   "Dice similarity coefficient", "коэффициент Дайса", "Sørensen–Dice"],
        "reject": ["IoU", "мера Жаккара", "F1", "F2", "точность", "полнота", "Dice loss"],
    },
    "specificity-name": {
        "accept": ["специфичность", "Специфичность", "specificity", "TNR", "true negative rate",
                   "специфичностью", "доля истинно отрицательных", "спецефичность"],
        "reject": ["чувствительность", "полнота", "точность", "FPR", "recall", "precision",
                   "не специфичность", "NPV"],
    },
    "bptt-name": {
        "accept": ["BPTT", "backpropagation through time", "back propagation through time",
                   "Back-propagation through time (BPTT)",
                   "обратное распространение ошибки во времени",
                   "обратное распространение ошибки через время"],
        "reject": ["backpropagation", "обратное распространение ошибки", "RTRL",
                   "градиентный спуск", "truncated"],
    },
    "gradient-clipping-name": {
        "accept": ["gradient clipping", "Gradient-clipping", "clipping", "обрезка градиентов",
                   "отсечение градиентов", "клиппинг градиентов", "ограничение нормы градиента",
                   "clip_grad_norm_", "обрезка градиентов по норме"],
        "reject": ["нормализация градиента", "batch normalization", "dropout", "clipvalue",
                   "затухание градиента", "взрыв градиента", "gradient descent"],
    },
    "lstm-expansion": {
        "accept": ["Long Short-Term Memory", "long short term memory", "long-short-term memory",
                   "Long Short Term Memory"],
        "reject": ["Long Term Memory", "Short Term Memory", "долгая краткосрочная память",
                   "Long Short-Term Model", "Gated Recurrent Unit"],
    },
    "beam-search-name": {
        "accept": ["лучевой поиск", "Лучевой поиск", "beam search", "beam-search", "BeamSearch",
                   "Лучевой поиск (beam search)", "поиск с лучом", "лучевым поиском"],
        "reject": ["жадный поиск", "жадное декодирование", "greedy search", "полный перебор",
                   "поиск в ширину", "не лучевой поиск", "teacher forcing"],
    },
    "latent-space-name": {
        "accept": ["латентное пространство", "Латентное пространство", "скрытое пространство",
                   "latent space", "латентном пространстве", "пространство латентных переменных",
                   "пространство скрытых представлений"],
        "reject": ["признаковое пространство", "пространство признаков", "входное пространство",
                   "не латентное пространство", "выходное пространство", "feature space"],
    },
    "pytorch-embedding-layer": {
        "accept": ["nn.Embedding", "torch.nn.Embedding", "Embedding", "nn.Embedding()",
                   "слой nn.Embedding"],
        "reject": ["nn.Linear", "nn.EmbeddingBag", "nn.LSTM", "Dense", "nn.Embed"],
    },
    "functional-model-class": {
        "accept": ["Model", "keras.Model", "tf.keras.Model", "keras.models.Model",
                   "tf.keras.models.Model", "tensorflow.keras.Model"],
        "reject": ["Sequential", "keras.Sequential", "Input", "Functional", "Layer",
                   "keras.layers.Model"],
    },
}  # fmt: skip


def _short_text_questions() -> dict[str, dict]:
    found = {}
    for path in sorted(BANKS_DIR.glob("*.yaml")):
        for entry in load(path.stem)["questions"]:
            if entry["kind"] == "short_text":
                found[entry["slug"]] = split_question(entry)[1]
    return found


QUESTIONS = _short_text_questions()


def test_every_short_text_question_has_an_entry():
    assert sorted(set(QUESTIONS) - set(TABLE)) == [], "add these questions to TABLE"
    assert sorted(set(TABLE) - set(QUESTIONS)) == [], "these questions are gone from the banks"
    assert all(row["accept"] and row["reject"] for row in TABLE.values())


def _cases(column: str):
    return [
        pytest.param(slug, raw, id=f"{slug}:{raw}")
        for slug, row in TABLE.items()
        for raw in row[column]
    ]


@pytest.mark.parametrize(("slug", "raw"), _cases("accept"))
def test_accepted_answers(slug, raw):
    result = grade(QUESTIONS[slug], None, raw)
    assert result.correct, f"{slug}: {raw!r} → {result.status}: {result.feedback}"


@pytest.mark.parametrize(("slug", "raw"), _cases("reject"))
def test_rejected_answers(slug, raw):
    result = grade(QUESTIONS[slug], None, raw)
    assert not result.correct, f"{slug}: {raw!r} was accepted ({result.feedback})"


def test_the_issues_examples_are_accepted_without_a_typo_note():
    examples = {
        "vanishing-gradient-name": "проблема исчезающего градиента",
        "dice-other-name": "мера Сёренсена-Дайса",
        "he-name": "He-инициализация",
        "dropout-eval-call": "net.eval()",
        "iou-name": "Intersection over Union (IoU)",
        "relu-name": "Rectified Linear Unit (ReLU)",
        "xor-name": "\u0425\u041eR",  # XOR with Cyrillic Х and О
    }
    for slug, raw in examples.items():
        result = grade(QUESTIONS[slug], None, raw)
        assert result.correct and TYPO not in result.feedback, (slug, raw, result.feedback)


@pytest.mark.parametrize("slug", sorted(QUESTIONS))
def test_self_test_and_listed_answers_hold(slug):
    spec = QUESTIONS[slug]
    assert check_spec(spec, samples=1) == []
    for item in spec["answers"]:
        text = item["text"] if isinstance(item, dict) else item
        result = grade(spec, None, text)
        assert result.correct and TYPO not in result.feedback, (slug, text)
