"""grader.engines.detection against pycocotools (COCOeval, mask IoU), torch and Keras metrics.

* ``iou``: pycocotools ``maskUtils.iou`` on [x, y, w, h] boxes and torchvision's ``box_iou``
  formula written in torch (torchvision itself does not import here).
* ``detection_map`` "coco-101": pycocotools ``COCOeval`` on random scenes with score ties, several
  images and classes, classes without detections or without ground truths, more than 100
  detections in an image, and thresholds up to 1.
* ``detection_map`` "all-point" / "voc-11": no PASCAL VOC devkit runs here (it is MATLAB), so they
  are compared with a line-by-line transcription of VOCevaldet.m and VOCap.m below (with
  continuous IoU instead of the devkit's +1, as the engine documents).
* ``precision_recall_f1``: exact rational arithmetic, and Keras ``Precision``/``Recall``/
  ``F1Score`` (float32, so 1e-5) for the 0/0 convention.
* ``dice_jaccard``: pycocotools' mask IoU of random masks.
"""

import contextlib
import io
import math
from fractions import Fraction

import numpy as np
import pytest
import torch
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from grader.engines.registry import compute

keras = pytest.importorskip("keras")


def xywh(box):
    return [box[0], box[1], box[2] - box[0], box[3] - box[1]]


def random_box(rng, grid: bool):
    if grid:  # multiples of 1/8: exact arithmetic, many ties and touching edges
        x1, y1 = rng.integers(-40, 40, size=2) / 8
        w, h = rng.integers(0, 40, size=2) / 8
    else:
        x1, y1 = rng.uniform(-50, 50, size=2)
        w, h = rng.exponential(20, size=2) * (rng.random(2) > 0.02)
    return [float(x1), float(y1), float(x1 + w), float(y1 + h)]


