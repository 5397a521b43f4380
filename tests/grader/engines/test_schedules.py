"""Unit tests of lr_schedule: values worked by hand and refused arguments.

Step-by-step agreement with torch.optim.lr_scheduler is checked in
tests/reference/test_schedules_reference.py.
"""

import math

import pytest

from grader.engines.registry import compute
from grader.engines.schedules import lr_schedule
from grader.errors import EngineError


def rates(**args):
    return compute("lr_schedule", **args)


def test_step_decays_at_multiples_of_step_size():
    got = rates(schedule="step", base_lr=1, steps=7, step_size=3, gamma=0.5)
    assert got == [1, 1, 1, 0.5, 0.5, 0.5, 0.25]


def test_step_gamma_defaults_to_torchs_tenth():
    assert rates(schedule="step", base_lr=1, steps=3, step_size=1) == pytest.approx([1, 0.1, 0.01])


def test_multistep_decays_from_each_milestone_on():
    got = rates(schedule="multistep", base_lr=1, steps=6, milestones=[2, 4], gamma=0.5)
    assert got == [1, 1, 0.5, 0.5, 0.25, 0.25]


def test_multistep_repeated_unsorted_and_zero_milestones_count_as_in_torch():
    # Counter semantics: 3 twice → γ² at step 3; milestone 0 already lowers step 0
    got = rates(schedule="multistep", base_lr=1, steps=5, milestones=[3, 0, 3], gamma=0.5)
    assert got == [0.5, 0.5, 0.5, 0.125, 0.125]
    assert rates(schedule="multistep", base_lr=1, steps=3, milestones=[]) == [1, 1, 1]


def test_exponential():
    assert rates(schedule="exponential", base_lr=2, steps=4, gamma=0.5) == [2, 1, 0.5, 0.25]


def test_cosine_by_hand():
    # T_max = 4: (1 + cos(πt/4))/2 = 1, (2 + √2)/4, ½, (2 − √2)/4, 0
    got = rates(schedule="cosine", base_lr=1, steps=5, T_max=4)
    want = [1, (2 + math.sqrt(2)) / 4, 0.5, (2 - math.sqrt(2)) / 4, 0]
    assert got == pytest.approx(want, abs=1e-15)


def test_cosine_eta_min_and_beyond_t_max_climbs_back():
    # η_min + (base − η_min)(1 + cos(πt/2))/2 with base 1, η_min 0.2: 1, 0.6, 0.2, 0.6, 1, 0.6
    got = rates(schedule="cosine", base_lr=1, steps=6, T_max=2, eta_min=0.2)
    assert got == pytest.approx([1, 0.6, 0.2, 0.6, 1, 0.6], abs=1e-15)


def test_cosine_t_max_one_alternates():
    got = rates(schedule="cosine", base_lr=0.5, steps=4, T_max=1)
    assert got == pytest.approx([0.5, 0, 0.5, 0], abs=1e-15)


def test_warmup_cosine_by_hand():
    # warmup 4: factors 1/4 + (3/4)·t/4 = 0.25, 0.4375, 0.625, 0.8125; then the cosine, T_max 2
    got = rates(schedule="warmup_cosine", base_lr=2, steps=8, warmup_steps=4, T_max=2)
    assert got == pytest.approx([0.5, 0.875, 1.25, 1.625, 2, 1, 0, 1], abs=1e-14)


def test_warmup_of_one_step_is_the_plain_cosine():
    warm = rates(schedule="warmup_cosine", base_lr=0.3, steps=9, warmup_steps=1, T_max=5)
    cosine = rates(schedule="cosine", base_lr=0.3, steps=8, T_max=5)
    assert warm[0] == 0.3
    assert warm[1:] == pytest.approx(cosine, rel=1e-14)


def test_warmup_longer_than_the_run():
    got = rates(schedule="warmup_cosine", base_lr=1, steps=3, warmup_steps=10, T_max=5)
    assert got == pytest.approx([0.1, 0.19, 0.28], rel=1e-14)


def test_onecycle_by_hand():
    # steps 10, pct_start 0.3: up from 0.04 to 1 over steps 0..2 (phase end 2.0), then down
    # to 0.04/1e4 over steps 2..9: value at step 2 + 3.5 would be the midpoint
    got = rates(schedule="onecycle", max_lr=1, steps=10)
    assert got[0] == pytest.approx(0.04, rel=1e-15)
    assert got[1] == pytest.approx(0.04 + 0.96 * 0.5, rel=1e-15)  # cos(π/2): half way
    assert got[2] == 1
    assert got[9] == pytest.approx(4e-6, rel=1e-12)
    pct = (5 - 2) / 7
    mid = 4e-6 + (1 - 4e-6) / 2 * (1 + math.cos(math.pi * pct))
    assert got[5] == pytest.approx(mid, rel=1e-15)


