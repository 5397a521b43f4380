"""Detection: IoU of boxes, non-maximum suppression, mean average precision, P/R/F1, Dice.

Conventions followed:

* Boxes are ``[x1, y1, x2, y2]`` in continuous coordinates (no "+1 pixel"), as
  ``torchvision.ops.box_iou``; a box with x2 < x1 or y2 < y1 is refused (code ``degenerate_box``),
  a box of zero width or height is allowed and overlaps nothing.
* ``nms`` is ``torchvision.ops.nms`` (``batched_nms`` when classes are given): a box is suppressed
  when its IoU with a kept, higher-ranked box is strictly greater than the threshold; details in
  :func:`nms`.
* ``detection_map`` with ``interpolation="coco-101"`` reproduces ``pycocotools`` ``COCOeval``
  (bbox, one IoU threshold, area range "all", maxDets 100); ``"all-point"`` and ``"voc-11"``
  reproduce the PASCAL VOC devkit (VOC2010+ and VOC2007 average precision) except that IoU is
  computed in continuous coordinates. Details are in :func:`detection_map`.
* ``precision_recall_f1`` sets 0/0 to 0 (scikit-learn ``zero_division=0``); ``dice_jaccard`` sets
  0/0 to 1 (an empty prediction of an empty mask is perfect, the usual segmentation convention).
"""

from __future__ import annotations

import math

import numpy as np

from grader.engines._args import as_array, as_choice, as_float, as_int, as_records, fail
from grader.engines.registry import engine
from grader.i18n import _

__all__ = ["iou", "nms", "detection_map", "precision_recall_f1", "dice_jaccard"]

MAX_COORD = 1e12  # keeps areas finite
MAX_BOXES = 1000  # matching is quadratic per image and class
# COCOeval's area range "all" is [0, 1e5²]: bounding the sides keeps every box inside it, so no box
# is silently ignored by area.
MAX_SIDE = 1e5
COCO_MAX_DETS = 100
INTERPOLATIONS = ("coco-101", "all-point", "voc-11")


def _box(arg: str, value) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = (float(v) for v in as_array(arg, value, shape=(4,)))
    if max(abs(x1), abs(y1), abs(x2), abs(y2)) > MAX_COORD:
        fail(
            arg,
            _("координаты по модулю должны быть не больше %(max_coord)s")
            % {"max_coord": format(MAX_COORD, "g")},
            "too_large",
        )
    if x2 < x1 or y2 < y1:
        fail(
            arg,
            _("ожидался [x1, y1, x2, y2] с x1 ≤ x2 и y1 ≤ y2, получено %(list)s")
            % {"list": list(value)},
            "degenerate_box",
        )
    return x1, y1, x2, y2


def _iou_xyxy(a, b) -> float:
    """torchvision.ops.box_iou's arithmetic; 0 when the union has zero area."""
    area_a = (a[2] - a[0]) * (a[3] - a[1])
    area_b = (b[2] - b[0]) * (b[3] - b[1])
    w = max(min(a[2], b[2]) - max(a[0], b[0]), 0.0)
    h = max(min(a[3], b[3]) - max(a[1], b[1]), 0.0)
    inter = w * h
    union = area_a + area_b - inter
    return inter / union if union > 0 else 0.0


@engine("iou")
def iou(*, box_a, box_b) -> float:
    """Intersection over union of two boxes [x1, y1, x2, y2] (``torchvision.ops.box_iou``).

    Continuous coordinates: area = (x2 − x1)(y2 − y1), no "+1". Disjoint or touching boxes give 0.
    When both boxes have zero area the union is empty: the answer is then 0.0 (torchvision would
    give NaN; pycocotools gives 0 too).

    >>> iou(box_a=[0, 0, 2, 2], box_b=[1, 1, 3, 3])
    0.14285714285714285
    >>> iou(box_a=[0, 0, 1, 1], box_b=[2, 2, 3, 3])
    0.0
    """
    return _iou_xyxy(_box("box_a", box_a), _box("box_b", box_b))


def _nms_order(scores: list[float]) -> list[int]:
    """Indices by descending score; equal scores keep ascending index order (see ``nms``)."""
    return sorted(range(len(scores)), key=lambda i: -scores[i])


