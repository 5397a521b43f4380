"""The bounded grader: grade/preview/grade_many in child processes under OS limits.

Times are measured with generous bounds: this checks a safety property (a hostile answer cannot
hold a worker), not speed; bench/bench_sandbox.py prints the figures.
"""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import grader
from grader import grading, sandbox
from grader.errors import SpecError

EXPRESSION = {
    "kind": "expression",
    "variables": ["t"],
    "functions": {"f": "sigmoid"},
    "answer": {"expr": "f(t) * (1 - f(t))"},
}
NUMERIC = {"kind": "numeric", "answer": {"value": 0.25}}
HOSTILE = [
    "(2*t)^(10^300)",
    "t^(10^300)",
    "(2*t)^(10^9)",
    "(t+1)!^(10^5)",
    "t^(t^(t^99))",
    "((t^99)^99)^99",
    "(10^9)!",
    "exp(exp(exp(99)))",
    "sqrt(t)^(10^300)",
    "(t/3)^(-10^9)",
]
REFUSED = {"too_large", "too_costly", "bad_char"}  # "!" is not in the language at all
LIMIT = 2.0  # seconds a hostile call may take, start to end


def _rss_kb() -> int:
    with open("/proc/self/status") as status:
        line = next(x for x in status if x.startswith("VmRSS:"))
    return int(line.split()[1])


@pytest.fixture
def warm():
    """Both children up and warm, so a measured call does not include a child's start."""
    sandbox.warm_up()


def test_grade_and_preview_give_what_the_in_process_grader_gives(warm):
    for raw in ("f(t)*(1-f(t))", "f(t)*(1+f(t))", "f(t)*(1-"):
        bounded, direct = grader.grade(EXPRESSION, None, raw), grading.grade(EXPRESSION, None, raw)
        assert isinstance(bounded, grading.GradeResult)
        assert bounded == direct
        assert grader.preview(EXPRESSION, None, raw) == grading.preview(EXPRESSION, None, raw)
    assert grader.grade is sandbox.grade and grader.preview is sandbox.preview


def test_a_broken_spec_still_raises(warm):
    with pytest.raises(SpecError) as caught:
        grader.grade({"kind": "ordering"}, None, "1")
    assert caught.value.code == "unknown_kind"
    with pytest.raises(SpecError):
        grader.preview({"kind": "numeric", "answer": {"engine": "nope"}}, None, "1")


@pytest.mark.parametrize("raw", HOSTILE)
def test_hostile_expressions_are_invalid_fast(warm, raw):
    start = time.monotonic()
    result = grader.grade(EXPRESSION, None, raw)
    shown = grader.preview(EXPRESSION, None, raw)
    assert time.monotonic() - start < 2 * LIMIT  # two calls
    assert result.status == "invalid" and result.error["code"] in REFUSED, result
    assert shown["ok"] is False and shown["code"] in REFUSED
    assert "слишком" in result.feedback or shown["code"] == "bad_char"
    assert grader.grade(EXPRESSION, None, "f(t)*(1-f(t))").correct


def test_the_memory_bomb_without_the_parser_rule_is_killed_or_refused(warm):
    before = _rss_kb()
    for exponent in (10**300, 10**9):
        start = time.monotonic()
        outcome = sandbox._probe("_sympy_power", exponent)
        assert time.monotonic() - start < LIMIT + 0.5
        assert outcome[0] == "refused" and outcome[1] in ("timeout", "memory", "crashed")
        sandbox.warm_up()
    assert grader.grade(NUMERIC, None, "1/4").correct
    assert _rss_kb() - before < 20_000  # the parent holds nothing of it


def test_address_space_limit_refuses_a_large_allocation_and_the_child_is_replaced(warm):
    before = _rss_kb()
    assert sandbox._probe("_allocate", 8) == ("ok", 8 * 2**20)
    start = time.monotonic()
    assert sandbox._probe("_allocate", 4096) == ("refused", "memory")
    assert time.monotonic() - start < LIMIT
    assert sandbox._probe("_allocate", 8) == ("ok", 8 * 2**20)
    assert _rss_kb() - before < 20_000


def test_wall_clock_kills_a_busy_child(warm):
    start = time.monotonic()
    assert sandbox._probe("_spin", 30) == ("refused", "timeout")
    assert time.monotonic() - start < LIMIT + 0.5
    assert grader.preview(NUMERIC, None, "0,25")["ok"]


def test_a_crashed_child_is_replaced(warm):
    assert sandbox._probe("_abort", None) == ("refused", "crashed")
    assert grader.grade(NUMERIC, None, "0,25").correct


def test_a_refusal_is_an_invalid_verdict_with_a_code(warm, monkeypatch):
    # The refusal path of grade/preview, whatever made the child fail.
    monkeypatch.setattr(sandbox, "_run", lambda op, items: [("refused", "timeout")])
    result = grader.grade(EXPRESSION, None, "t")
    assert result.status == "invalid" and not result.correct
    assert result.error["code"] == "too_costly" and result.error["reason"] == "timeout"
    assert result.feedback.startswith("Выражение слишком сложное для проверки")
    shown = grader.preview(EXPRESSION, None, "t")
    assert shown == {"ok": False, "message": result.feedback, "code": "too_costly"}


def test_grade_many_grades_a_batch_in_order():
    results = grader.grade_many(
        [
            (NUMERIC, None, "0,25"),
            (NUMERIC, None, "1"),
            (EXPRESSION, None, "(2*t)^(10^300)"),
            ({"kind": "ordering"}, None, "1"),
            (EXPRESSION, None, "f(t)*(1-f(t))"),
        ]
    )
    assert [r["status"] for r in results] == ["graded", "graded", "invalid", "error", "graded"]
    assert [r["correct"] for r in results if r["status"] == "graded"] == [True, False, True]
    assert results[2]["error"]["code"] == "too_large"
    assert results[3]["error"]["code"] == "unknown_kind"
    assert grader.grade_many([]) == []


