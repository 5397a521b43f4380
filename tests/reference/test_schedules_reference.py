"""lr_schedule against torch.optim.lr_scheduler, step by step, to the last bit.

Every variant builds the real scheduler on a real optimizer and reads ``get_last_lr()[0]`` after
construction and after each ``optimizer.step(); scheduler.step()``. Torch works in Python floats
and the engine repeats its operations, so the lists must be *equal*, not merely close.
"""

import math

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler as S

from grader.engines.registry import compute
from grader.errors import EngineError

N_PER_SCHEDULE = 300  # × 6 schedules


def torch_rates(make, steps, base_lr=0.1, adam=False):
    """The rates a torch scheduler reports for steps 0 … steps − 1, used as documented."""
    param = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    param.grad = torch.zeros_like(param)
    if adam:
        optimizer = torch.optim.Adam([param], lr=base_lr)
    else:
        optimizer = torch.optim.SGD([param], lr=base_lr, momentum=0.9)
    scheduler = make(optimizer)
    rates = [scheduler.get_last_lr()[0]]
    for _ in range(steps - 1):
        optimizer.step()
        scheduler.step()
        rates.append(scheduler.get_last_lr()[0])
    return rates


def make_scheduler(args):
    """The torch scheduler the engine's arguments describe."""
    kind = args["schedule"]
    if kind == "step":
        return lambda o: S.StepLR(o, step_size=args["step_size"], gamma=args.get("gamma", 0.1))
    if kind == "multistep":
        return lambda o: S.MultiStepLR(o, milestones=args["milestones"], gamma=args["gamma"])
    if kind == "exponential":
        return lambda o: S.ExponentialLR(o, gamma=args["gamma"])
    if kind == "cosine":
        return lambda o: S.CosineAnnealingLR(o, T_max=args["T_max"], eta_min=args["eta_min"])
    if kind == "warmup_cosine":
        w = args["warmup_steps"]

        def sequential(o):
            warmup = S.LinearLR(o, start_factor=1 / w, total_iters=w)
            cosine = S.CosineAnnealingLR(o, T_max=args["T_max"], eta_min=args["eta_min"])
            return S.SequentialLR(o, [warmup, cosine], milestones=[w])

        return sequential
    return lambda o: S.OneCycleLR(
        o, max_lr=args["max_lr"], total_steps=args["steps"], pct_start=args["pct_start"]
    )


def check(args, adam=False):
    """Engine and torch agree exactly, or both refuse. True when they agreed on rates."""
    try:
        ref = torch_rates(make_scheduler(args), args["steps"], args.get("base_lr", 0.1), adam)
    except ZeroDivisionError:
        ref = None
    try:
        got = compute("lr_schedule", **args)
    except EngineError as err:
        assert ref is None, f"engine refused what torch accepts: {err.message} {args}"
        return False
    assert ref is not None, f"torch refused what the engine accepts: {args}"
    assert got == ref, f"{args}\n{got}\n{ref}"
    return True


def draw(rng, kind):
    steps = int(rng.integers(1, 80))
    base_lr = float(rng.choice([0.1, 0.01, 1.0, 0.05, rng.uniform(1e-4, 2)]))
    args = {"schedule": kind, "steps": steps, "base_lr": base_lr}
    if kind == "step":
        args["step_size"] = int(rng.integers(1, 12))
        if rng.random() < 0.8:
            args["gamma"] = float(rng.choice([0.1, 0.5, 0.9, rng.uniform(0.05, 1.5)]))
    elif kind == "multistep":
        count = int(rng.integers(0, 6))
        # around the run: before it, inside, after it, repeated, unsorted, at step 0
        args["milestones"] = [int(m) for m in rng.integers(0, steps + 5, count)]
        args["gamma"] = float(rng.choice([0.1, 0.5, rng.uniform(0.05, 1.5)]))
    elif kind == "exponential":
        args["gamma"] = float(rng.choice([0.9, 0.99, 0.5, rng.uniform(0.5, 1.1)]))
    elif kind in ("cosine", "warmup_cosine"):
        # T_max often shorter than the run: torch's cosine goes on past it
        args["T_max"] = int(rng.integers(1, max(2, steps + 10)))
        args["eta_min"] = float(rng.choice([0.0, 0.0, 1e-4, base_lr / 10, rng.uniform(0, 2)]))
        if kind == "warmup_cosine":
            args["warmup_steps"] = int(
                rng.choice([1, 2, steps - 1 if steps > 1 else 1, steps, steps + 3])
                if rng.random() < 0.3
                else rng.integers(1, max(2, steps))
            )
    else:
        del args["base_lr"]
        args["max_lr"] = float(rng.choice([0.1, 1.0, rng.uniform(1e-3, 3)]))
        args["pct_start"] = float(
            rng.choice([0.3, 0.25, 0.5, 0.0, 1.0, 1 / steps, rng.uniform(0, 1)])
        )
    return args


