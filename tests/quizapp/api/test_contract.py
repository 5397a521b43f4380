"""The API keeps its schema's promises, case by case (schemathesis finds such cases at random;
these pin the ones an independent run found, so each stays fixed):

- every path under /api/v1/ answers JSON in the error shape, whatever the URL and method;
- ids and dates are range-checked; every date-time returned is RFC 3339;
- an empty filter, ``0`` for a boolean, ``"5"`` for a number, an unknown field are refused;
- a schema-valid request refused by the data gets 404, 409 or 422, never 400;
- the schema states what the server checks (bounds, ``additionalProperties``, ``oneOf``).
"""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from quizapp.api.fields import MAX_ID

from .conftest import error_code, post_json

pytestmark = pytest.mark.django_db

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
TOO_BIG = str(2**63)  # one past SQLite's INTEGER: reached the database as an OverflowError


@pytest.fixture
def schema():
    return APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()


# --- JSON everywhere ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/quizzes/abc/"),
        ("delete", "/api/v1/banks/null,null/"),
        ("post", "/api/v1/attempts/not-a-uuid/finish/"),
        ("put", "/api/v1/attempts/0b7f3c1e-0000-4000-8000-000000000000/items/x/draft/"),
        ("get", f"/api/v1/topics/{'9' * 19}/"),
        ("patch", "/api/v1/no-such-thing/"),
        ("get", "/api/v1/"),
    ],
)
def test_a_path_that_names_no_operation_gets_a_json_404(lms, method, path):
    response = getattr(lms, method)(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


def test_a_post_to_no_operation_is_not_the_html_csrf_page(instructor):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(instructor)
    response = client.post("/api/v1/quizzes/abc/", {}, format="json")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"


def test_a_missing_slash_is_named(lms):
    response = lms.get("/api/v1/quizzes")
    assert response.status_code == 404
    assert "/api/v1/quizzes/" in response.json()["error"]["message"]


def test_a_wrong_method_is_a_json_405(lms, quiz):
    response = lms.put(f"/api/v1/quizzes/{quiz.pk}/", {}, format="json")
    assert response.status_code == 405 and error_code(response) == "method_not_allowed"


# --- ranges -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/topics/?bank={TOO_BIG}",
        f"/api/v1/questions/?topic={TOO_BIG}",
        f"/api/v1/questions/?bank={MAX_ID + 1}",
        f"/api/v1/attempts/?course={TOO_BIG}",
        f"/api/v1/attempts/?user={TOO_BIG}",
        f"/api/v1/banks/?page={TOO_BIG}",
    ],
)
def test_an_id_too_large_is_refused_not_a_server_error(lms, quiz, url):
    response = lms.get(url)
    assert response.status_code == 400 and error_code(response) == "invalid"


def test_the_largest_id_is_looked_up(lms, quiz):
    assert lms.get(f"/api/v1/topics/?bank={MAX_ID}").json()["count"] == 0
    assert lms.get(f"/api/v1/quizzes/{MAX_ID}/").status_code == 404
    refused = post_json(lms, "/api/v1/attempts/", {"quiz": quiz.pk, "user": MAX_ID})
    assert refused.status_code == 404 and error_code(refused) == "does_not_exist"


@pytest.mark.parametrize(
    "when", ["0185-08-03T04:00:00Z", "1999-12-31T23:59:59Z", "2101-01-01T00:00:00Z"]
)
def test_a_date_outside_sane_years_is_refused(lms, quiz, when):
    response = lms.patch(f"/api/v1/quizzes/{quiz.pk}/", {"opens_at": when}, format="json")
    assert response.status_code == 400 and "opens_at" in response.json()["error"]["fields"]
    filtered = lms.get("/api/v1/attempts/", {"started_after": when})
    assert filtered.status_code == 400


def test_the_year_as_written_is_the_rule(lms, quiz):
    # 2100-12-31 23:00 at −05:00 is 2101 in UTC: the pattern admits it, so the server does too.
    response = lms.patch(
        f"/api/v1/quizzes/{quiz.pk}/", {"closes_at": "2100-12-31T23:00:00-05:00"}, format="json"
    )
    assert response.status_code == 200, response.content