def torchvision_box_iou(a, b):
    """torchvision.ops.box_iou (``_box_inter_union``) in float64 torch."""
    boxes1 = torch.tensor([a], dtype=torch.float64)
    boxes2 = torch.tensor([b], dtype=torch.float64)
    area1 = (boxes1[:, 2] - boxes1[:, 0]) * (boxes1[:, 3] - boxes1[:, 1])
    area2 = (boxes2[:, 2] - boxes2[:, 0]) * (boxes2[:, 3] - boxes2[:, 1])
    lt = torch.max(boxes1[:, None, :2], boxes2[:, :2])
    rb = torch.min(boxes1[:, None, 2:], boxes2[:, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[:, :, 0] * wh[:, :, 1]
    union = area1[:, None] + area2 - inter
    return float((inter / union)[0, 0])


def test_iou_vs_pycocotools_and_torchvision_formula():
    rng = np.random.default_rng(201)
    mismatches, overlapping, empty_union = [], 0, 0
    for i in range(4000):
        a = random_box(rng, grid=i % 2 == 0)
        # half the time b is a jittered copy of a, so that most pairs overlap
        b = random_box(rng, grid=i % 2 == 0)
        if rng.random() < 0.5:
            b = [v + float(rng.integers(-16, 17)) / 8 for v in a]
            b = [min(b[0], b[2]), min(b[1], b[3]), max(b[0], b[2]), max(b[1], b[3])]
        got = compute("iou", box_a=a, box_b=b)
        coco = float(mask_utils.iou([xywh(a)], [xywh(b)], [0])[0][0])
        tv = torchvision_box_iou(a, b)
        overlapping += got > 0
        if math.isnan(tv):  # both boxes of zero area: torchvision 0/0, pycocotools and we 0
            empty_union += 1
            tv = 0.0
        for name, want in (("pycocotools", coco), ("torchvision", tv)):
            if not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-15):
                mismatches.append((name, a, b, got, want))
    assert not mismatches, mismatches[:5]
    assert overlapping > 1400 and empty_union > 0


# --- detection_map: random scenes -------------------------------------------------------------


def random_scene(rng):
    crowded = rng.random() < 0.04  # one image and class with more than COCOeval's 100 detections
    n_images = 1 if crowded else int(rng.integers(1, 5))
    n_classes = 1 if crowded else int(rng.integers(1, 4))
    strings = rng.random() < 0.25
    image_ids = [int(v) for v in rng.choice(30, size=n_images, replace=False)]
    if strings:
        images = [f"img{v}" for v in image_ids]
        classes = [f"c{v}" for v in range(n_classes)]
    else:
        images, classes = image_ids, [int(v) for v in rng.choice(10, n_classes, replace=False)]
    grid = rng.random() < 0.5
    scores = rng.choice([0.1, 0.3, 0.5, 0.7, 0.9], size=200) if rng.random() < 0.5 else None
    gts, dets = [], []
    for _ in range(int(rng.integers(1, 12))):
        gts.append(
            {
                "image": str(rng.choice(images)) if strings else int(rng.choice(images)),
                "class": str(rng.choice(classes)) if strings else int(rng.choice(classes)),
                "box": random_box(rng, grid),
            }
        )
    n_dets = int(rng.integers(100, 130)) if crowded else int(rng.integers(0, 20))
    for k in range(n_dets):
        if gts and rng.random() < 0.6:  # a detection near a ground truth, maybe of another class
            source = gts[int(rng.integers(len(gts)))]
            jitter = rng.normal(0, rng.choice([0.5, 2, 5]), size=4)
            box = [v + float(j) for v, j in zip(source["box"], jitter, strict=True)]
            box = [
                min(box[0], box[2]),
                min(box[1], box[3]),
                max(box[0], box[2]),
                max(box[1], box[3]),
            ]
            image, cls = source["image"], source["class"]
            if rng.random() < 0.1:
                cls = str(rng.choice(classes)) if strings else int(rng.choice(classes))
        else:
            box = random_box(rng, grid)
            image = str(rng.choice(images)) if strings else int(rng.choice(images))
            cls = str(rng.choice(classes)) if strings else int(rng.choice(classes))
        score = float(scores[k % 200]) if scores is not None else float(rng.random())
        dets.append({"image": image, "class": cls, "box": box, "score": score})
    threshold = float(rng.choice([0.5, 0.5, 0.75, 1.0, rng.uniform(0.01, 1)]))
    return gts, dets, threshold


def pycocotools_map(gts, dets, threshold):
    """COCOeval bbox at one IoU threshold, area "all", maxDets 100: the mean of the precision
    table over entries > -1 (COCOeval._summarize)."""
    images = sorted({x["image"] for x in gts + dets})
    classes = sorted({x["class"] for x in gts + dets})
    image_id = {v: i + 1 for i, v in enumerate(images)}  # order-preserving: same tie order
    class_id = {v: i + 1 for i, v in enumerate(classes)}
    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = {
            "images": [{"id": i} for i in image_id.values()],
            "categories": [{"id": c} for c in class_id.values()],
            "annotations": [
                {
                    "id": k + 1,
                    "image_id": image_id[g["image"]],
                    "category_id": class_id[g["class"]],
                    "bbox": xywh(g["box"]),
                    "area": xywh(g["box"])[2] * xywh(g["box"])[3],
                    "iscrowd": 0,
                }
                for k, g in enumerate(gts)
            ],
        }
        coco_gt.createIndex()
        results = [
            {
                "image_id": image_id[d["image"]],
                "category_id": class_id[d["class"]],
                "bbox": xywh(d["box"]),
                "score": d["score"],
            }
            for d in dets
        ]
        if results:
            coco_dt = coco_gt.loadRes(results)
        else:  # loadRes cannot take an empty list
            coco_dt = COCO()
            coco_dt.dataset = {
                "images": coco_gt.dataset["images"],
                "annotations": [],
                "categories": coco_gt.dataset["categories"],
            }
            coco_dt.createIndex()
        evaluator = COCOeval(coco_gt, coco_dt, "bbox")
        evaluator.params.iouThrs = np.array([threshold])
        evaluator.params.areaRng = [[0**2, 1e5**2]]
        evaluator.params.areaRngLbl = ["all"]
        evaluator.params.maxDets = [100]
        evaluator.evaluate()
        evaluator.accumulate()
    precision = evaluator.eval["precision"][0, :, :, 0, 0]
    return float(np.mean(precision[precision > -1])) if (precision > -1).any() else -1.0


def test_detection_map_coco_vs_pycocotools():
    rng = np.random.default_rng(202)
    mismatches, exact, nonzero = [], 0, 0
    for _ in range(1200):
        gts, dets, threshold = random_scene(rng)
        got = compute(
            "detection_map",
            ground_truths=gts,
            detections=dets,
            iou_threshold=threshold,
            interpolation="coco-101",
        )
        want = pycocotools_map(gts, dets, threshold)
        exact += got == want
        nonzero += want > 0
        if not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12):
            mismatches.append((gts, dets, threshold, got, want))
    assert not mismatches, mismatches[:2]
    assert nonzero > 450
    assert exact >= 1190  # bit-for-bit in practice; the tolerance is for summation order only


