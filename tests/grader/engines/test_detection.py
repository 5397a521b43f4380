"""Unit tests of grader.engines.detection: hand-computed values, conventions, refused arguments."""

import pytest

from grader.engines import detection
from grader.engines.registry import compute
from grader.errors import EngineError


def error(name, **args) -> EngineError:
    with pytest.raises(EngineError) as info:
        compute(name, **args)
    return info.value


# --- iou --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([0, 0, 2, 2], [1, 1, 3, 3], 1 / 7),
        ([0, 0, 2, 2], [0, 0, 2, 2], 1.0),
        ([0, 0, 4, 4], [1, 1, 2, 2], 1 / 16),
        ([0, 0, 1, 1], [2, 2, 3, 3], 0.0),
        ([0, 0, 1, 1], [1, 0, 2, 1], 0.0),  # touching: no "+1 pixel"
        ([0.5, 0.5, 1.5, 2.5], [1.0, 0.0, 2.0, 2.0], 0.75 / (2 + 2 - 0.75)),
        ([0, 0, 0, 5], [0, 0, 2, 5], 0.0),  # zero-area box
        ([1, 1, 1, 1], [1, 1, 1, 1], 0.0),  # empty union: defined as 0
    ],
)
def test_iou(a, b, expected):
    assert compute("iou", box_a=a, box_b=b) == pytest.approx(expected, rel=1e-12, abs=0)
    assert compute("iou", box_a=b, box_b=a) == pytest.approx(expected, rel=1e-12, abs=0)


@pytest.mark.parametrize(
    ("args", "code", "arg"),
    [
        ({"box_a": [2, 0, 1, 1], "box_b": [0, 0, 1, 1]}, "degenerate_box", "box_a"),
        ({"box_a": [0, 0, 1, 1], "box_b": [0, 1, 1, 0]}, "degenerate_box", "box_b"),
        ({"box_a": [0, 0, 1], "box_b": [0, 0, 1, 1]}, "bad_arg", "box_a"),
        ({"box_a": [[0, 0, 1, 1]], "box_b": [0, 0, 1, 1]}, "bad_arg", "box_a"),
        ({"box_a": [0, 0, 1, float("nan")], "box_b": [0, 0, 1, 1]}, "bad_arg", "box_a"),
        ({"box_a": "0 0 1 1", "box_b": [0, 0, 1, 1]}, "bad_arg", "box_a"),
        ({"box_a": [0, 0, 1, 1e13], "box_b": [0, 0, 1, 1]}, "too_large", "box_a"),
    ],
)
def test_iou_bad_args(args, code, arg):
    err = error("iou", **args)
    assert (err.code, err.arg) == (code, arg)


# --- detection_map ----------------------------------------------------------------------------


def gt(image, box, cls="cat"):
    return {"image": image, "class": cls, "box": box}


def det(image, box, score, cls="cat"):
    return {"image": image, "class": cls, "box": box, "score": score}


BOX = [0, 0, 10, 10]
FAR = [50, 50, 60, 60]
ALL = ("coco-101", "all-point", "voc-11")


def ap(gts, dets, interpolation, **kw):
    return compute(
        "detection_map", ground_truths=gts, detections=dets, interpolation=interpolation, **kw
    )


@pytest.mark.parametrize("interpolation", ALL)
def test_map_perfect(interpolation):
    gts = [gt(1, BOX), gt(2, [5, 5, 20, 30]), gt(2, BOX, cls="dog")]
    dets = [det(1, BOX, 0.9), det(2, [5, 5, 20, 30], 0.3), det(2, BOX, 0.5, cls="dog")]
    # COCO divides by tp + fp + eps: 1 − 2.2e-16 rather than 1
    assert ap(gts, dets, interpolation) == pytest.approx(1.0, rel=1e-12)


def test_map_one_hit_one_miss():
    gts = [gt(1, BOX), gt(2, BOX)]
    dets = [det(1, [0, 0, 10, 9], 0.9), det(2, FAR, 0.8)]
    # precision 1 up to recall 0.5: 51 of 101 COCO recall points, 6 of 11 VOC2007 points
    assert ap(gts, dets, "coco-101") == pytest.approx(51 / 101, rel=1e-12)
    assert ap(gts, dets, "all-point") == 0.5
    assert ap(gts, dets, "voc-11") == pytest.approx(6 / 11, rel=1e-12)
    assert ap(gts, dets, "coco-101", iou_threshold=0.95) == 0.0


