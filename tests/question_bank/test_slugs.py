"""Slugs of imported banks (question_bank/formats/slugs.py)."""

from question_bank.formats.slugs import slugify


def test_slugify():
    assert slugify("Свёрточные сети: ядро 3×3!") == "svertochnye-seti-yadro-3-3"
    assert slugify("Щука и ёжик") == "shchuka-i-ezhik"
    assert slugify("???") == "q"
