"""The nms engine against torchvision's algorithm, transcribed in float64 torch.

torchvision cannot be installed next to this torch, so the reference is a line-by-line transcription
of ``torchvision/csrc/ops/cpu/nms_kernel.cpp`` (areas, ``scores.sort(0, descending=True)``, the
``ovr > iou_threshold`` loop) and of ``torchvision.ops.batched_nms`` (both its coordinate-offset
path and its per-class "vanilla" path), written with torch tensors: the sort, the areas and the IoU
are torch's own. torch's CPU sort keeps equal scores in index order for up to 16 elements and not
beyond (it is not a stable sort then); the engine always breaks ties by index, so scenes with tied
scores and more than 16 boxes are compared with ``stable=True`` — the order torch's sort gives for
every exam-sized input. A brute-force definition (keep a box iff no kept box ranked above it
overlaps it by more than the threshold) is checked as well.
"""

import numpy as np
import pytest
import torch

from grader.engines.registry import compute
from grader.errors import EngineError

N_SCENES = 1500


def torchvision_nms(boxes: torch.Tensor, scores: torch.Tensor, thr: float, stable: bool):
    """nms_kernel.cpp in torch."""
    if boxes.numel() == 0:
        return []
    x1, y1, x2, y2 = (boxes[:, k].contiguous() for k in range(4))
    areas = (x2 - x1) * (y2 - y1)
    if stable:
        order = scores.sort(stable=True, dim=0, descending=True)[1].tolist()
    else:
        order = scores.sort(0, descending=True)[1].tolist()
    # the kernel's scalar arithmetic, done elementwise for all pairs at once (same float ops)
    xx1 = torch.maximum(x1[:, None], x1[None, :])
    yy1 = torch.maximum(y1[:, None], y1[None, :])
    xx2 = torch.minimum(x2[:, None], x2[None, :])
    yy2 = torch.minimum(y2[:, None], y2[None, :])
    w = torch.clamp(xx2 - xx1, min=0)
    h = torch.clamp(yy2 - yy1, min=0)
    inter = w * h
    ovr = inter / (areas[:, None] + areas[None, :] - inter)
    above = (ovr > thr).tolist()  # NaN (both areas zero) is never greater
    suppressed = [False] * len(order)
    keep = []
    for pos, i in enumerate(order):
        if suppressed[i]:
            continue
        keep.append(i)
        for j in order[pos + 1 :]:
            if not suppressed[j] and above[i][j]:
                suppressed[j] = True
    return keep


def batched_nms_vanilla(boxes, scores, idxs, thr, stable):
    """torchvision.ops.boxes._batched_nms_vanilla."""
    keep_mask = torch.zeros_like(scores, dtype=torch.bool)
    for class_id in torch.unique(idxs):
        curr = torch.where(idxs == class_id)[0]
        kept = torchvision_nms(boxes[curr], scores[curr], thr, stable)
        keep_mask[curr[kept]] = True
    keep = torch.where(keep_mask)[0]
    if stable:
        order = scores[keep].sort(stable=True, descending=True)[1]
    else:
        order = scores[keep].sort(descending=True)[1]
    return keep[order].tolist()


def batched_nms_offsets(boxes, scores, idxs, thr, stable):
    """torchvision.ops.boxes._batched_nms_coordinate_trick."""
    if boxes.numel() == 0:
        return []
    max_coordinate = boxes.max()
    offsets = idxs.to(boxes) * (max_coordinate + torch.tensor(1).to(boxes))
    return torchvision_nms(boxes + offsets[:, None], scores, thr, stable)


def brute_force(boxes, scores, thr, classes=None):
    """Fixed point of the definition, computed in Python floats."""
    n = len(boxes)
    rank = sorted(range(n), key=lambda i: (-scores[i], i))

    def overlap(a, b):
        w = max(min(a[2], b[2]) - max(a[0], b[0]), 0.0)
        h = max(min(a[3], b[3]) - max(a[1], b[1]), 0.0)
        union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
        return w * h / union if union > 0 else 0.0

    kept = []
    for i in rank:
        rivals = [k for k in kept if classes is None or classes[k] == classes[i]]
        if all(overlap(boxes[k], boxes[i]) <= thr for k in rivals):
            kept.append(i)
    return kept