def test_detection_map_coco_tie_order_matches_pycocotools():
    """All scores equal: the answer depends only on the tie order."""
    rng = np.random.default_rng(203)
    mismatches = []
    for _ in range(500):
        gts, dets, threshold = random_scene(rng)
        for d in dets:
            d["score"] = 0.5
        order = rng.permutation(len(dets))
        dets = [dets[i] for i in order]
        got = compute("detection_map", ground_truths=gts, detections=dets, iou_threshold=threshold)
        want = pycocotools_map(gts, dets, threshold)
        if not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12):
            mismatches.append((gts, dets, threshold, got, want))
    assert not mismatches, mismatches[:2]


# --- detection_map: PASCAL VOC (transcription of the devkit) ----------------------------------


def devkit_ap(gts, dets, cls, threshold, eleven_points):
    """VOCevaldet.m for one class, then VOCap.m or the VOC2007 11-point loop; IoU without +1."""
    gt_boxes = {}
    for g in gts:
        if g["class"] == cls:
            gt_boxes.setdefault(g["image"], []).append(g["box"])
    npos = sum(len(v) for v in gt_boxes.values())
    detected = {image: [False] * len(v) for image, v in gt_boxes.items()}
    mine = [d for d in dets if d["class"] == cls]
    confidence = [d["score"] for d in mine]
    si = sorted(range(len(mine)), key=lambda i: -confidence[i])  # MATLAB sort is stable
    nd = len(mine)
    tp, fp = [0] * nd, [0] * nd
    for d in range(nd):
        det = mine[si[d]]
        bb = det["box"]
        ovmax, jmax = -math.inf, None
        for j, bbgt in enumerate(gt_boxes.get(det["image"], [])):
            bi = [
                max(bb[0], bbgt[0]),
                max(bb[1], bbgt[1]),
                min(bb[2], bbgt[2]),
                min(bb[3], bbgt[3]),
            ]
            iw = bi[2] - bi[0]
            ih = bi[3] - bi[1]
            if iw > 0 and ih > 0:
                ua = (
                    (bb[2] - bb[0]) * (bb[3] - bb[1])
                    + (bbgt[2] - bbgt[0]) * (bbgt[3] - bbgt[1])
                    - iw * ih
                )
                ov = iw * ih / ua
                if ov > ovmax:
                    ovmax, jmax = ov, j
        if ovmax >= threshold:
            if not detected[det["image"]][jmax]:
                tp[d] = 1
                detected[det["image"]][jmax] = True
            else:
                fp[d] = 1
        else:
            fp[d] = 1
    fp = np.cumsum(fp)
    tp = np.cumsum(tp)
    rec = tp / npos
    prec = tp / (fp + tp)
    if eleven_points:
        ap = 0.0
        for t in [k / 10 for k in range(11)]:
            p = prec[rec >= t].max() if (rec >= t).any() else 0.0
            ap = ap + p / 11
        return ap
    mrec = [0.0, *rec.tolist(), 1.0]
    mpre = [0.0, *prec.tolist(), 0.0]
    for i in range(len(mpre) - 2, -1, -1):
        mpre[i] = max(mpre[i], mpre[i + 1])
    idx = [i + 1 for i in range(len(mrec) - 1) if mrec[i + 1] != mrec[i]]
    return sum((mrec[i] - mrec[i - 1]) * mpre[i] for i in idx)


