"""What the generated OpenAPI schema cannot infer from the serializers, stated once here
(``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``) so that every rule the server applies to a
request is one the schema shows — schemathesis checks both directions in the test suite:

- a request body takes no field it does not know (``fields.BodySerializer``);
- text has no NUL, and a required text is more than spaces (DRF strips them before checking);
- a quiz item names a question *or* a topic (``oneOf``), as ``QuizItemInSerializer`` requires;

and gives every field an example (``quizapp.api.examples``).
"""

from __future__ import annotations

from jsonschema.validators import validator_for

from quizapp.api.examples import EXAMPLES

# No NUL (PostgreSQL cannot store it) and, where a value is required, one character that is not
# a space.
TEXT_PATTERN = r"^[^\x00]*[^\x00\s][^\x00]*$"
TEXT_OR_EMPTY_PATTERN = r"^[^\x00]*$"
QUIZ_ITEM = "QuizItemInRequest"


def _text_rules(prop: dict) -> None:
    if prop.get("type") == "string" and not ({"format", "enum", "pattern"} & set(prop)):
        prop["pattern"] = TEXT_PATTERN if prop.get("minLength", 0) >= 1 else TEXT_OR_EMPTY_PATTERN


def _strict_body(component: dict) -> None:
    component["additionalProperties"] = False
    for prop in component.get("properties", {}).values():
        _text_rules(prop)
        if prop.get("type") == "array" and isinstance(prop.get("items"), dict):
            _text_rules(prop["items"])


def _null_only(prop: dict) -> dict:
    return {"type": prop["type"], "nullable": True, "enum": [None]}


def _quiz_item_one_of(component: dict) -> dict:
    props = component["properties"]
    question = {k: v for k, v in props["question"].items() if k != "nullable"}
    topic = {k: v for k, v in props["topic"].items() if k != "nullable"}
    common = {k: v for k, v in props.items() if k not in ("question", "topic")}
    return {
        "description": "Вопрос (question) или правило по теме (topic): ровно одно из двух.",
        "oneOf": [
            {
                "type": "object",
                "title": "Вопрос",
                "properties": {"question": question, "topic": _null_only(topic), **common},
                "required": ["question"],
                "additionalProperties": False,
            },
            {
                "type": "object",
                "title": "Правило по теме",
                "properties": {"question": _null_only(question), "topic": topic, **common},
                "required": ["topic"],
                "additionalProperties": False,
            },
        ],
    }


def _example(name: str, prop: dict, components: dict) -> None:
    if name not in EXAMPLES or "example" in prop or not prop.get("type"):
        return
    if {"$ref", "allOf", "oneOf", "anyOf"} & set(prop):
        return
    value = EXAMPLES[name]
    # The property with the document's components beside it, so that its own $refs (an enum
    # of list items) resolve.
    checked = {**prop, "components": components}
    if validator_for(checked)(checked).is_valid(value):
        prop["example"] = value


def postprocess(result, generator, request, public):
    schemas = result.get("components", {}).get("schemas", {})
    for component in schemas.values():
        for name, prop in component.get("properties", {}).items():
            _example(name, prop, result["components"])
    for name, component in schemas.items():
        if name.endswith("Request") and component.get("type") == "object":
            _strict_body(component)
    if QUIZ_ITEM in schemas:
        schemas[QUIZ_ITEM] = _quiz_item_one_of(schemas[QUIZ_ITEM])
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                _text_rules(parameter.get("schema", {}))
                name = parameter["name"]
                if name not in EXAMPLES:
                    name = name.removesuffix("_id")
                _example(name, parameter.get("schema", {}), result["components"])
    return result