def _nms_greedy(boxes, order: list[int], threshold: float) -> list[int]:
    """torchvision's nms_kernel loop over the boxes in ``order``."""
    suppressed = set()
    keep = []
    for pos, i in enumerate(order):
        if i in suppressed:
            continue
        keep.append(i)
        for j in order[pos + 1 :]:
            if j not in suppressed and _iou_xyxy(boxes[i], boxes[j]) > threshold:
                suppressed.add(j)
    return keep


@engine("nms")
def nms(*, boxes, scores, iou_threshold, classes=None) -> list[int]:
    """Indices of the boxes non-maximum suppression keeps (``torchvision.ops.nms``).

    Boxes are [x1, y1, x2, y2] (continuous coordinates, as ``iou``), one score each. The boxes are
    visited by descending score; each box not yet suppressed is kept and suppresses every later box
    whose IoU with it is strictly greater than ``iou_threshold`` (so a threshold of 1 suppresses
    nothing, and 0 suppresses every box that overlaps a kept one with positive area; boxes that
    only touch, or have zero area, have IoU 0 and are never suppressed). The answer lists the
    kept indices (0-based, as torchvision) by descending score.

    Equal scores: torchvision sorts with ``scores.sort(0, descending=True)``, which on CPU keeps
    equal scores in ascending index order; so does this engine, and that is the order a student
    expects (the earlier box wins the tie). With ``classes`` (one integer or string label per box)
    suppression happens only within a class (``torchvision.ops.batched_nms``) and the kept indices
    of all classes are merged by descending score, ties again by index. Arithmetic is float64, as
    torchvision with float64 tensors. No boxes give an empty list.

    >>> nms(boxes=[[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]],
    ...     scores=[0.9, 0.8, 0.7], iou_threshold=0.5)
    [0, 2]
    >>> nms(boxes=[[0, 0, 10, 10], [1, 1, 11, 11]], scores=[0.8, 0.9], iou_threshold=0.5,
    ...     classes=["cat", "dog"])
    [1, 0]
    """
    threshold = as_float("iou_threshold", iou_threshold, min=0.0, max=1.0)
    if not isinstance(boxes, (list, tuple)):
        fail("boxes", _("ожидался список рамок [x1, y1, x2, y2]"))
    if not isinstance(scores, (list, tuple)):
        fail("scores", _("ожидался список уверенностей, по одной на рамку"))
    if len(boxes) > MAX_BOXES:
        fail(
            "boxes",
            _("слишком много рамок (%(n_boxes)s), допустимо не больше %(max_boxes)s")
            % {"n_boxes": len(boxes), "max_boxes": MAX_BOXES},
            "too_large",
        )
    if len(scores) != len(boxes):
        fail(
            "scores",
            _("число уверенностей (%(n_scores)s) не совпадает с числом рамок (%(n_boxes)s)")
            % {"n_scores": len(scores), "n_boxes": len(boxes)},
            "length_mismatch",
        )
    clean = [_box(f"boxes[{i}]", b) for i, b in enumerate(boxes)]
    conf = [as_float(f"scores[{i}]", s) for i, s in enumerate(scores)]
    order = _nms_order(conf)
    if classes is None:
        return _nms_greedy(clean, order, threshold)
    if not isinstance(classes, (list, tuple)) or len(classes) != len(boxes):
        fail("classes", _("ожидался список меток классов, по одной на рамку"), "length_mismatch")
    labels = [_label(f"classes[{i}]", c) for i, c in enumerate(classes)]
    _sorted_labels("classes", labels)
    kept = set()
    for cls in set(labels):
        mine = [i for i in order if labels[i] == cls]
        kept.update(_nms_greedy(clean, mine, threshold))
    return [i for i in order if i in kept]


def _label(arg: str, value):
    if isinstance(value, bool) or not isinstance(value, (int, str)) or value == "":
        fail(
            arg,
            (_("ожидалось целое число или непустая строка, получено %(value)r") % {"value": value})[
                :200
            ],
        )
    return value


def _sorted_labels(arg: str, values: list):
    """Image/class labels sorted as pycocotools sorts its ids; ints and strings are not mixed."""
    kinds = {isinstance(v, str) for v in values}
    if len(kinds) > 1:
        fail(
            arg,
            _("метки изображений и классов должны быть либо все числами, либо все строками"),
            "mixed_labels",
        )
    return sorted(set(values))


