"""The short-text matcher (grader/kinds/short_text.py): each rule, and what it must not accept."""

from __future__ import annotations

import pytest

from grader.errors import SpecError
from grader.grading import check_spec, grade
from grader.kinds import short_text
from grader.kinds.short_text import normalize, redundant_pairs


def spec(*answers, **options) -> dict:
    return {"kind": "short_text", "text": "?", "answers": list(answers), **options}


def verdict(question: dict, raw: str):
    result = grade(question, None, raw)
    assert result.status == "graded", result.feedback
    return result


def accepted(question: dict, raw: str) -> bool:
    return verdict(question, raw).correct


# ---------------------------------------------------------------------------------------------
# Normalisation


@pytest.mark.parametrize(
    ("typed", "listed"),
    [
        ("мера Сёренсена-Дайса", "мера Сёренсена — Дайса"),  # hyphen for an em dash
        ("мера Сёренсена–Дайса", "мера Сёренсена — Дайса"),  # en dash, no spaces
        ("мера Сёренсена \u2010 Дайса", "мера Сёренсена - Дайса"),  # Unicode hyphen
        ("Long\u00a0Short-Term  Memory", "long short term memory"),  # NBSP, double space
        ("«кросс-энтропия».", "кросс-энтропия"),  # quotes and a final period
        ('"cross entropy"!', "cross-entropy"),
        ("ЗАТУХАНИЕ ГРАДИЕНТА", "затухание градиента"),
        ("перекрестная энтропия", "перекрёстная энтропия"),  # ё
        ("strides = (3, 3)", "strides=(3,3)"),  # spaces around signs, brackets
        ("strides=[3,3]", "strides=(3, 3)"),
        ("net.eval", "net.eval()"),  # empty call brackets
        ("Ada Grad", "AdaGrad"),  # one word written as two
        ("L₂-регуляризация", "L2 регуляризация"),  # NFKC: subscript digit
        ("ＲｅＬＵ", "ReLU"),  # full-width letters
        ("затуха\u0301ние градие\u0301нта", "затухание градиента"),  # stress marks
    ],
)
def test_spellings_the_normaliser_covers_are_accepted(typed, listed):
    assert accepted(spec(listed, typos=False), typed)


@pytest.mark.parametrize(
    ("typed", "listed"),
    [
        ("strides=(3,4)", "strides=(3,3)"),
        ("strides=33", "strides=3 3"),  # digits never run together
        ("-1", "1"),  # a minus before a number is its sign
        ("0.5", "5"),  # a decimal point between digits stays
        ("x + y", "x y"),  # signs other than punctuation stay tokens
        ("model.train()", "model.train(False)"),  # call arguments are not an alias pair
        ("model.train", "model.train (False)"),
    ],
)
def test_normalisation_keeps_what_changes_the_meaning(typed, listed):
    assert not accepted(spec(listed, typos=False), typed)


def test_normalize_is_the_surface_form_used_to_group_answers():
    assert normalize("  «Мера Сёренсена-Дайса».") == "мера серенсена дайса"
    assert normalize("Intersection over Union (IoU)") == "intersection over union iou"
    assert normalize("") == ""


# ---------------------------------------------------------------------------------------------
# Latin/Cyrillic look-alikes


def test_xor_typed_with_cyrillic_letters_is_accepted():
    question = spec("XOR (исключающее ИЛИ)")
    assert accepted(question, "\u0425\u041eR")  # Cyrillic Х and О, Latin R
    assert accepted(question, "X\u041eR")
    assert not accepted(question, "XNOR")
    assert not accepted(question, "OR")


def test_a_russian_word_with_one_latin_letter_is_read_as_russian():
    question = spec("затухание градиента")
    assert accepted(question, "зaтухание грaдиента")  # Latin «a» twice
    assert normalize("сeть") == "сеть"


def test_a_token_made_of_look_alikes_meets_its_latin_twin_both_ways():
    assert accepted(spec("He"), "\u041d\u0435")  # Cyrillic «Не» typed for He
    assert accepted(spec("Хе"), "Xe")  # Latin typed for the Cyrillic surname
    assert not accepted(spec("He"), "Xe")


def test_russian_words_of_look_alike_letters_keep_their_forms():
    # «Мера» (capital М) is made only of look-alikes: it must still be the Russian «мера».
    question = spec("мера Дайса")
    assert accepted(question, "Мера Дайса")
    assert accepted(question, "Меры Дайса")


