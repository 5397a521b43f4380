"""Bank file formats: native YAML, Moodle XML and course backups, GIFT, Anki (import); Moodle XML
and Anki (export).

:func:`parse_file` picks the importer by the file name's extension.
"""

from __future__ import annotations

from pathlib import PurePath

from django.utils.translation import gettext as _

from question_bank.formats.common import ImportResult, refused, skip_invalid_questions

__all__ = ["parse_file", "IMPORTERS"]

IMPORTERS = {
    ".yaml": "native",
    ".yml": "native",
    ".xml": "moodle_xml",
    # A Moodle course backup: its question categories and the types Moodle XML import reads.
    ".mbz": "moodle_backup",
    ".gift": "gift",
    ".txt": "gift",
    ".apkg": "anki",
    # CrowdAnki's deck.json; the importer refuses JSON without its "__type__": "Deck".
    ".json": "crowdanki",
}


# The first bytes of a gzip (tar.gz) and of a zip file: an archive named otherwise is refused.
_ARCHIVE_MAGIC = (b"\x1f\x8b", b"PK\x03\x04")


def parse_file(
    data: bytes, filename: str, *, skip_invalid: bool = False, essays_as_cards: bool = False
) -> ImportResult:
    """Parse an uploaded or local bank file of any supported format.

    Each importer is loaded when a file of its format comes: the Moodle one brings the web app's
    MathML and the grader with it, while ``common`` and ``native`` stay light for benchmarks.
    ``skip_invalid`` (lenient mode): questions with errors are left out and named
    (:func:`~question_bank.formats.common.skip_invalid_questions`), the others kept.
    ``essays_as_cards``: Moodle and GIFT essays become self-check flashcards, not essays graded by
    the instructor.
    """
    result = _parse(data, filename, skip_invalid=skip_invalid, essays_as_cards=essays_as_cards)
    if skip_invalid:
        result, _problems = skip_invalid_questions(result, result.problems)
    return result


def _parse(
    data: bytes, filename: str, *, skip_invalid: bool, essays_as_cards: bool = False
) -> ImportResult:
    suffix = PurePath(filename).suffix.lower()
    kind = IMPORTERS.get(suffix)
    if kind is None and bytes(data[:4]).startswith(_ARCHIVE_MAGIC):
        # An archive of another name is not opened: it may be anything.
        return refused(filename, _archive_message(), "moodle_backup")
    if kind == "moodle_backup":
        from question_bank.formats.moodle.backup import parse_mbz

        return parse_mbz(data, filename, essays_as_cards=essays_as_cards)
    if kind == "native":
        from question_bank.formats.native import parse_bank

        return parse_bank(data, filename, skip_invalid=skip_invalid)
    if kind == "moodle_xml":
        from question_bank.formats.moodle import parse_moodle_xml

        return parse_moodle_xml(data, filename, essays_as_cards=essays_as_cards)
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
        return parse_gift(text, filename, essays_as_cards=essays_as_cards)
    if kind == "anki":
        from question_bank.formats.anki_import import parse_apkg

        return parse_apkg(data, filename)
    if kind == "crowdanki":
        from question_bank.formats.anki_import import parse_crowdanki

        return parse_crowdanki(data, filename)
    known = ", ".join(sorted(IMPORTERS))
    message = _("неизвестный формат файла; поддерживаются: %(known)s") % {"known": known}
    return refused(filename, message, "unknown_format")


def _archive_message() -> str:
    return _(
        "Файл — архив (zip или tar.gz), а не файл банка. Если это резервная копия курса "
        "Moodle, загрузите её с расширением .mbz или экспортируйте банк вопросов: в Moodle "
        "откройте Банк вопросов → Экспорт → Moodle XML и загрузите получившийся файл .xml"
    )
