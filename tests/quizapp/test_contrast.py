"""The palette of static/css/app.css meets WCAG AA contrast (4.5:1) for text on the page and card
backgrounds: a regression here makes the muted, error and link texts hard to read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

CSS = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text(encoding="utf-8")
ROOT = {
    name: value if len(value) == 7 else "#" + "".join(c * 2 for c in value[1:])
    for name, value in re.findall(
        r"--([\w-]+):\s*(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})\b", CSS.split("}", 1)[0]
    )
}


def _luminance(hex_color: str) -> float:
    channels = [int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("text", ["fg", "muted", "accent", "ok", "bad", "warn"])
@pytest.mark.parametrize("background", ["bg", "card"])
def test_text_colours_meet_aa(text, background):
    assert contrast(ROOT[text], ROOT[background]) >= 4.5, (text, background)


def test_status_text_on_tinted_backgrounds():
    # .status-invalid: warn on #fff6e0; .status-failed / .error: bad on #fdecea; verdict on #f3f5f8.
    assert contrast(ROOT["warn"], "#fff6e0") >= 4.5
    assert contrast(ROOT["bad"], "#fdecea") >= 4.5
    for colour in ("ok", "bad", "warn", "muted"):
        assert contrast(ROOT[colour], "#f3f5f8") >= 4.5, colour