def test_negation_before_a_word_is_never_read_as_latin():
    question = spec("He инициализация")
    assert accepted(question, "He инициализация")
    assert not accepted(question, "Не инициализация")  # Cyrillic: «not an initialisation»


# ---------------------------------------------------------------------------------------------
# Brackets: an abbreviation with its expansion


@pytest.mark.parametrize(
    "typed",
    [
        "IoU",
        "Intersection over Union",
        "Intersection over Union (IoU)",
        "IoU (Intersection over Union)",
        "IoU — intersection over union",
    ],
)
def test_an_alias_pair_is_accepted_in_each_form(typed):
    assert accepted(spec("Intersection over Union (IoU)"), typed)


def test_a_student_pair_is_right_only_when_each_side_is():
    question = spec("ReLU", "rectified linear unit")
    assert accepted(question, "Rectified Linear Unit (ReLU)")
    assert accepted(question, "ReLU (rectified linear unit)")
    assert not accepted(question, "ReLU (или сигмоида)")  # a hedge
    assert not accepted(question, "сигмоида (ReLU)")
    assert not accepted(spec("ReLU"), "Rectified Linear Unit (ReLU)")  # expansion not listed


def test_a_clarification_in_brackets_is_not_an_alias():
    question = spec("пороговая функция (ступенька)")
    assert accepted(question, "пороговая функция ступенька")
    assert not accepted(question, "ступенька")  # neither side is an abbreviation


# ---------------------------------------------------------------------------------------------
# Russian word forms


def test_other_forms_of_the_same_words_are_accepted():
    question = spec("исчезающий градиент", "затухание градиента")
    assert accepted(question, "исчезающие градиенты")
    assert accepted(question, "исчезающего градиента")
    assert accepted(question, "затуханием градиентов")
    assert accepted(spec("проблема исчезающего градиента"), "проблемы исчезающих градиентов")


def test_different_words_or_order_are_not_accepted():
    question = spec("затухание градиента")
    assert not accepted(question, "взрыв градиента")
    assert not accepted(question, "градиент затухания")  # word order is kept
    assert not accepted(question, "затухание")
    assert not accepted(question, "затухание градиента и весов")


def test_participles_keep_their_voice():
    # pymorphy3's normal form of both is the verb «обучать/обучить»; they are not one word.
    assert not accepted(spec("обученная сеть"), "обучающая сеть")
    assert accepted(spec("обученная сеть"), "обученной сети")


@pytest.mark.parametrize("raw", ["не затухание градиента", "затухание не градиента", "нет"])
def test_negation_is_never_dropped(raw):
    assert not accepted(spec("затухание градиента"), raw)


def test_normalized_mode_does_not_take_other_word_forms():
    question = spec({"text": "затухание градиента", "match": "normalized"})
    assert accepted(question, "Затухание  градиента.")
    assert not accepted(question, "затухание градиентов")


def test_exact_mode_compares_the_text_as_typed():
    question = spec({"text": "ReLU", "match": "exact"})
    assert accepted(question, "  ReLU ")
    assert not accepted(question, "relu")
    assert not accepted(question, "RеLU")  # Cyrillic «е»: exact means exact


# ---------------------------------------------------------------------------------------------
# Typos


def test_one_typo_in_a_long_word_is_accepted_with_a_message():
    result = verdict(spec("затухание градиента"), "затухание гардиента")
    assert result.correct
    assert "Принято с опечаткой: правильно — «затухание градиента»." in result.feedback


@pytest.mark.parametrize(
    "raw",
    [
        "затухание градеинтов",  # a transposition, in another form of the word
        "затухание градиэнта",  # a substitution
        "затухание градиета",  # a deletion
    ],
)
def test_typo_kinds_count_as_one_edit(raw):
    result = verdict(spec("затухание градиента"), raw)
    assert result.correct and "опечаткой" in result.feedback


def test_a_right_answer_has_no_typo_message():
    assert verdict(spec("затухание градиента"), "затухание градиента").feedback == "Верно."


@pytest.mark.parametrize(
    ("listed", "typed"),
    [
        ("входной слой", "выходной слой"),  # «выходной» is a word of its own, not a slip
        ("затухание градиента", "затухание гардиентаа"),  # two edits
        ("ReLU", "ReLY"),  # a short word
        ("Adam", "AdamW"),  # a short word: another optimiser
        ("strides=3", "strides=4"),  # never in numbers
        ("layer1", "layer2"),  # nor in words with digits
        ("затухание градиента", "затухание градиенты весов"),
    ],
)
def test_no_typo_tolerance_where_it_would_accept_a_wrong_answer(listed, typed):
    assert not accepted(spec(listed), typed)