def test_preview_many_previews_a_batch_in_order():
    # An attempt's drafts, in one round trip: «42» for a vector cannot be read (issue 12).
    vector = {"kind": "vector", "answer": {"value": [0, 2, 0]}}
    items = [
        (NUMERIC, None, "0,25"),
        (vector, None, "42"),
        ({"kind": "ordering"}, None, "1"),
        (vector, None, "[0; 2; 0]"),
    ]
    results = grader.preview_many(items)
    assert results[0] == grading.preview(NUMERIC, None, "0,25")
    assert results[1]["ok"] is False and results[1]["code"] == "wrong_shape"
    assert results[2] is None  # a broken question says nothing about the answer
    assert results[3] == grading.preview(vector, None, "[0; 2; 0]") and results[3]["ok"]
    assert grader.preview_many([]) == []


def test_a_batch_goes_on_after_an_item_that_exceeds_its_budget(warm):
    pool = sandbox._current_pool()
    item = ("grade", (NUMERIC, None, "0,25"))
    start = time.monotonic()
    outcomes = pool.run([item, ("_spin", (30,)), item, ("_abort", (None,)), item], None)
    assert time.monotonic() - start < 2 * LIMIT + 10  # two refusals, two fresh children
    assert [o[0] for o in outcomes] == ["ok", "refused", "ok", "refused", "ok"]
    assert outcomes[1][1] == "timeout" and outcomes[3][1] == "crashed"
    assert all(o[1]["correct"] for o in outcomes[::2])


def test_a_long_batch_is_split_between_the_children_and_keeps_its_order(warm, monkeypatch):
    """A worker's batch of 100 is graded by every child side by side; the results come back in
    the order of the answers, a refused one in its place."""
    used = set()
    real_stream = sandbox._Child.stream

    def stream(child, *args):
        used.add(id(child))
        return real_stream(child, *args)

    monkeypatch.setattr(sandbox._Child, "stream", stream)
    items = [({"kind": "numeric", "answer": {"value": n}}, None, str(n)) for n in range(40)]
    items[25] = (items[25][0], None, "(2*t)^(10^300)")
    results = grader.grade_many(items)
    assert len(results) == 40 and len(used) == sandbox.settings().workers >= 2
    assert [r["status"] for r in results].count("invalid") == 1
    assert results[25]["status"] == "invalid" and results[25]["error"]["code"]
    assert all(r["correct"] for n, r in enumerate(results) if n != 25)


def test_threads_get_their_own_answers(warm):
    errors = []

    def work(n):
        spec = {"kind": "numeric", "answer": {"value": n}}
        for i in range(15):
            try:
                assert grader.grade(spec, None, str(n)).correct
                assert not grader.grade(spec, None, str(n + 1)).correct
                assert grader.preview(spec, None, f"{n}")["display"].endswith(str(n))
            except AssertionError as exc:  # pragma: no cover - reported below
                errors.append((n, i, exc))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


TOKENS = list("0123456789tx^*!()+-/.,e ") + ["exp(", "f(", "10^", "^(", "sqrt(", "99"]


@settings(
    max_examples=120,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.sampled_from(TOKENS), max_size=24).map("".join))
def test_any_expression_is_answered_within_the_budget(warm, raw):
    start = time.monotonic()
    result = grader.grade(EXPRESSION, None, raw)
    shown = grader.preview(EXPRESSION, None, raw)
    # Generous: a refusal kills a child, and the next call may wait for a replacement to start.
    assert time.monotonic() - start < 2 * LIMIT + 6
    assert result.status in ("graded", "invalid")
    assert isinstance(shown, dict) and "ok" in shown


PARAMETRIC = {
    "kind": "numeric",
    "text": "${{ a }} \\cdot {{ b }}$?",
    "params": {
        "a": {"type": "int", "min": 1, "max": 9, "default": 2},
        "b": {"type": "int", "min": 1, "max": 9, "default": 3},
    },
    "answer": {"expr": "a * b"},
    "mistakes": [{"id": "sum", "answer": {"expr": "a + b + 100"}}],
}


def test_a_bank_question_is_checked_in_a_child_as_in_process(warm):
    from grader import checks

    assert grader.check_question(PARAMETRIC, 30) == checks.check_question(PARAMETRIC, 30)
    broken = dict(PARAMETRIC, answer={"expr": "a * c"})
    problems = grader.check_question(broken, 5)
    assert problems and all(isinstance(m, str) and code for m, code in problems)


def test_a_bank_question_whose_checks_exceed_their_budget_is_too_costly():
    """A bank file's question costs at most its budget: refused with a code, the pool goes on."""
    saved = sandbox.settings()
    sandbox.configure(
        workers=saved.workers,
        memory_mb=saved.memory_mb,
        timeout=saved.timeout,
        check_timeout=0.2,
        locale_dirs=saved.locale_dirs,
        language=saved.language,
    )
    try:
        sandbox.warm_up()
        started = time.monotonic()
        problems = grader.check_question(PARAMETRIC, 200_000)
        assert time.monotonic() - started < 5
        assert [code for _, code in problems] == ["too_costly"]
        assert "не уложилась" in problems[0][0]
        assert grader.grade(NUMERIC, None, "0,25").correct  # the pool still serves
    finally:
        sandbox.configure(
            workers=saved.workers,
            memory_mb=saved.memory_mb,
            timeout=saved.timeout,
            check_timeout=saved.check_timeout,
            locale_dirs=saved.locale_dirs,
            language=saved.language,
        )