def _records(arg: str, value, required: tuple[str, ...]) -> list[dict]:
    if isinstance(value, (list, tuple)) and len(value) > MAX_BOXES:
        fail(
            arg,
            _("слишком много рамок (%(n_value)s), допустимо не больше %(max_boxes)s")
            % {"n_value": len(value), "max_boxes": MAX_BOXES},
            "too_large",
        )
    records = as_records(arg, value, required=required)
    clean = []
    for i, rec in enumerate(records):
        item = {
            "image": _label(f"{arg}[{i}].image", rec["image"]),
            "class": _label(f"{arg}[{i}].class", rec["class"]),
            "box": _box(f"{arg}[{i}].box", rec["box"]),
        }
        x1, y1, x2, y2 = item["box"]
        # pycocotools works on [x, y, w, h]; its rounding is reproduced from these numbers.
        item["xywh"] = (x1, y1, x2 - x1, y2 - y1)
        if max(item["xywh"][2:]) > MAX_SIDE:
            fail(
                f"{arg}[{i}].box",
                _("ширина и высота рамки должны быть не больше %(max_side)s")
                % {"max_side": format(MAX_SIDE, "g")},
                "too_large",
            )
        if "score" in rec:
            item["score"] = as_float(f"{arg}[{i}].score", rec["score"])
        clean.append(item)
    return clean


def _coco_iou(d, g) -> float:
    """pycocotools maskApi.c ``bbIou`` on [x, y, w, h] boxes (non-crowd)."""
    w = min(d[2] + d[0], g[2] + g[0]) - max(d[0], g[0])
    if w <= 0:
        return 0.0
    h = min(d[3] + d[1], g[3] + g[1]) - max(d[1], g[1])
    if h <= 0:
        return 0.0
    inter = w * h
    return inter / (d[2] * d[3] + g[2] * g[3] - inter)


def _group(records) -> dict:
    """(image, class) → records in the given order."""
    groups: dict = {}
    for x in records:
        groups.setdefault((x["image"], x["class"]), []).append(x)
    return groups


def _coco_ap(gts, dets, classes, threshold: float) -> float:
    """COCOeval evaluate + accumulate + summarize at one IoU threshold, area "all", maxDets 100."""
    rec_thrs = np.linspace(0.0, 1.00, int(np.round((1.00 - 0.0) / 0.01)) + 1, endpoint=True)
    precision = -np.ones((len(rec_thrs), len(classes)))
    threshold = min(threshold, 1 - 1e-10)
    gt_groups, det_groups = _group(gts), _group(dets)
    images_of: dict = {}  # only the images where a class occurs: the loop stays linear
    for image, cls in set(gt_groups) | set(det_groups):
        images_of.setdefault(cls, []).append(image)
    for k, cls in enumerate(classes):
        scores, matched, n_gt = [], [], 0
        for image in sorted(images_of.get(cls, [])):
            g = [x["xywh"] for x in gt_groups.get((image, cls), ())]
            d = det_groups.get((image, cls), [])
            order = np.argsort([-x["score"] for x in d], kind="mergesort")[:COCO_MAX_DETS]
            d = [d[i] for i in order]
            n_gt += len(g)
            taken = [False] * len(g)
            for det in d:
                best, m = threshold, -1
                for j, gt in enumerate(g):
                    if taken[j]:
                        continue
                    overlap = _coco_iou(det["xywh"], gt)
                    if overlap < best:
                        continue
                    # ">=": on a tie the later ground truth wins, as in pycocotools
                    best, m = overlap, j
                if m >= 0:
                    taken[m] = True
                scores.append(det["score"])
                matched.append(m >= 0)
        if n_gt == 0:
            continue
        # images in sorted order, then score (stable): pycocotools' tie order
        order = np.argsort(-np.array(scores, dtype=np.float64), kind="mergesort")
        hits = np.array(matched, dtype=bool)[order]
        tp = np.cumsum(hits).astype(np.float64)
        fp = np.cumsum(~hits).astype(np.float64)
        rc = tp / n_gt
        pr = (tp / (fp + tp + np.spacing(1))).tolist()
        for i in range(len(pr) - 1, 0, -1):
            if pr[i] > pr[i - 1]:
                pr[i - 1] = pr[i]
        q = np.zeros(len(rec_thrs))
        for r, i in enumerate(np.searchsorted(rc, rec_thrs, side="left")):
            if i >= len(pr):
                break
            q[r] = pr[i]
        precision[:, k] = q
    return float(np.mean(precision[precision > -1]))