def test_a_word_of_the_questions_own_answers_is_not_a_typo():
    # «sigmoid» is one edit from «sigmoids», and the question lists it as a typical mistake.
    question = spec(
        "softmoids",
        mistakes=[{"answer": {"value": "sigmoids"}, "feedback": "Это другая функция."}],
    )
    result = verdict(question, "sigmoids")
    assert not result.correct
    assert result.mistake is not None  # the typical mistake is recognised instead
    assert accepted(question, "softmoidz")


def test_typo_tolerance_can_be_turned_off_per_question_and_per_answer():
    assert not accepted(spec("strides=3", typos=False), "stride=3")
    assert accepted(spec("strides=3"), "stride=3")  # on by default
    off = spec({"text": "затухание градиента", "typos": False})
    assert not accepted(off, "затухание гардиента")
    on = spec({"text": "затухание градиента", "typos": True}, typos=False)
    assert accepted(on, "затухание гардиента")


# ---------------------------------------------------------------------------------------------
# Keywords


def test_keywords_accept_any_order_and_form_but_not_negation():
    question = spec({"text": "градиент затухает", "keywords": ["затухать", "градиент"]})
    assert accepted(question, "градиенты затухают")
    assert accepted(question, "градиент затухает")
    assert not accepted(question, "градиент не затухает")
    assert not accepted(question, "градиент взрывается")
    assert not accepted(question, "градиент")


def test_keyword_phrases_stay_together():
    question = spec({"text": "обратное распространение", "keywords": ["обратное распространение"]})
    assert accepted(question, "алгоритм обратного распространения ошибки")
    assert not accepted(question, "распространение обратное")


# ---------------------------------------------------------------------------------------------
# The kind's contract


def test_self_test_holds_with_options():
    question = spec(
        {"text": "ReLU", "match": "exact"},
        {"text": "градиент затухает", "keywords": ["затухать", "градиент"]},
        "затухание градиента",
    )
    assert check_spec(question, samples=1) == []


def test_the_key_lists_the_texts_of_the_answers():
    question = spec({"text": "ReLU", "match": "exact"}, "выпрямитель")
    result = grade(question, None, "сигмоида")
    assert result.expected == ["ReLU", "выпрямитель"]
    assert result.expected_display == "ReLU"


@pytest.mark.parametrize(
    ("answer", "code"),
    [({"text": "x", "match": "fuzzy"}, "bad_match"), ({"match": "exact"}, "no_answer_text")],
)
def test_a_broken_answer_mapping_is_a_spec_error(answer, code):
    with pytest.raises(SpecError) as caught:
        grade(spec(answer), None, "x")
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("raw", "code"), [("   ", "empty"), ("«»", "empty"), ("я" * 301, "too_long")]
)
def test_invalid_input_is_not_a_wrong_answer(raw, code):
    result = grade(spec("ReLU"), None, raw)
    assert result.status == "invalid"
    assert result.error["code"] == code


def test_hostile_input_is_bounded():
    import time

    question = spec("затухание градиента", "исчезающий градиент", "vanishing gradient")
    hostile = [
        "градиент " * 33,
        "(" * 150 + ")" * 150,
        "ХОR" * 100,
        "а-" * 150,
        "\u0301" * 300,
        "(IoU) " * 50,
    ]
    start = time.monotonic()
    for raw in hostile:
        result = grade(question, None, raw)
        assert not result.correct
    assert time.monotonic() - start < 5


def test_redundant_pairs_name_answers_the_matcher_already_covers():
    question = spec(
        "затухание градиента",
        "Затухание градиентов",  # another form
        "IoU (intersection over union)",
        "intersection-over-union",  # one side of the pair
        {"text": "ReLU", "match": "exact"},
        "relu",  # the exact one does not cover it
        "ReLU",
    )
    assert redundant_pairs(question) == [
        ("затухание градиента", "Затухание градиентов"),
        ("IoU (intersection over union)", "intersection-over-union"),
        ("relu", "ReLU"),
    ]
    assert redundant_pairs(spec("затухание градиента", "взрыв градиента")) == []


def test_the_morphological_analyser_is_loaded_once():
    short_text._morph()
    first = short_text._MORPH
    accepted(spec("затухание градиента"), "затуханий градиентов")
    assert short_text._MORPH is first is not None
