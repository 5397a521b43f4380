"""Slugs for imported banks: Latin lowercase letters, digits and hyphens, unique within a bank.

Importers (Moodle XML, GIFT) name banks, topics and questions from Russian titles, so Cyrillic is
transliterated rather than dropped; anything else is reduced to ASCII or becomes a hyphen.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["slugify", "is_slug", "SlugRegistry"]

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi",
    "є": "ye", "ґ": "g",
}  # fmt: skip
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


def is_slug(text: str) -> bool:
    """Whether ``text`` is already a slug the native schema accepts (so it is kept as written).

    >>> is_slug("conv-1"), is_slug("Conv 1")
    (True, False)
    """
    return bool(_SLUG_RE.match(text or ""))


def slugify(text: str, *, fallback: str = "q", max_length: int = 60) -> str:
    """Latin lowercase letters, digits and hyphens: «Свёрточные сети» → ``svertochnye-seti``.

    >>> slugify("Свёрточные сети"), slugify("???")
    ('svertochnye-seti', 'q')
    """
    out = []
    for ch in (text or "").lower():
        if ch in _TRANSLIT:
            out.append(_TRANSLIT[ch])
        elif "a" <= ch <= "z" or "0" <= ch <= "9":
            out.append(ch)
        else:
            ascii_ = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode().lower()
            out.append(ascii_ if ascii_.isalnum() else "-")
    slug = re.sub(r"-+", "-", "".join(out)).strip("-")
    slug = slug[:max_length].rstrip("-")
    return slug or fallback


class SlugRegistry:
    """Hands out slugs unique within one bank: ``name``, ``name-2``, ``name-3``…

    >>> slugs = SlugRegistry()
    >>> slugs.make("relu"), slugs.make("relu"), slugs.make("Сигмоида")
    ('relu', 'relu-2', 'sigmoida')
    """

    def __init__(self):
        self.used: set[str] = set()
        # the next suffix to try per base: without it, n questions of one title cost n² steps
        self._next: dict[str, int] = {}

    def make(self, base: str, *, fallback: str = "q", max_length: int = 60) -> str:
        base = base if is_slug(base) else slugify(base, fallback=fallback)
        base = base[:max_length].rstrip("-") or fallback
        slug, n = base, self._next.get(base, 2)
        if slug in self.used:
            while slug in self.used:
                suffix = f"-{n}"
                slug = base[: max_length - len(suffix)].rstrip("-") + suffix
                n += 1
            self._next[base] = n
        self.used.add(slug)
        return slug
