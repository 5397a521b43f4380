"""Learning-rate schedules, step by step, exactly as ``torch.optim.lr_scheduler`` reports them.

Convention: the answer is the list of the learning rates of steps 0, 1, …, steps − 1 — what
``scheduler.get_last_lr()[0]`` gives right after the scheduler is built and then after each
``optimizer.step(); scheduler.step()``. Torch updates most schedules *recursively*, each rate
from the previous one in Python floats; this module repeats the same operations in the same
order, so its numbers are torch's to the last bit:

* step (``StepLR``): lr ← lr·γ at every positive multiple of step_size (≈ base·γ^⌊t/step_size⌋);
  γ defaults to torch's 0.1.
* multistep (``MultiStepLR``): lr ← lr·γⁿ at a step that occurs n times among the milestones
  (any order; a repeated milestone counts twice, as torch's ``Counter`` does; a milestone 0
  already lowers step 0); γ defaults to 0.1.
* exponential (``ExponentialLR``): lr ← lr·γ from step 1 on.
* cosine (``CosineAnnealingLR``): ≈ η_min + (base − η_min)·(1 + cos(π·t/T_max))/2 through
  torch's recursion. Beyond T_max torch does not stop at η_min: the same cosine climbs back to
  base at 2·T_max, and so on — the answer follows it.
* warmup_cosine (``SequentialLR`` of ``LinearLR(start_factor=1/warmup_steps,
  total_iters=warmup_steps)`` and ``CosineAnnealingLR(T_max, eta_min)`` with the milestone
  warmup_steps): base·(1/w + (1 − 1/w)·t/w) for t < w = warmup_steps (recursively), then the
  cosine restarted at t = w from base (torch's closed form at 0), with t − w as its step.
* onecycle (``OneCycleLR`` with torch's defaults: anneal_strategy="cos", div_factor=25,
  final_div_factor=1e4, three_phase=False, total_steps = steps): a cosine from max_lr/25 up to
  max_lr, reached at step pct_start·steps − 1, then a cosine down to max_lr/25/10⁴ at the last
  step. OneCycleLR overwrites the optimizer's rate, so base_lr plays no part. Where torch
  divides 0 by 0 — a step in a phase of zero length: pct_start·steps = 1, or pct_start = 1 with
  steps = 1 — pct_start is refused.

Arguments a schedule does not use are ignored (not checked), so one call can serve a template
whose parameter picks the schedule.
"""

from __future__ import annotations

import math
from collections import Counter

from grader.engines._args import as_choice, as_float, as_int, as_int_list, fail
from grader.engines.registry import engine
from grader.i18n import _

__all__ = ["lr_schedule", "SCHEDULES"]

SCHEDULES = ("step", "multistep", "exponential", "cosine", "warmup_cosine", "onecycle")
MAX_STEPS = 10_000
MAX_MILESTONES = 1000
MAX_PERIOD = 10**9  # step_size, T_max, warmup_steps, milestones: any more is never reached

_DIV_FACTOR = 25.0
_FINAL_DIV_FACTOR = 1e4


def _required(arg: str, value, schedule: str):
    if value is None:
        fail(
            arg,
            _("обязателен для расписания %(schedule)s") % {"schedule": schedule},
            code="missing_arg",
        )
    return value


def _positive(arg: str, value, schedule: str) -> float:
    return as_float(arg, _required(arg, value, schedule), min=0, min_open=True)


def _period(arg: str, value, schedule: str) -> int:
    return as_int(arg, _required(arg, value, schedule), min=1, max=MAX_PERIOD)


def _milestones(value) -> Counter:
    value = _required("milestones", value, "multistep")
    if isinstance(value, (list, tuple)) and len(value) > MAX_MILESTONES:
        fail(
            "milestones",
            _("слишком много вех (%(n)s), допустимо не больше %(max)s")
            % {"n": len(value), "max": MAX_MILESTONES},
            code="too_large",
        )
    milestones = as_int_list("milestones", value, min=0)
    for i, m in enumerate(milestones):
        as_int(f"milestones[{i}]", m, max=MAX_PERIOD)
    return Counter(milestones)


def _stepwise(schedule, steps, base_lr, gamma, step_size, milestones):
    """StepLR, MultiStepLR and ExponentialLR: lr ← lr·γ^n on the steps where they decay."""
    lr = base_lr
    rates = []
    for t in range(steps):
        if schedule == "step":
            if t != 0 and t % step_size == 0:
                lr = lr * gamma
        elif schedule == "multistep":
            if t in milestones:
                lr = lr * gamma ** milestones[t]
        elif t != 0:
            lr = lr * gamma
        rates.append(lr)
    return rates


