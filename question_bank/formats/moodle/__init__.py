"""Moodle XML: import into the native bank structure and export a native bank to Moodle.

One module per concern, each importing only the ones before it:

* :mod:`~question_bank.formats.moodle.reader`: safe XML reading (``defusedxml``, no DTDs, size
  limits) into elements that know their line;
* :mod:`~question_bank.formats.moodle.formulas`: Moodle calculated formulas → our safe
  expression language;
* :mod:`~question_bank.formats.moodle.question`: reading one ``<question>`` (texts, numbers,
  problems) for the importers;
* :mod:`~question_bank.formats.moodle.calculated`: ``calculated`` questions → numeric templates,
  ``calculatedmulti`` → choices whose options are templates;
* :mod:`~question_bank.formats.moodle.gaps`: ``gapselect``/``ddwtos`` → multipart of choices;
* :mod:`~question_bank.formats.moodle.importers`: :func:`parse_moodle_xml`, the other types;
* :mod:`~question_bank.formats.moodle.backup`: course backups (``.mbz`` and their
  ``questions.xml``), rewritten as Moodle XML for the importers;
* :mod:`~question_bank.formats.moodle.exporter`: :func:`export_moodle_xml`.

Texts (HTML ↔ native text with ``$…$``) are converted by :mod:`question_bank.formats.text` and
slugs made by :mod:`question_bank.formats.slugs`, which GIFT and Anki share; the helpers of those
two that callers used through the former single Moodle module are re-exported here.
"""

from question_bank.formats.moodle.exporter import export_moodle_xml
from question_bank.formats.moodle.formulas import FormulaError, moodle_formula
from question_bank.formats.moodle.importers import parse_moodle_xml
from question_bank.formats.moodle.reader import MAX_BYTES
from question_bank.formats.slugs import slugify
from question_bank.formats.text import convert_text, html_to_text, native_to_html

__all__ = [
    "parse_moodle_xml",
    "export_moodle_xml",
    "moodle_formula",
    "FormulaError",
    "MAX_BYTES",
    "convert_text",
    "html_to_text",
    "native_to_html",
    "slugify",
]