def test_map_no_detections_and_missing_class():
    gts = [gt(1, BOX), gt(1, BOX, cls="dog")]
    for interpolation in ALL:
        assert ap(gts, [], interpolation) == 0.0
        # "dog" has ground truth but no detection: AP 0, mAP halves
        assert ap(gts, [det(1, BOX, 0.5)], interpolation) == pytest.approx(0.5, rel=1e-12)
        # detections of a class without ground truth are ignored
        dets = [det(1, BOX, 0.5), det(1, BOX, 0.5, cls="dog"), det(1, BOX, 0.9, cls="bird")]
        assert ap(gts, dets, interpolation) == pytest.approx(1.0, rel=1e-12)


def test_map_iou_threshold_is_inclusive():
    gts = [gt(1, [0, 0, 2, 1])]
    dets = [det(1, [0, 0, 1, 1], 0.5)]  # IoU exactly 1/2
    for interpolation in ALL:
        assert ap(gts, dets, interpolation) == pytest.approx(1.0, rel=1e-12)
        assert ap(gts, dets, interpolation, iou_threshold=0.51) == 0.0
    assert ap([gt(1, BOX)], [det(1, BOX, 1)], "coco-101", iou_threshold=1) == pytest.approx(1.0)


def test_map_matching_coco_falls_back_voc_does_not():
    gts = [gt(1, [0, 0, 10, 10]), gt(1, [5, 0, 15, 10])]
    # the second detection overlaps the taken first box best (2/3) and the free one by 7/13
    dets = [det(1, [0, 0, 10, 10], 0.9), det(1, [2, 0, 12, 10], 0.8)]
    assert ap(gts, dets, "coco-101") == pytest.approx(1.0, rel=1e-12)
    assert ap(gts, dets, "all-point") == 0.5


def test_map_score_ties():
    gts = [gt(1, BOX), gt(2, BOX)]
    hit_1, miss_2 = det(1, BOX, 0.5), det(2, FAR, 0.5)
    hit_2, miss_1 = det(2, BOX, 0.5), det(1, FAR, 0.5)
    # COCO orders equal scores by image label first, whatever the given order
    assert ap(gts, [miss_2, hit_1], "coco-101") == pytest.approx(51 / 101, rel=1e-12)
    assert ap(gts, [hit_2, miss_1], "coco-101") == pytest.approx(25.5 / 101, rel=1e-12)
    # VOC keeps the given order for equal scores
    assert ap(gts, [hit_1, miss_2], "all-point") == 0.5
    assert ap(gts, [miss_2, hit_1], "all-point") == 0.25


def test_map_coco_keeps_100_detections_per_image():
    gts = [gt(1, BOX)]
    dets = [det(1, FAR, 0.9) for _ in range(100)] + [det(1, BOX, 0.1)]
    assert ap(gts, dets, "coco-101") == 0.0
    assert ap(gts, dets, "all-point") == pytest.approx(1 / 101, rel=1e-12)


def test_map_voc11_thresholds_are_exact():
    # recall reaches exactly 3/10 with precision 1: thresholds 0, 0.1, 0.2 and 0.3 count
    # (np.arange(0, 1.1, 0.1)[3] is 0.30000000000000004 and would miss the last one)
    gts = [gt(i, BOX) for i in range(10)]
    dets = [det(i, BOX, 1 - i / 10) for i in range(3)]
    assert ap(gts, dets, "voc-11") == pytest.approx(4 / 11, rel=1e-12)


def test_map_integer_and_string_labels():
    gts = [gt(10, BOX, cls=1), gt(2, BOX, cls=1)]
    dets = [det(10, BOX, 0.5, cls=1), det(2, FAR, 0.5, cls=1)]
    # images sorted numerically: 2 (miss) before 10 (hit)
    assert ap(gts, dets, "coco-101") == pytest.approx(25.5 / 101, rel=1e-12)