KINDS = ("step", "multistep", "exponential", "cosine", "warmup_cosine", "onecycle")


@pytest.mark.parametrize("kind", KINDS)
def test_random_schedules(kind):
    rng = np.random.default_rng(60 + KINDS.index(kind))
    agreed = sum(check(draw(rng, kind)) for _ in range(N_PER_SCHEDULE))
    # onecycle draws pct_start = 1/steps often: both refuse (torch divides 0 by 0)
    assert agreed > N_PER_SCHEDULE * 0.8


def test_steps_around_milestones():
    for m in range(0, 6):
        for gamma in (0.1, 0.5):
            args = {"schedule": "multistep", "base_lr": 0.1, "steps": 8, "gamma": gamma}
            assert check({**args, "milestones": [m]})
            assert check({**args, "milestones": [m, m + 1, m + 1]})
    for size in range(1, 8):
        assert check({"schedule": "step", "base_lr": 0.3, "steps": 3 * size + 2, "step_size": size})


def test_cosine_beyond_t_max_follows_torch():
    for t_max in range(1, 9):
        for eta_min in (0.0, 0.001, 0.05):
            args = {"schedule": "cosine", "base_lr": 0.1, "T_max": t_max, "eta_min": eta_min}
            assert check({**args, "steps": 5 * t_max + 3})
    # the recursion is the cosine: back at base_lr after 2·T_max, down at η_min after 3·T_max
    got = compute("lr_schedule", schedule="cosine", base_lr=1, steps=31, T_max=10, eta_min=0.1)
    assert got[20] == pytest.approx(1, abs=1e-12) and got[30] == pytest.approx(0.1, abs=1e-12)


def test_warmup_edge_values():
    for steps in (1, 2, 5, 12):
        for w in (1, 2, steps - 1, steps, steps + 1, 3 * steps):
            if w < 1:
                continue
            for t_max in (1, 3, steps):
                args = {"schedule": "warmup_cosine", "base_lr": 0.2, "steps": steps}
                assert check({**args, "warmup_steps": w, "T_max": t_max, "eta_min": 0.01})


def test_onecycle_with_torchs_defaults():
    for steps in (1, 2, 3, 7, 10, 50, 101):
        for max_lr in (0.1, 1.0):
            got = compute("lr_schedule", schedule="onecycle", max_lr=max_lr, steps=steps)
            ref = torch_rates(lambda o, s=steps, m=max_lr: S.OneCycleLR(o, m, total_steps=s), steps)
            assert got == ref
            ref = torch_rates(
                lambda o, s=steps, m=max_lr: S.OneCycleLR(o, m, total_steps=s), steps, adam=True
            )
            assert got == ref
    got = compute("lr_schedule", schedule="onecycle", max_lr=1.0, steps=100)
    assert (
        got[0] == pytest.approx(1.0 / 25, rel=1e-14)
        and got[29] == 1.0
        and got[-1] == pytest.approx(1.0 / 25 / 1e4)
    )


def test_onecycle_zero_division_where_torch_divides_by_zero():
    for steps, pct in ((10, 0.1), (4, 0.25), (1, 1.0), (20, 0.05)):
        with pytest.raises(ZeroDivisionError):
            torch_rates(lambda o, s=steps, p=pct: S.OneCycleLR(o, 1.0, s, pct_start=p), steps)
        with pytest.raises(EngineError) as err:
            compute("lr_schedule", schedule="onecycle", max_lr=1.0, steps=steps, pct_start=pct)
        assert err.value.arg == "pct_start"


def test_closed_forms_agree_with_the_recursions():
    """The module docstring's formulas describe what torch's recursions give."""
    steps = 40
    for size, gamma in ((3, 0.5), (7, 0.9)):
        got = compute(
            "lr_schedule", schedule="step", base_lr=0.1, steps=steps, step_size=size, gamma=gamma
        )
        np.testing.assert_allclose(
            got, [0.1 * gamma ** (t // size) for t in range(steps)], rtol=1e-13
        )
    got = compute("lr_schedule", schedule="cosine", base_lr=0.1, steps=steps, T_max=7, eta_min=0.01)
    want = [0.01 + 0.09 * (1 + math.cos(math.pi * t / 7)) / 2 for t in range(steps)]
    np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-15)
    for w in (1, 4, 9):
        got = compute(
            "lr_schedule",
            schedule="warmup_cosine",
            base_lr=0.1,
            steps=steps,
            warmup_steps=w,
            T_max=7,
            eta_min=0.01,
        )
        warm = [0.1 * (1 / w + (1 - 1 / w) * t / w) for t in range(w)]
        cosine = [0.01 + 0.09 * (1 + math.cos(math.pi * t / 7)) / 2 for t in range(steps - w)]
        np.testing.assert_allclose(got, warm + cosine, rtol=1e-11, atol=1e-15)