def random_scene(rng):
    n = int(rng.choice([0, 1, 2, 3, 5, 8, 12, 16, 30]))
    grid = rng.random() < 0.6
    boxes = []
    for _ in range(n):
        if boxes and rng.random() < 0.5:  # a jittered copy of an earlier box: overlaps are common
            base = boxes[int(rng.integers(len(boxes)))]
            b = [v + float(rng.integers(-8, 9)) / 4 for v in base]
            b = [min(b[0], b[2]), min(b[1], b[3]), max(b[0], b[2]), max(b[1], b[3])]
        elif grid:  # quarters: exact arithmetic, ties, touching edges, zero areas
            x1, y1 = rng.integers(0, 40, size=2) / 4
            w, h = rng.integers(0, 30, size=2) / 4
            b = [float(x1), float(y1), float(x1 + w), float(y1 + h)]
        else:
            x1, y1 = rng.uniform(0, 100, size=2)
            w, h = rng.exponential(20, size=2) * (rng.random(2) > 0.03)
            b = [float(x1), float(y1), float(x1 + w), float(y1 + h)]
        boxes.append(b)
    if rng.random() < 0.5:
        scores = [float(s) for s in rng.choice([0.5, 0.6, 0.7, 0.8, 0.9], n)]  # many ties
    else:
        scores = [float(s) for s in rng.random(n)]
    thr = float(rng.choice([0.0, 1.0, 0.3, 0.5, 0.7, float(rng.random())]))
    classes = [int(c) for c in rng.integers(0, 3, n)]
    return boxes, scores, thr, classes


def test_nms_vs_torchvision_kernel_transcription():
    rng = np.random.default_rng(907)
    tied_large, suppressed_some, nothing = 0, 0, 0
    for _ in range(N_SCENES):
        boxes, scores, thr, classes = random_scene(rng)
        tb = torch.tensor(boxes, dtype=torch.float64).reshape(-1, 4)
        ts = torch.tensor(scores, dtype=torch.float64)
        stable = len(set(scores)) < len(scores) and len(scores) > 16
        tied_large += stable
        got = compute("nms", boxes=boxes, scores=scores, iou_threshold=thr)
        want = torchvision_nms(tb, ts, thr, stable)
        assert got == want, (boxes, scores, thr, got, want)
        assert got == brute_force(boxes, scores, thr)
        suppressed_some += len(got) < len(boxes)
        nothing += not boxes

        got = compute("nms", boxes=boxes, scores=scores, iou_threshold=thr, classes=classes)
        tc = torch.tensor(classes, dtype=torch.int64)
        assert got == batched_nms_vanilla(tb, ts, tc, thr, stable), (boxes, scores, classes)
        assert got == brute_force(boxes, scores, thr, classes)
        if min((min(b) for b in boxes), default=0) >= 0:  # the offset trick needs x, y ≥ 0
            offsets = batched_nms_offsets(tb, ts, tc, thr, stable)
            assert got == offsets, (boxes, scores, classes, thr)
    assert tied_large > 50 and suppressed_some > 600 and nothing > 50


def test_torch_sort_keeps_ties_in_index_order_for_small_inputs():
    # The premise of the documented tie rule for exam-sized inputs.
    rng = np.random.default_rng(5)
    for _ in range(500):
        n = int(rng.integers(1, 17))
        s = torch.tensor(rng.choice([0.1, 0.2, 0.3], n), dtype=torch.float64)
        assert s.sort(0, descending=True)[1].tolist() == sorted(range(n), key=lambda i: -s[i])


def test_threshold_is_strict_and_edges():
    a, b = [0, 0, 2, 1], [1, 0, 3, 1]  # IoU exactly 1/3
    assert compute("nms", boxes=[a, b], scores=[0.9, 0.8], iou_threshold=1 / 3) == [0, 1]
    assert compute("nms", boxes=[a, b], scores=[0.9, 0.8], iou_threshold=0.3) == [0]
    assert compute("nms", boxes=[], scores=[], iou_threshold=0.5) == []
    same = [[0, 0, 1, 1]] * 3
    assert compute("nms", boxes=same, scores=[0.5, 0.5, 0.5], iou_threshold=1) == [0, 1, 2]
    assert compute("nms", boxes=same, scores=[0.5, 0.5, 0.5], iou_threshold=0.99) == [0]
    tb = torch.tensor(same, dtype=torch.float64)
    assert torchvision_nms(tb, torch.full((3,), 0.5, dtype=torch.float64), 0.99, False) == [0]
    with pytest.raises(EngineError) as err:
        compute("nms", boxes=[a], scores=[0.1, 0.2], iou_threshold=0.5)
    assert err.value.code == "length_mismatch"