@pytest.mark.parametrize(
    ("args", "code", "arg"),
    [
        ({"ground_truths": [], "detections": []}, "no_ground_truth", "ground_truths"),
        ({"interpolation": "voc-12"}, "bad_arg", "interpolation"),
        ({"iou_threshold": 0}, "bad_arg", "iou_threshold"),
        ({"iou_threshold": 1.5}, "bad_arg", "iou_threshold"),
        ({"detections": [{"image": 1, "class": "cat", "box": BOX}]}, "bad_arg", "detections[0]"),
        ({"ground_truths": [det(1, BOX, 0.5)]}, "bad_arg", "ground_truths[0]"),
        ({"detections": [det(1, [5, 0, 1, 1], 0.5)]}, "degenerate_box", "detections[0].box"),
        ({"detections": [det(1, [0, 0, 1], 0.5)]}, "bad_arg", "detections[0].box"),
        ({"detections": [det(1, BOX, "high")]}, "bad_arg", "detections[0].score"),
        ({"detections": [det(1, BOX, float("inf"))]}, "bad_arg", "detections[0].score"),
        ({"detections": [det(None, BOX, 0.5)]}, "bad_arg", "detections[0].image"),
        ({"detections": [det(1, BOX, 0.5, cls=True)]}, "bad_arg", "detections[0].class"),
        ({"detections": [det("a", BOX, 0.5)]}, "mixed_labels", "detections"),
        ({"ground_truths": [gt(1, BOX), gt("a", BOX)]}, "mixed_labels", "ground_truths"),
        ({"detections": [det(1, [0, 0, 2e5, 1], 0.5)]}, "too_large", "detections[0].box"),
        ({"detections": [det(1, BOX, 0.5)] * 1001}, "too_large", "detections"),
        ({"ground_truths": "boxes"}, "bad_arg", "ground_truths"),
    ],
)
def test_map_bad_args(args, code, arg):
    full = {"ground_truths": [gt(1, BOX)], "detections": [det(1, BOX, 0.5)], **args}
    err = error("detection_map", **full)
    assert (err.code, err.arg) == (code, arg)


# --- precision_recall_f1 / dice_jaccard -------------------------------------------------------


def test_precision_recall_f1():
    assert compute("precision_recall_f1", tp=8, fp=2, fn=8) == {
        "precision": 0.8,
        "recall": 0.5,
        "f1": 16 / 26,
    }
    zero = {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert compute("precision_recall_f1", tp=0, fp=0, fn=0) == zero
    assert compute("precision_recall_f1", tp=0, fp=5, fn=0) == zero
    assert compute("precision_recall_f1", tp=0, fp=0, fn=5) == zero
    assert compute("precision_recall_f1", tp=3, fp=0, fn=0) == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
    }
    # F1 is the harmonic mean of precision and recall
    p, r = 7 / 10, 7 / 12
    f1 = compute("precision_recall_f1", tp=7, fp=3, fn=5)["f1"]
    assert f1 == pytest.approx(2 * p * r / (p + r), rel=1e-12)


def test_dice_jaccard():
    assert compute("dice_jaccard", tp=30, fp=10, fn=20) == {"dice": 60 / 90, "jaccard": 0.5}
    assert compute("dice_jaccard", tp=0, fp=0, fn=0) == {"dice": 1.0, "jaccard": 1.0}
    assert compute("dice_jaccard", tp=0, fp=3, fn=0) == {"dice": 0.0, "jaccard": 0.0}
    out = detection.dice_jaccard(tp=13, fp=4, fn=9)
    assert out["dice"] == pytest.approx(2 * out["jaccard"] / (1 + out["jaccard"]), rel=1e-12)


@pytest.mark.parametrize("name", ["precision_recall_f1", "dice_jaccard"])
@pytest.mark.parametrize(
    ("args", "arg"),
    [
        ({"tp": -1, "fp": 0, "fn": 0}, "tp"),
        ({"tp": 1, "fp": 1.5, "fn": 0}, "fp"),
        ({"tp": 1, "fp": 0, "fn": True}, "fn"),
        ({"tp": 1, "fp": 0, "fn": "2"}, "fn"),
    ],
)
def test_counts_bad_args(name, args, arg):
    err = error(name, **args)
    assert (err.code, err.arg) == ("bad_arg", arg)


# --- nms --------------------------------------------------------------------------------------