def test_every_date_time_returned_is_rfc_3339(lms, quiz, settings):
    settings.TIME_ZONE = "Europe/Moscow"
    response = lms.patch(
        f"/api/v1/quizzes/{quiz.pk}/",
        {"opens_at": "2000-01-01T00:00:00Z", "closes_at": "2100-12-31T23:59:00+05:45"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    for name in ("opens_at", "closes_at", "created_at"):
        assert RFC3339.match(body[name]), (name, body[name])


# --- values the schema excludes ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/attempts/?status=",
        "/api/v1/questions/?kind=",
        "/api/v1/quizzes/?ordering=",
        "/api/v1/quizzes/?mine=",
        "/api/v1/banks/?page_size=",
    ],
)
def test_an_empty_filter_is_refused(lms, quiz, url):
    response = lms.get(url)
    assert response.status_code == 400 and error_code(response) == "invalid"


def test_an_empty_enrolment_filter_is_refused(lms):
    course = post_json(lms, "/api/v1/courses/", {"code": "c1", "title": "Курс"}).json()
    response = lms.get(f"/api/v1/courses/{course['id']}/enrollments/?external_id=")
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/v1/quizzes/", "mine=0"),
        ("/api/v1/quizzes/", "is_published=1"),
        ("/api/v1/banks/", "page_size=201"),
    ],
)
def test_a_query_value_outside_the_schema_is_refused(lms, url, param):
    assert lms.get(f"{url}?{param}").status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"code": "c1", "title": "Курс", "join_enabled": 0},
        {"code": "c1", "title": 5},
        {"code": "c1", "title": "   "},
        {"code": "c1", "title": "Курс\x00"},
        {"code": "c1", "title": "Курс", "colour": "red"},
    ],
)
def test_a_body_value_outside_the_schema_is_refused(lms, body):
    response = post_json(lms, "/api/v1/courses/", body)
    assert response.status_code == 400 and error_code(response) == "invalid", response.content


def test_a_number_as_text_is_refused(lms, quiz):
    response = post_json(lms, "/api/v1/attempts/", {"quiz": str(quiz.pk)})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["quiz"][0]["code"] == "wrong_type"


def test_an_unknown_field_and_a_missing_one_are_named_together(lms, quiz):
    response = post_json(lms, "/api/v1/attempts/", {"quizz": quiz.pk})
    fields = response.json()["error"]["fields"]
    assert fields["quizz"][0]["code"] == "unknown_field"
    assert fields["quiz"][0]["code"] == "required"


def _quiz_with_points(client, quiz, points):
    question = quiz.items.first().question_id
    return post_json(
        client,
        "/api/v1/quizzes/",
        {"slug": "p", "title": "P", "items": [{"question": question, "points": points}]},
    )


@pytest.mark.parametrize("points", ["-5", "0", "0.00", "7.", " 1", "1000.01", "1.005", 2])
def test_points_outside_the_pattern_are_refused(lms, quiz, points):
    response = _quiz_with_points(lms, quiz, points)
    assert response.status_code == 400, response.content


@pytest.mark.parametrize("points", ["1", "0.5", ".25", "0.01", "1000", "1000.00", "999.99"])
def test_points_in_the_pattern_are_taken(lms, quiz, points):
    response = _quiz_with_points(lms, quiz, points)
    assert response.status_code == 201, response.content