def test_onecycle_ignores_base_lr_and_other_schedules_ignore_onecycle_args():
    a = rates(schedule="onecycle", max_lr=0.1, steps=5, base_lr=7, gamma=0.5)
    assert a == rates(schedule="onecycle", max_lr=0.1, steps=5)
    b = rates(schedule="exponential", base_lr=1, steps=3, gamma=0.5, max_lr=9, pct_start=0.9)
    assert b == [1, 0.5, 0.25]


def test_onecycle_zero_length_phase_is_refused_where_torch_divides_by_zero():
    # pct_start·steps = 1: the first phase ends at step 0, and torch computes 0/0 there
    with pytest.raises(EngineError) as err:
        rates(schedule="onecycle", max_lr=1, steps=10, pct_start=0.1)
    assert err.value.arg == "pct_start"
    with pytest.raises(EngineError) as err:
        rates(schedule="onecycle", max_lr=1, steps=1, pct_start=1.0)
    assert err.value.arg == "pct_start"
    # pct_start = 0 puts every step in the second phase, which torch accepts
    assert rates(schedule="onecycle", max_lr=1, steps=1, pct_start=0) == [pytest.approx(4e-6)]


def test_answer_is_a_list_of_floats_of_length_steps():
    got = rates(schedule="cosine", base_lr=1, steps=17, T_max=5)
    assert len(got) == 17 and all(type(v) is float for v in got)
    assert lr_schedule(schedule="step", base_lr=1, steps=1, step_size=1) == [1.0]


@pytest.mark.parametrize(
    ("args", "arg", "code"),
    [
        ({"schedule": "linear", "base_lr": 1, "steps": 3}, "schedule", "bad_arg"),
        ({"schedule": "step", "base_lr": 1, "steps": 0, "step_size": 1}, "steps", "bad_arg"),
        ({"schedule": "step", "base_lr": 1, "steps": 10001, "step_size": 1}, "steps", "bad_arg"),
        ({"schedule": "step", "base_lr": 1, "steps": 3}, "step_size", "missing_arg"),
        ({"schedule": "step", "base_lr": 1, "steps": 3, "step_size": 0}, "step_size", "bad_arg"),
        ({"schedule": "step", "steps": 3, "step_size": 1}, "base_lr", "missing_arg"),
        ({"schedule": "step", "base_lr": 0, "steps": 3, "step_size": 1}, "base_lr", "bad_arg"),
        ({"schedule": "exponential", "base_lr": 1, "steps": 3}, "gamma", "missing_arg"),
        ({"schedule": "exponential", "base_lr": 1, "steps": 3, "gamma": -1}, "gamma", "bad_arg"),
        ({"schedule": "multistep", "base_lr": 1, "steps": 3}, "milestones", "missing_arg"),
        (
            {"schedule": "multistep", "base_lr": 1, "steps": 3, "milestones": [1, -2]},
            "milestones[1]",
            "bad_arg",
        ),
        (
            {"schedule": "multistep", "base_lr": 1, "steps": 3, "milestones": 2},
            "milestones",
            "bad_arg",
        ),
        (
            {"schedule": "multistep", "base_lr": 1, "steps": 3, "milestones": [1] * 1001},
            "milestones",
            "too_large",
        ),
        ({"schedule": "cosine", "base_lr": 1, "steps": 3}, "T_max", "missing_arg"),
        ({"schedule": "cosine", "base_lr": 1, "steps": 3, "T_max": 0}, "T_max", "bad_arg"),
        ({"schedule": "cosine", "base_lr": 1, "steps": 3, "T_max": 10**10}, "T_max", "bad_arg"),
        (
            {"schedule": "cosine", "base_lr": 1, "steps": 3, "T_max": 2, "eta_min": -0.1},
            "eta_min",
            "bad_arg",
        ),
        (
            {"schedule": "warmup_cosine", "base_lr": 1, "steps": 3, "T_max": 2},
            "warmup_steps",
            "missing_arg",
        ),
        (
            {"schedule": "warmup_cosine", "base_lr": 1, "steps": 3, "T_max": 2, "warmup_steps": 0},
            "warmup_steps",
            "bad_arg",
        ),
        ({"schedule": "onecycle", "steps": 3}, "max_lr", "missing_arg"),
        (
            {"schedule": "onecycle", "steps": 3, "max_lr": 1, "pct_start": 1.5},
            "pct_start",
            "bad_arg",
        ),
        (
            {"schedule": "exponential", "base_lr": 1, "steps": 2000, "gamma": 10},
            "gamma",
            "not_finite",
        ),
        (
            {
                "schedule": "multistep",
                "base_lr": 1,
                "steps": 3,
                "milestones": [1] * 999,
                "gamma": 1e10,
            },
            "gamma",
            "not_finite",
        ),
    ],
)
def test_bad_args(args, arg, code):
    with pytest.raises(EngineError) as err:
        rates(**args)
    assert (err.value.arg, err.value.code) == (arg, code)


def test_missing_argument_message_names_the_schedule():
    with pytest.raises(EngineError) as err:
        rates(schedule="cosine", base_lr=1, steps=3)
    assert "T_max" in err.value.message and "cosine" in err.value.message
