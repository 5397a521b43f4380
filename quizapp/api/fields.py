"""Input fields whose every rule is one the OpenAPI schema states.

DRF's stock fields are lenient in ways the schema cannot describe: ``0`` and ``"yes"`` pass as
booleans, an integer has no upper bound (so ``?bank=9223372036854775808`` reached the database
and overflowed), any year parses as a date (``0185-08-03`` came back in Moscow's local mean time,
``+02:30:17``, which is not RFC 3339), and text is stripped of spaces after the length check.
Each field here refuses exactly what its schema excludes, and states it (``tests/quizapp/api``
checks both directions with schemathesis).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

# Ids are 64-bit on PostgreSQL and SQLite; paths accept at most 18 digits (quizapp/api/urls.py),
# so one bound serves paths, queries and bodies.
MAX_ID = 10**18 - 1
# A date the app stores or filters by lies in these years: outside them it is a typo (0185 for
# 2185), and every time zone has a whole-minute offset there.
MIN_YEAR, MAX_YEAR = 2000, 2100
DATE_TIME_PATTERN = r"^(20[0-9]{2}|2100)-"


class IdField(serializers.IntegerField):
    """The id of an object: 1 … MAX_ID."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id, range-checked before the database sees it."""

    default_error_messages = {
        "incorrect_type": _("Нужен номер объекта (целое число), а не {data_type}."),
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 1 <= data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A JSON ``true`` or ``false`` — not ``0``, ``1`` or ``"true"``."""

    default_error_messages = {"invalid": _("Нужно true или false.")}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)


@extend_schema_field({"type": "boolean"})
class QueryBooleanField(serializers.BooleanField):
    """A boolean in the query string: exactly ``true`` or ``false``."""

    default_error_messages = {"invalid": _("Нужно true или false.")}

    def to_internal_value(self, data):
        if data in ("true", "false"):
            return data == "true"
        self.fail("invalid", input=data)


@extend_schema_field({"type": "string", "format": "date-time", "pattern": DATE_TIME_PATTERN})
class DateTimeField(serializers.DateTimeField):
    """An RFC 3339 date-time in the years MIN_YEAR … MAX_YEAR."""

    default_error_messages = {
        "year": _("Год должен быть от {min} до {max}."),
    }

    def to_internal_value(self, value):
        if isinstance(value, str) and not (
            len(value) > 4 and value[:4].isdigit() and MIN_YEAR <= int(value[:4]) <= MAX_YEAR
        ):
            self.fail("year", min=MIN_YEAR, max=MAX_YEAR)
        # The year as written is the rule (the schema's pattern); its offset may carry the
        # instant a few hours past either end, which any zone shows in whole minutes.
        return super().to_internal_value(value)


# The JSON type a body field takes, as its schema states; DRF would also take 0 for "0" and "5"
# for 5. Checked in this order (a SlugField is a CharField, a BooleanField is no IntegerField).
_JSON_TYPES: list[tuple[type, tuple[type, ...], str]] = [
    (serializers.BooleanField, (bool,), "true или false"),
    (serializers.IntegerField, (int,), _("целое число")),
    (serializers.PrimaryKeyRelatedField, (int,), _("целое число")),
    (serializers.FloatField, (int, float), _("число")),
    (serializers.CharField, (str,), _("строка")),
    (serializers.UUIDField, (str,), _("строка")),
    (serializers.ChoiceField, (str,), _("строка")),
    (serializers.DecimalField, (str,), _('строка с числом, например "1.50"')),
    (serializers.DateTimeField, (str,), _("строка с датой и временем")),
    (serializers.ListField, (list,), _("список")),
    (serializers.ListSerializer, (list,), _("список")),
    (serializers.ManyRelatedField, (list,), _("список")),
    (serializers.Serializer, (dict,), _("объект")),
]


def _type_error(field, value):
    if value is None:
        return None  # null is the field's own business (allow_null)
    for field_class, types, name in _JSON_TYPES:
        if isinstance(field, field_class):
            if isinstance(value, bool) and bool not in types:
                return name
            return None if isinstance(value, types) else name
    return None


class BodySerializer(serializers.Serializer):
    """A request body, strictly as its schema says: a field it does not know is refused (a typo
    such as ``is_publised`` would otherwise be dropped without a word; the schema says
    ``additionalProperties: false``, ``quizapp.api.schema``), and so is a value of another JSON
    type (``0`` for a text, ``"5"`` for a number)."""

    default_error_messages = {
        "unknown_field": _("Неизвестное поле."),
        "wrong_type": _("Нужно значение другого типа: %(type)s."),
    }

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            return super().to_internal_value(data)
        errors = {
            str(name): [ErrorDetail(self.error_messages["unknown_field"], code="unknown_field")]
            for name in data
            if name not in self.fields
        }
        for name, value in data.items():
            if name in self.fields and (expected := _type_error(self.fields[name], value)):
                message = self.error_messages["wrong_type"] % {"type": expected}
                errors[name] = [ErrorDetail(message, code="wrong_type")]
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            # Every refusal at once: a misspelt field and a missing one are one mistake.
            errors = {**exc.detail, **errors}
        if errors:
            raise serializers.ValidationError(errors)
        return value


class PatternDecimalField(serializers.DecimalField):
    """A decimal sent as a string that must match ``pattern`` whole. DRF's DecimalField would
    also take "7.", " 7", "-5" or "." (refused later by min_value, or not at all, which a
    string's schema cannot say): the pattern is the whole rule, in the schema and on the server
    alike. Subclasses give the pattern, the digits and the message under ``error_key`` (the
    error's code API clients see)."""

    pattern = ""
    error_key = "invalid"
    max_digits_ = 6
    decimal_places_ = 2

    def __init__(self, **kwargs):
        super().__init__(max_digits=self.max_digits_, decimal_places=self.decimal_places_, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(self.pattern, data):
            self.fail(self.error_key)
        return super().to_internal_value(data)


def _decimal_schema(pattern: str, example: str) -> dict:
    return {"type": "string", "pattern": pattern, "example": example, "format": "decimal"}


# Points of a quiz item: 0.01 … 1000 with at most two decimals, as a string.
POINTS_PATTERN = r"^([1-9][0-9]{0,2}(\.[0-9]{1,2})?|1000(\.00?)?|0?\.(0[1-9]|[1-9][0-9]?))$"


@extend_schema_field(_decimal_schema(POINTS_PATTERN, "1.50"))
class PointsField(PatternDecimalField):
    error_key = "points"
    pattern = POINTS_PATTERN
    default_error_messages = {
        "points": _("Баллы — число от 0.01 до 1000, не больше двух знаков после точки: «1.50»."),
    }


# The penalty per extra try of a quiz's «tries» policy: a share of the item's points, 0 … 1 with
# at most three decimals, as a string ("0.1" is 10 %).
PENALTY_PATTERN = r"^(0(\.[0-9]{1,3})?|1(\.0{1,3})?)$"


@extend_schema_field(_decimal_schema(PENALTY_PATTERN, "0.10"))
class PenaltyField(PatternDecimalField):
    error_key = "penalty"
    pattern = PENALTY_PATTERN
    max_digits_, decimal_places_ = 4, 3
    default_error_messages = {
        "penalty": _(
            "Штраф — доля баллов вопроса от 0 до 1, не больше трёх знаков после точки: «0.10»."
        ),
    }


# Points an instructor gives one essay answer: 0 … 1000 with at most two decimals, as a string
# (the item's own maximum is the service's rule: 400 points_out_of_range).
GRADE_POINTS_PATTERN = r"^((0|[1-9][0-9]{0,2})(\.[0-9]{1,2})?|1000(\.00?)?)$"


@extend_schema_field(_decimal_schema(GRADE_POINTS_PATTERN, "1.50"))
class GradePointsField(PatternDecimalField):
    error_key = "points"
    pattern = GRADE_POINTS_PATTERN
    default_error_messages = {
        "points": _(
            "Баллы — число от 0 до баллов вопроса, не больше двух знаков после точки: «1.50»."
        ),
    }


# An accommodation's time factor: 1 … 5 with at most two decimals ("1.5": half as long again).
TIME_FACTOR_PATTERN = r"^([1-4](\.[0-9]{1,2})?|5(\.00?)?)$"


@extend_schema_field(_decimal_schema(TIME_FACTOR_PATTERN, "1.50"))
class TimeFactorField(PatternDecimalField):
    error_key = "time_factor"
    pattern = TIME_FACTOR_PATTERN
    max_digits_ = 4
    default_error_messages = {
        "time_factor": _(
            "Множитель времени — число от 1 до 5, не больше двух знаков после точки: «1.50»."
        ),
    }