@pytest.mark.parametrize("interpolation", ["all-point", "voc-11"])
def test_detection_map_voc_vs_devkit_transcription(interpolation):
    rng = np.random.default_rng(204 if interpolation == "voc-11" else 205)
    mismatches, nonzero = [], 0
    for _ in range(1000):
        gts, dets, threshold = random_scene(rng)
        got = compute(
            "detection_map",
            ground_truths=gts,
            detections=dets,
            iou_threshold=threshold,
            interpolation=interpolation,
        )
        classes = sorted({g["class"] for g in gts})
        aps = [devkit_ap(gts, dets, c, threshold, interpolation == "voc-11") for c in classes]
        want = sum(aps) / len(aps)
        nonzero += want > 0
        if not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12):
            mismatches.append((gts, dets, threshold, got, want))
    assert not mismatches, mismatches[:2]
    assert nonzero > 350


# --- precision_recall_f1 / dice_jaccard -------------------------------------------------------


def random_counts(rng):
    counts = [int(v) for v in rng.integers(0, rng.choice([3, 50, 10**6]), size=3)]
    counts = [0 if rng.random() < 0.2 else v for v in counts]
    return dict(zip(("tp", "fp", "fn"), counts, strict=True))


def exact_ratio(num, den, zero_division):
    return float(Fraction(num, den)) if den else zero_division


def test_precision_recall_f1_exact():
    rng = np.random.default_rng(206)
    for _ in range(5000):
        c = random_counts(rng)
        got = compute("precision_recall_f1", **c)
        tp, fp, fn = c["tp"], c["fp"], c["fn"]
        assert got == {
            "precision": exact_ratio(tp, tp + fp, 0.0),
            "recall": exact_ratio(tp, tp + fn, 0.0),
            "f1": exact_ratio(2 * tp, 2 * tp + fp + fn, 0.0),
        }, c


def test_precision_recall_f1_vs_keras_metrics():
    rng = np.random.default_rng(207)
    for i in range(150):
        if i < 8:  # every pattern of zero counts first
            c = dict(zip(("tp", "fp", "fn"), np.unravel_index(i, (2, 2, 2)), strict=True))
        else:
            c = random_counts(rng)
        c = {k: int(min(v, 40)) for k, v in c.items()}
        # labels realizing the counts (+ true negatives, which none of the metrics use)
        y_true = np.array([1] * c["tp"] + [0] * c["fp"] + [1] * c["fn"] + [0] * 3, "float32")
        y_pred = np.array([1] * c["tp"] + [1] * c["fp"] + [0] * c["fn"] + [0] * 3, "float32")
        got = compute("precision_recall_f1", **c)
        precision, recall = keras.metrics.Precision(), keras.metrics.Recall()
        f1 = keras.metrics.F1Score(threshold=0.5)
        precision.update_state(y_true, y_pred)
        recall.update_state(y_true, y_pred)
        f1.update_state(y_true[:, None], y_pred[:, None])
        for name, metric in (("precision", precision), ("recall", recall), ("f1", f1)):
            want = float(np.asarray(metric.result()).reshape(-1)[0])
            assert math.isclose(got[name], want, rel_tol=1e-5, abs_tol=1e-6), (c, name, want)


def test_dice_jaccard_vs_pycocotools_mask_iou():
    rng = np.random.default_rng(208)
    compared = 0
    for _ in range(3000):
        h, w = (int(v) for v in rng.integers(1, 24, size=2))
        gt = rng.random((h, w)) < rng.uniform(0, 0.6)
        pred = (
            (gt ^ (rng.random((h, w)) < rng.uniform(0, 0.4)))
            if rng.random() < 0.8
            else (rng.random((h, w)) < 0.3)
        )
        if not gt.any() and not pred.any():
            continue  # empty vs empty: we answer 1 by convention, pycocotools 0
        counts = {
            "tp": int((gt & pred).sum()),
            "fp": int((~gt & pred).sum()),
            "fn": int((gt & ~pred).sum()),
        }
        got = compute("dice_jaccard", **counts)
        rles = [mask_utils.encode(np.asfortranarray(m.astype(np.uint8))) for m in (pred, gt)]
        jaccard = float(mask_utils.iou([rles[0]], [rles[1]], [0])[0][0])
        assert math.isclose(got["jaccard"], jaccard, rel_tol=1e-9, abs_tol=1e-15), counts
        # Dice = 2J / (1 + J) = 2|A∩B| / (|A| + |B|), from the masks themselves
        dice = 2 * (gt & pred).sum() / (gt.sum() + pred.sum())
        assert math.isclose(got["dice"], float(dice), rel_tol=1e-12), counts
        compared += 1
    assert compared > 2500