def _voc_ap(gts, mine, threshold: float, interpolation: str) -> float:
    """VOCevaldet.m matching and VOCap.m (all-point) / VOC2007 11-point AP for one class."""
    by_image: dict = {}
    for x in gts:
        by_image.setdefault(x["image"], []).append(x["box"])
    n_pos = len(gts)
    taken = {image: [False] * len(v) for image, v in by_image.items()}
    order = np.argsort([-x["score"] for x in mine], kind="mergesort")
    hits = []
    for det in (mine[i] for i in order):
        bb = det["box"]
        best, j_best = -math.inf, -1
        for j, g in enumerate(by_image.get(det["image"], [])):
            iw = min(bb[2], g[2]) - max(bb[0], g[0])
            ih = min(bb[3], g[3]) - max(bb[1], g[1])
            if iw > 0 and ih > 0:
                inter = iw * ih
                union = (bb[2] - bb[0]) * (bb[3] - bb[1]) + (g[2] - g[0]) * (g[3] - g[1]) - inter
                overlap = inter / union
                if overlap > best:
                    best, j_best = overlap, j
        # a detection whose best ground truth is already taken is a false positive (the devkit
        # does not fall back to the second-best ground truth)
        hit = best >= threshold and not taken[det["image"]][j_best]
        if hit:
            taken[det["image"]][j_best] = True
        hits.append(hit)
    tp = np.cumsum(np.array(hits, dtype=bool)).astype(np.int64)
    fp = np.arange(1, len(hits) + 1) - tp
    rec = tp / n_pos
    prec = tp / (tp + fp)
    if interpolation == "voc-11":
        ap = 0.0
        for t in range(11):
            # recall ≥ t/10 compared exactly in integers
            reached = prec[10 * tp >= t * n_pos]
            ap += (reached.max() if reached.size else 0.0) / 11
        return ap
    mrec = np.concatenate(([0.0], rec, [1.0]))
    mpre = np.concatenate(([0.0], prec, [0.0]))
    for i in range(len(mpre) - 2, -1, -1):
        mpre[i] = max(mpre[i], mpre[i + 1])
    i = np.flatnonzero(mrec[1:] != mrec[:-1]) + 1
    return float(np.sum((mrec[i] - mrec[i - 1]) * mpre[i]))