def test_a_wrong_credential_beside_a_session_is_refused(instructor_api):
    instructor_api.credentials(HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert instructor_api.get("/api/v1/quizzes/").status_code == 401


def test_a_malformed_idempotency_key_is_refused(lms, quiz):
    attempt = post_json(lms, "/api/v1/attempts/", {"quiz": quiz.pk}).json()
    url = f"/api/v1/attempts/{attempt['uuid']}/items/1/responses/"
    for key in (" a", "ключ", "a" * 256):
        response = post_json(lms, url, {"answer": "1"}, HTTP_IDEMPOTENCY_KEY=key)
        assert response.status_code == 400 and error_code(response) == "invalid_idempotency_key"


# --- refusals by the data: 404, 409, 422 ------------------------------------------------------


def test_a_taken_slug_is_a_conflict(lms, quiz):
    response = post_json(lms, "/api/v1/quizzes/", {"slug": quiz.slug, "title": "T", "items": []})
    assert response.status_code == 409 and error_code(response) == "unique"


def test_a_taken_slug_and_a_missing_question_are_a_404(lms, quiz):
    response = post_json(
        lms,
        "/api/v1/quizzes/",
        {"slug": quiz.slug, "title": "T", "items": [{"question": MAX_ID}]},
    )
    assert response.status_code == 404 and error_code(response) == "does_not_exist"
    assert set(response.json()["error"]["fields"]) == {"slug", "items.0.question"}


def test_a_question_and_a_topic_in_one_item_is_refused(lms, quiz):
    item = quiz.items.select_related("question").first()
    response = post_json(
        lms,
        "/api/v1/quizzes/",
        {
            "slug": "x",
            "title": "X",
            "items": [{"question": item.question_id, "topic": item.question.topic_id}],
        },
    )
    assert response.status_code == 400


# --- the schema says it ------------------------------------------------------------------------


def _inputs(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                yield f"{method} {path} {parameter['name']}", parameter["schema"]
    for name, component in schema["components"]["schemas"].items():
        if name.endswith("Request"):
            for variant in component.get("oneOf", [component]):
                for prop, prop_schema in variant.get("properties", {}).items():
                    yield f"{name}.{prop}", prop_schema
                    if isinstance(prop_schema.get("items"), dict):
                        yield f"{name}.{prop}[]", prop_schema["items"]


def test_every_integer_input_has_both_bounds(schema):
    unbounded = [
        where
        for where, prop in _inputs(schema)
        if prop.get("type") == "integer"
        and not prop.get("enum")
        and ("minimum" not in prop or "maximum" not in prop)
    ]
    assert unbounded == []


def test_every_text_input_states_its_rule(schema):
    loose = [
        where
        for where, prop in _inputs(schema)
        if prop.get("type") == "string" and not ({"format", "enum", "pattern"} & set(prop))
    ]
    assert loose == []


def test_every_date_time_input_is_bounded_to_sane_years(schema):
    dates = [(w, p) for w, p in _inputs(schema) if p.get("format") == "date-time"]
    assert dates and all(p.get("pattern") == r"^(20[0-9]{2}|2100)-" for _w, p in dates), dates


def test_every_request_body_refuses_unknown_fields(schema):
    for name, component in schema["components"]["schemas"].items():
        if name.endswith("Request"):
            for variant in component.get("oneOf", [component]):
                assert variant.get("additionalProperties") is False, name


def test_a_quiz_item_is_one_of_a_question_or_a_topic(schema):
    item = schema["components"]["schemas"]["QuizItemInRequest"]
    assert [v["required"] for v in item["oneOf"]] == [["question"], ["topic"]]


def test_the_refusals_of_valid_requests_are_documented(schema):
    quizzes = schema["paths"]["/api/v1/quizzes/"]["post"]["responses"]
    assert {"201", "400", "404", "409", "422"} <= set(quizzes)
    assert "409" in schema["paths"]["/api/v1/courses/"]["post"]["responses"]


def _refs(node):
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"].rsplit("/", 1)[-1]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _has_example(schema, node, seen=None) -> bool:
    seen = set() if seen is None else seen
    if isinstance(node, dict) and "example" in node:
        return True
    if isinstance(node, dict):
        if any(_has_example(schema, v, seen) for k, v in node.items() if k != "$ref"):
            return True
    if isinstance(node, list) and any(_has_example(schema, v, seen) for v in node):
        return True
    for name in set(_refs(node if isinstance(node, dict) else {})) - seen:
        seen.add(name)
        if _has_example(schema, schema["components"]["schemas"][name], seen):
            return True
    return False


def test_every_operation_has_examples_for_its_inputs_and_its_answer(schema):
    lacking = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            inputs = [operation.get("parameters", []), operation.get("requestBody", {})]
            answer = {c: r for c, r in operation["responses"].items() if c.startswith("2")}
            if (any(inputs) and not _has_example(schema, inputs)) or (
                answer
                and any("content" in r for r in answer.values())
                and not _has_example(schema, answer)
            ):
                lacking.append(f"{method} {path}")
    assert lacking == []
