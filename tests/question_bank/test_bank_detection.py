"""The «Детекция и сегментация» bank (question_bank/banks/11-detection.yaml).

Default variants are checked against hand-computed keys; seed corrections are named
test_seed_correction_*.
"""

import json

import numpy as np
import pytest

import grader
from tests.question_bank.banks import graders, load, spec_of

BANK = "11-detection"


grade, _ = graders(BANK)


# (slug, right answer as a student types it, wrong answer, id of the typical mistake it matches)
DEFAULTS = [
    ("iou-boxes", "0,2308", "0,1875", "sum_of_areas"),  # 6 / 26; 6 / 32
    ("iou-boxes", "6/26", "0,375", "over_one_box"),  # 6 / 16
    ("iou-max-shift", "3", "5", "over_one_box"),  # (10 − d)/(10 + d) ≥ 0.5 ⇔ d ≤ 3.33
    ("precision-detector", "0,75", "0,6", "recall_instead"),  # 18/24; 18/30
    ("recall-detector", "0,6", "0,75", "precision_instead"),  # 30/50; 30/40
    ("f1-detector", "0,6154", "0,65", "arithmetic_mean"),  # 16/26; (0.8 + 0.5)/2
    ("ap-all-point", "0,625", "0,6042", "no_envelope"),  # (1 + .75 + .75)/4; (1 + 2/3 + 3/4)/4
    ("ap-voc11", "0,6545", "0,65", "all_point"),  # (6·1 + 2·0.6)/11; (1 + 1 + 0.6)/4
    ("ap-coco101", "0,7525", "0,75", "all_point"),  # (51·1 + 50·0.5)/101
    ("yolo-output-size", "1470", "2450", "classes_per_box"),  # 7·7·30; 7·7·2·25
    ("yolo-output-size", "1470", "1225", "one_box"),  # 7·7·25
    ("anchors-count", "17100", "11400", "sum_not_product"),  # 38·50·9; 38·50·6
    ("dice-pixels", "0,6667", "0,5", "jaccard_instead"),  # 600/900; 300/600
    ("jaccard-pixels", "0,5", "0,6667", "dice_instead"),
    ("dice-from-jaccard", "0,6667", "1", "approx_2j"),  # 2·0.5/1.5
    ("jaccard-from-dice", "0,6667", "0,4", "half"),  # 0.8/1.2
    # classification metrics: 12/30 and 1900/1950 averaged; accuracy 1912/1980
    ("balanced-accuracy", "0,6872", "0,9657", "plain_accuracy"),
    ("fpr-confusion", "0,1", "1/3", "fdr"),  # 40/400; 40/120
    ("fpr-confusion", "40/400", "0,9", "specificity"),  # 360/400
    ("precision-at-prevalence", "0,1538", "0,9474", "no_prevalence"),  # .009/.0585; .9/.95
    # positives .9 .6 .4 against negatives .7 .4 .3 .1: 4 + 3 + 2.5 of 12 pairs, one tie
    ("roc-auc-scores", "9,5/12", "9/12", "ties_zero"),
    ("roc-auc-scores", "0,7917", "10/12", "ties_one"),
    ("roc-auc-scores", "0,792", "2,5/12", "inverted"),
    ("roc-auc-scores", "0,7917", "9,5/21", "all_pairs"),
    # ranking 1 0 1 1 0 0 1 0: 4 + 3 + 3 + 1 = 11 of 4·4 pairs
    ("roc-auc-ranking", "11/16", "5/16", "inverted"),
    ("roc-auc-ranking", "0,6875", "11/28", "all_pairs"),
    ("f-beta", "200/330", "0,6667", "f1_instead"),  # 5·40/(5·40 + 4·30 + 10); 80/120
    ("f-beta", "0,6061", "0,7407", "beta_swapped"),  # β² on recall: 2.2857/(4·0.5714 + 0.8)
]


@pytest.mark.parametrize("slug, right, wrong, mistake", DEFAULTS)
def test_default_variant(slug, right, wrong, mistake):
    assert grade(slug, right).correct
    result = grade(slug, wrong)
    assert not result.correct
    assert result.mistake["id"] == mistake


def test_map_two_classes_default():
    # cat: D1 (0.9, IoU 0.82) TP, D3 (0.8, IoU 0.67) TP, D2 (0.75) duplicate → AP 1;
    # dog: D5 (0.7) on the cat → FP, D4 (0.6, IoU 0.67) TP → AP 0.5; mAP 0.75
    assert grade("map-two-classes", "0,75").correct
    assert not grade("map-two-classes", "1").correct


def test_nms_default():
    # IoU(B1, B2) = 72/128 = 0.5625 > 0.5 → B2 removed; IoU(B1, B3) = 1/3 → B3 kept
    assert grade("nms-keep", "[1; 0; 1]").correct
    assert not grade("nms-keep", "[1; 1; 1]").correct


def test_dice_formula():
    assert grade("dice-via-jaccard-formula", "2*J/(1+J)").correct
    assert grade("dice-via-jaccard-formula", "2*J").mistake["id"] == "approx_2j"


def test_ap_coco_solution_matches_engine():
    # the worked solution's 51/50 split reproduces pycocotools' 101-point average
    spec = spec_of(BANK, "ap-coco101")
    for seed in range(10):
        v = grader.variant(spec, seed).values
        assert abs((51 * v["e_first"] + 50 * v["e_second"]) / 101 - v["ap"]) < 1e-9


def test_seed_correction_wrong_class_is_fp():
    # 003 says a box with IoU ≥ 0.5 but a wrong class is an FN; it is an FP of the predicted class
    spec = spec_of(BANK, "tp-fp-rules")
    texts = [o["text"] for o in spec["options"]]
    right = [i for i, o in enumerate(spec["options"]) if o["correct"]]
    seed_claim = texts.index("Рамка с неверным классом — FN, а не FP.")
    assert seed_claim not in right
    assert grade("tp-fp-rules", ",".join(map(str, right))).correct