A, B, C = [0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]  # IoU(A, B) = 81/119 ≈ 0.68


@pytest.mark.parametrize(
    ("boxes", "scores", "threshold", "expected"),
    [
        ([A, B, C], [0.9, 0.8, 0.7], 0.5, [0, 2]),
        ([A, B, C], [0.7, 0.8, 0.9], 0.5, [2, 1]),  # kept in descending score order
        ([A, B, C], [0.9, 0.8, 0.7], 0.7, [0, 1, 2]),  # 0.68 is not above 0.7
        ([A, B, C], [0.9, 0.8, 0.7], 81 / 119, [0, 1, 2]),  # strictly greater suppresses
        ([A, B], [0.5, 0.5], 0.5, [0]),  # equal scores: the earlier box wins
        ([B, A], [0.5, 0.5], 0.5, [0]),
        ([A, A], [0.1, 0.2], 1.0, [1, 0]),  # threshold 1 suppresses nothing
        ([A, [10, 0, 20, 10]], [0.9, 0.8], 0.0, [0, 1]),  # touching boxes: IoU 0
        ([A, [5, 5, 5, 9]], [0.9, 0.8], 0.0, [0, 1]),  # zero-area box: IoU 0
        ([A, [9, 9, 12, 12]], [0.9, 0.8], 0.0, [0]),  # threshold 0: any overlap suppresses
        ([], [], 0.5, []),
    ],
)
def test_nms(boxes, scores, threshold, expected):
    assert compute("nms", boxes=boxes, scores=scores, iou_threshold=threshold) == expected


def test_nms_suppressed_box_does_not_suppress():
    # IoU(A, B) = IoU(B, D) = 70/130 > 0.5, IoU(A, D) = 40/160: B goes, so D stays
    b, d = [3, 0, 13, 10], [6, 0, 16, 10]
    assert detection.nms(boxes=[A, b, d], scores=[0.9, 0.8, 0.7], iou_threshold=0.5) == [0, 2]


def test_batched_nms_suppresses_within_a_class_only():
    boxes, scores = [A, B, C], [0.9, 0.8, 0.95]
    assert compute("nms", boxes=boxes, scores=scores, iou_threshold=0.5) == [2, 0]
    kept = compute("nms", boxes=boxes, scores=scores, iou_threshold=0.5, classes=[1, 2, 1])
    assert kept == [2, 0, 1]
    kept = compute("nms", boxes=boxes, scores=scores, iou_threshold=0.5, classes=["a", "a", "b"])
    assert kept == [2, 0]


@pytest.mark.parametrize(
    ("args", "code", "arg"),
    [
        ({"boxes": [A], "scores": [0.1, 0.2], "iou_threshold": 0.5}, "length_mismatch", "scores"),
        (
            {"boxes": [[2, 0, 1, 1]], "scores": [0.1], "iou_threshold": 0.5},
            "degenerate_box",
            "boxes[0]",
        ),
        ({"boxes": [A], "scores": [0.1], "iou_threshold": 1.5}, "bad_arg", "iou_threshold"),
        ({"boxes": [A], "scores": [0.1], "iou_threshold": -0.1}, "bad_arg", "iou_threshold"),
        ({"boxes": [A], "scores": ["x"], "iou_threshold": 0.5}, "bad_arg", "scores[0]"),
        ({"boxes": A, "scores": [0.1] * 4, "iou_threshold": 0.5}, "bad_arg", "boxes[0]"),
        ({"boxes": "A", "scores": [0.1], "iou_threshold": 0.5}, "bad_arg", "boxes"),
        (
            {"boxes": [A], "scores": [0.1], "iou_threshold": 0.5, "classes": [1, 2]},
            "length_mismatch",
            "classes",
        ),
        (
            {"boxes": [A, B], "scores": [0.1, 0.2], "iou_threshold": 0.5, "classes": [1, "a"]},
            "mixed_labels",
            "classes",
        ),
        ({"boxes": [A] * 1001, "scores": [0.1] * 1001, "iou_threshold": 0.5}, "too_large", "boxes"),
    ],
)
def test_nms_bad_args(args, code, arg):
    err = error("nms", **args)
    assert (err.code, err.arg) == (code, arg)
