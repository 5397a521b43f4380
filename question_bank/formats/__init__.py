"""Bank file formats: native YAML, Moodle XML, GIFT and Anki (import); Moodle XML and Anki (export).

:func:`parse_file` picks the importer by the file name's extension.
"""

from __future__ import annotations

from pathlib import PurePath

from django.utils.translation import gettext as _

from question_bank.formats.common import ImportResult, refused

__all__ = ["parse_file", "IMPORTERS"]

IMPORTERS = {
    ".yaml": "native",
    ".yml": "native",
    ".xml": "moodle_xml",
    ".gift": "gift",
    ".txt": "gift",
    ".apkg": "anki",
    # CrowdAnki's deck.json; the importer refuses JSON without its "__type__": "Deck".
    ".json": "crowdanki",
}


def parse_file(data: bytes, filename: str) -> ImportResult:
    """Parse an uploaded or local bank file of any supported format.

    Each importer is loaded when a file of its format comes: the Moodle one brings the web app's
    MathML and the grader with it, while ``common`` and ``native`` stay light for benchmarks.
    """
    kind = IMPORTERS.get(PurePath(filename).suffix.lower())
    if kind == "native":
        from question_bank.formats.native import parse_bank

        return parse_bank(data, filename)
    if kind == "moodle_xml":
        from question_bank.formats.moodle import parse_moodle_xml

        return parse_moodle_xml(data, filename)
    if kind == "gift":
        from question_bank.formats.gift import parse_gift

        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return refused(
                filename,
                _("файл не в кодировке UTF-8 (байт %(start)s)") % {"start": exc.start},
                "encoding",
            )
        return parse_gift(text, filename)
    if kind == "anki":
        from question_bank.formats.anki_import import parse_apkg

        return parse_apkg(data, filename)
    if kind == "crowdanki":
        from question_bank.formats.anki_import import parse_crowdanki

        return parse_crowdanki(data, filename)
    known = ", ".join(sorted(IMPORTERS))
    message = _("неизвестный формат файла; поддерживаются: %(known)s") % {"known": known}
    return refused(filename, message, "unknown_format")