@engine("detection_map")
def detection_map(
    *, ground_truths, detections, iou_threshold=0.5, interpolation="coco-101"
) -> float:
    """Mean average precision of detections (pycocotools COCOeval or the PASCAL VOC devkit).

    ``ground_truths`` are ``{image, class, box}``, ``detections`` are ``{image, class, box,
    score}``; boxes are [x1, y1, x2, y2], image and class labels are integers or strings. The
    answer is the mean AP over the classes that have at least one ground truth; a class with
    ground truths but no detections has AP 0, detections of a class without ground truths are
    ignored. No ground truth at all is an error (code ``no_ground_truth``); no detections gives 0.

    ``"coco-101"`` — ``pycocotools.cocoeval.COCOeval`` (iouType "bbox") with
    ``iouThrs=[iou_threshold]``, area range "all", ``maxDets=[100]``, i.e. stats[1] for a threshold
    of 0.5. Boxes are passed to pycocotools as [x1, y1, x2 − x1, y2 − y1]; its bbox IoU is
    continuous (no +1) and is reproduced with its own rounding (x + w). Per image and class the
    detections are sorted by score with a stable mergesort on −score (ties keep the given order),
    only the first 100 are kept, and each is matched to the unmatched ground truth with the largest
    IoU ≥ threshold (a threshold of 1 acts as 1 − 1e-10; among equal IoUs the later ground truth
    wins). Detections of all images are then merged in sorted image order and sorted again stably,
    so equal scores are ordered by image label first, then by the given order. Precision is
    tp/(tp + fp + eps), made non-increasing, and read at recalls 0, 0.01, …, 1 (np.linspace,
    np.searchsorted side "left"; 0 beyond the last recall); AP is the mean of the 101 values.

    ``"all-point"`` (VOC2010+) and ``"voc-11"`` (VOC2007) — VOCevaldet.m: the detections of a class
    are sorted by score (stable; ties keep the given order) and each one takes the ground truth of
    its image with the largest IoU (the first on a tie); it is a true positive if that IoU is
    ≥ threshold and that ground truth is still free, otherwise a false positive. IoU here is
    continuous (the devkit adds 1 pixel to sides; we do not, so that it agrees with ``iou``).
    All-point AP is the area under the precision envelope over every recall change (VOCap.m);
    11-point AP averages the maximal precision at recall ≥ 0, 0.1, …, 1 (0 if never reached),
    with the thresholds exact (Python ports using np.arange(0, 1.1, 0.1) miss a recall of exactly
    0.3, 0.6 or 0.7 by rounding).

    >>> gts = [{"image": 1, "class": "cat", "box": [0, 0, 10, 10]},
    ...        {"image": 2, "class": "cat", "box": [0, 0, 10, 10]}]
    >>> dets = [{"image": 1, "class": "cat", "box": [0, 0, 10, 9], "score": 0.9},
    ...         {"image": 2, "class": "cat", "box": [20, 20, 30, 30], "score": 0.8}]
    >>> detection_map(ground_truths=gts, detections=dets, interpolation="all-point")
    0.5
    >>> round(detection_map(ground_truths=gts, detections=dets), 6)
    0.50495
    """
    interpolation = as_choice("interpolation", interpolation, INTERPOLATIONS)
    threshold = as_float("iou_threshold", iou_threshold, min=0.0, max=1.0, min_open=True)
    gts = _records("ground_truths", ground_truths, ("image", "class", "box"))
    dets = _records("detections", detections, ("image", "class", "box", "score"))
    if not gts:
        fail("ground_truths", _("нужна хотя бы одна истинная рамка"), "no_ground_truth")
    for key in ("image", "class"):
        _sorted_labels("ground_truths", [x[key] for x in gts])
    _sorted_labels("detections", [x["image"] for x in gts + dets])
    classes = _sorted_labels("detections", [x["class"] for x in gts + dets])
    if interpolation == "coco-101":
        return _coco_ap(gts, dets, classes, threshold)
    gt_by_class, det_by_class = {}, {}
    for records, groups in ((gts, gt_by_class), (dets, det_by_class)):
        for x in records:
            groups.setdefault(x["class"], []).append(x)
    aps = [
        _voc_ap(gt_by_class[c], det_by_class.get(c, []), threshold, interpolation)
        for c in classes
        if c in gt_by_class
    ]
    return float(np.mean(aps))


def _counts(**counts) -> list[int]:
    return [as_int(name, value, min=0) for name, value in counts.items()]


@engine("precision_recall_f1")
def precision_recall_f1(*, tp, fp, fn) -> dict:
    """Precision tp/(tp+fp), recall tp/(tp+fn) and F1 2tp/(2tp+fp+fn) from counts.

    A 0/0 is 0, as scikit-learn's ``zero_division=0`` (and Keras' ``Precision``/``Recall``).

    >>> precision_recall_f1(tp=8, fp=2, fn=8)
    {'precision': 0.8, 'recall': 0.5, 'f1': 0.6153846153846154}
    >>> precision_recall_f1(tp=0, fp=0, fn=0)
    {'precision': 0.0, 'recall': 0.0, 'f1': 0.0}
    """
    tp, fp, fn = _counts(tp=tp, fp=fp, fn=fn)
    return {
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0,
    }


@engine("dice_jaccard")
def dice_jaccard(*, tp, fp, fn) -> dict:
    """Dice 2tp/(2tp+fp+fn) and Jaccard (IoU) tp/(tp+fp+fn) of a segmentation from pixel counts.

    When tp = fp = fn = 0 (empty prediction of an empty mask) both are 1.0, the usual segmentation
    convention (note that ``precision_recall_f1`` gives F1 = 0 there, as scikit-learn does).

    >>> dice_jaccard(tp=30, fp=10, fn=20)
    {'dice': 0.6666666666666666, 'jaccard': 0.5}
    >>> dice_jaccard(tp=0, fp=0, fn=0)
    {'dice': 1.0, 'jaccard': 1.0}
    """
    tp, fp, fn = _counts(tp=tp, fp=fp, fn=fn)
    if tp + fp + fn == 0:
        return {"dice": 1.0, "jaccard": 1.0}
    return {"dice": 2 * tp / (2 * tp + fp + fn), "jaccard": tp / (tp + fp + fn)}