def test_seed_correction_precision_is_not_iou():
    # 003: «Precision и recall можно найти как IoU между истинным и выходным рамками» — wrong
    assert grade("iou-vs-precision", "0").correct
    assert not grade("iou-vs-precision", "1").correct


def test_seed_correction_rcnn_cnn_is_finetuned():
    # 003: «сверточную сеть мы вовсе или практически не обучаем» — R-CNN fine-tunes its CNN
    spec = spec_of(BANK, "rcnn-drawbacks")
    claim = next(i for i, o in enumerate(spec["options"]) if "совсем не обучается" in o["text"])
    assert not spec["options"][claim]["correct"]
    assert grade("rcnn-drawbacks", "0,1,2").correct


def test_seed_correction_yolo_boxes_per_cell():
    # 003 describes 5 + C numbers per cell (one box); YOLO v1 has B boxes: S·S·(5B + C)
    assert grade("yolo-output-size", "1470").correct
    assert grade("yolo-output-size", "1225").mistake["id"] == "one_box"


def test_roc_point_default_by_hand():
    # scores 0.95 … 0.1, labels 1 1 0 1 0 1 0 0, threshold 0.4: the top five are positive,
    # TP = 3 of P = 4, FP = 2 of N = 4
    spec = spec_of(BANK, "roc-point")
    v = grader.variant(spec, None).values
    scores, labels = np.array(v["s"]), np.array(v["h"])
    predicted = scores >= v["t"]
    fpr = np.sum(predicted & (labels == 0)) / np.sum(labels == 0)
    tpr = np.sum(predicted & (labels == 1)) / np.sum(labels == 1)
    assert (fpr, tpr) == (0.5, 0.75)
    assert grade("roc-point", "[0,5; 0,75]").correct
    assert grade("roc-point", "[0,75; 0,5]").mistake["id"] == "swapped"
    assert grade("roc-point", "[0,4; 0,75]").mistake["id"] == "fdr_as_fpr"  # FP/(TP + FP) = 2/5


def test_roc_point_on_other_seeds():
    spec = spec_of(BANK, "roc-point")
    for seed in range(20):
        v = grader.variant(spec, seed).values
        labels = np.array(v["h"])
        predicted = np.array(v["s"]) >= v["t"]
        fpr = np.sum(predicted & (labels == 0)) / np.sum(labels == 0)
        tpr = np.sum(predicted & (labels == 1)) / np.sum(labels == 1)
        assert grade("roc-point", f"[{float(fpr)!r}; {float(tpr)!r}]", seed).correct


def test_precision_at_prevalence_matches_counts():
    # 100 000 people: 1 000 ill, 900 found; 99 000 healthy, 4 950 false alarms
    assert grade("precision-at-prevalence", repr(900 / (900 + 4950))).correct


def _auc_by_pairs(positives, negatives):
    pairs = [(p > n) + 0.5 * (p == n) for p in positives for n in negatives]
    return sum(pairs) / len(pairs)


def test_roc_auc_keys_by_counting_pairs():
    spec = spec_of(BANK, "roc-auc-scores")
    for seed in [None, *range(20)]:
        v = grader.variant(spec, seed).values
        assert any(p == n for p in v["pos"] for n in v["neg"])  # every variant has a tie
        assert grade("roc-auc-scores", repr(_auc_by_pairs(v["pos"], v["neg"])), seed).correct
    spec = spec_of(BANK, "roc-auc-ranking")
    for seed in [None, *range(20)]:
        labels = grader.variant(spec, seed).values["h"]
        rank = range(len(labels), 0, -1)  # the first object has the highest score
        positives = [r for r, y in zip(rank, labels, strict=True) if y == 1]
        negatives = [r for r, y in zip(rank, labels, strict=True) if y == 0]
        assert grade("roc-auc-ranking", repr(_auc_by_pairs(positives, negatives)), seed).correct


def test_f_beta_by_counts():
    # F_β = (1 + β²)·TP / ((1 + β²)·TP + β²·FN + FP), the count form of the same measure
    spec = spec_of(BANK, "f-beta")
    for seed in [None, *range(15)]:
        v = grader.variant(spec, seed).values
        b2 = v["beta"] ** 2
        f = (1 + b2) * v["tp"] / ((1 + b2) * v["tp"] + b2 * v["fn"] + v["fp"])
        assert grade("f-beta", repr(f), seed).correct


def _matching(*answers):
    return json.dumps({str(i): str(a) for i, a in enumerate(answers)})


def test_classifier_theory_keys():
    assert grade("roc-axes", "0").correct and not grade("roc-axes", "1").correct
    assert grade("auc-random-classifier", "0").correct
    assert grade("auc-properties", "0,1,2").correct
    assert grade("auc-properties", "0,1,2,4").score < 1  # ROC-AUC does not follow the class share
    assert grade("accuracy-paradox", "0").correct and not grade("accuracy-paradox", "1").correct
    assert grade("pr-vs-roc-imbalance", "0").correct
    assert grade("clf-metric-formulas", _matching(0, 1, 2, 3, 4)).correct
    fdr = grade("clf-metric-formulas", _matching(0, 1, 5, 3, 4))
    assert not fdr.correct and fdr.mistake["id"] == "fpr_is_fdr"


def test_bank_shape():
    bank = load(BANK)
    topics = {t["slug"] for t in bank["topics"]}
    assert 2 <= len(topics) <= 6
    slugs = [q["slug"] for q in bank["questions"]]
    assert len(slugs) == len(set(slugs))
    assert all(q["topic"] in topics for q in bank["questions"])