def _cosine_next(lr, t, base_lr, eta_min, t_max):
    """CosineAnnealingLR.get_lr at its step t ≥ 1 from the rate of step t − 1 (torch's way)."""
    if (t - 1 - t_max) % (2 * t_max) == 0:
        return lr + (base_lr - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
    return (1 + math.cos(math.pi * t / t_max)) / (1 + math.cos(math.pi * (t - 1) / t_max)) * (
        lr - eta_min
    ) + eta_min


def _cosine(steps, base_lr, eta_min, t_max, warmup):
    """CosineAnnealingLR, alone (warmup 0) or after LinearLR inside SequentialLR."""
    rates = []
    if warmup:
        start = 1.0 / warmup
        lr = base_lr * start
        rates.append(lr)
        for t in range(1, min(warmup, steps)):
            lr = lr * (1.0 + (1.0 - start) / (warmup * start + (t - 1) * (1.0 - start)))
            rates.append(lr)
        if steps <= warmup:
            return rates
        # SequentialLR starts the cosine with its closed form at step 0
        lr = eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * 0 / t_max)) / 2
    else:
        lr = base_lr
    rates.append(lr)
    for t in range(1, steps - warmup):
        lr = _cosine_next(lr, t, base_lr, eta_min, t_max)
        rates.append(lr)
    return rates


def _anneal_cos(start, end, pct):
    cos_out = math.cos(math.pi * pct) + 1
    return end + (start - end) / 2.0 * cos_out


def _onecycle(steps, max_lr, pct_start):
    initial = max_lr / _DIV_FACTOR
    phases = [
        (float(pct_start * steps) - 1, initial, max_lr),
        (steps - 1, max_lr, initial / _FINAL_DIV_FACTOR),
    ]
    rates = []
    for t in range(steps):
        start_step = 0.0
        for i, (end_step, start_lr, end_lr) in enumerate(phases):
            if t <= end_step or i == len(phases) - 1:
                if end_step == start_step:
                    fail(
                        "pct_start",
                        _(
                            "фаза OneCycleLR от шага %(start)s до шага %(end)s пуста, а шаг "
                            "%(t)s попадает в неё: torch здесь делит на ноль (pct_start·steps "
                            "не должно быть равно 1, а pct_start = 1 недопустим)"
                        )
                        % {"start": start_step, "end": end_step, "t": t},
                    )
                pct = (t - start_step) / (end_step - start_step)
                rates.append(_anneal_cos(start_lr, end_lr, pct))
                break
            start_step = end_step
    return rates


@engine("lr_schedule")
def lr_schedule(
    *,
    schedule,
    base_lr=None,
    steps,
    step_size=None,
    gamma=None,
    milestones=None,
    T_max=None,
    eta_min=0,
    warmup_steps=None,
    max_lr=None,
    pct_start=0.3,
):
    """Learning rates of steps 0 … steps − 1 under a torch.optim.lr_scheduler schedule.

    ``schedule`` is "step" (``base_lr``, ``step_size``, ``gamma`` = 0.1), "multistep"
    (``base_lr``, ``milestones``, ``gamma`` = 0.1), "exponential" (``base_lr``, ``gamma``),
    "cosine" (``base_lr``, ``T_max``, ``eta_min`` = 0), "warmup_cosine" (the cosine's arguments
    and ``warmup_steps``: LinearLR from base_lr/warmup_steps, then CosineAnnealingLR) or
    "onecycle" (``max_lr``, ``pct_start`` = 0.3, torch's other defaults; base_lr is not used).
    The rates are those ``get_last_lr()`` reports after each ``scheduler.step()`` (the module
    docstring gives the formulas); arguments the schedule does not use are ignored.

    >>> lr_schedule(schedule="step", base_lr=0.1, steps=5, step_size=2, gamma=0.5)
    [0.1, 0.1, 0.05, 0.05, 0.025]
    >>> [round(v, 6) for v in lr_schedule(schedule="cosine", base_lr=1, steps=5, T_max=2)]
    [1.0, 0.5, 0.0, 0.5, 1.0]
    >>> [round(v, 6) for v in lr_schedule(schedule="warmup_cosine", base_lr=1, steps=5,
    ...     warmup_steps=2, T_max=2)]
    [0.5, 0.75, 1.0, 0.5, 0.0]
    """
    schedule = as_choice("schedule", schedule, SCHEDULES)
    steps = as_int("steps", steps, min=1, max=MAX_STEPS)
    if schedule == "onecycle":
        max_lr = _positive("max_lr", max_lr, schedule)
        pct_start = as_float("pct_start", pct_start, min=0, max=1)
        rates = _onecycle(steps, max_lr, pct_start)
    else:
        base_lr = _positive("base_lr", base_lr, schedule)
        if schedule in ("cosine", "warmup_cosine"):
            t_max = _period("T_max", T_max, schedule)
            eta_min = as_float("eta_min", eta_min, min=0)
            warmup = 0
            if schedule == "warmup_cosine":
                warmup = _period("warmup_steps", warmup_steps, schedule)
            rates = _cosine(steps, base_lr, eta_min, t_max, warmup)
        else:
            if schedule == "exponential":
                gamma = _required("gamma", gamma, schedule)
            gamma = as_float("gamma", 0.1 if gamma is None else gamma, min=0, min_open=True)
            size = _period("step_size", step_size, schedule) if schedule == "step" else None
            counts = _milestones(milestones) if schedule == "multistep" else None
            try:
                rates = _stepwise(schedule, steps, base_lr, gamma, size, counts)
            except OverflowError:  # γ ** n of a milestone repeated many times
                rates = [math.inf]
            if not all(math.isfinite(lr) for lr in rates):
                fail(
                    "gamma",
                    _("скорость обучения перестала быть конечным числом (слишком большой gamma)"),
                    code="not_finite",
                )
    return rates
