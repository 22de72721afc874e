"""CSV cells that a spreadsheet will not run: OWASP's rule against formula injection.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read
by Excel and WPS as a formula (``=HYPERLINK(…)``, ``=cmd|' /C calc'!A0``). Every CSV the
platform writes goes through ``neutralise`` (or ``writer``), which puts a single quote in
front of such a cell: the spreadsheet shows the text, and ``restore`` (used when a contract
table is imported) takes the quote off again, so an export still imports back unchanged.
Numbers are left alone: only text can carry a formula. XLSX exports write text cells as
strings, which spreadsheets never evaluate: every workbook is opened with ``XLSX_TEXT``,
because xlsxwriter's ``write()`` otherwise turns a text starting with ``=`` into a formula
(a test checks every ``Workbook(`` in the package passes it).

>>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("-5"), neutralise(-5), neutralise("成都")
('\\'=HYPERLINK("http://x")', "'-5", -5, '成都')
>>> restore(neutralise("@SUM(A1)")), restore("'plain")
('@SUM(A1)', "'plain")
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: xlsxwriter workbook options: text stays text (no formulas, no links made from strings).
XLSX_TEXT: dict[str, bool] = {"strings_to_formulas": False, "strings_to_urls": False}


def neutralise(value: Any) -> Any:
    """The cell as it may safely go into a CSV file."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


def restore(text: str) -> str:
    """Undo ``neutralise`` on a text cell read back from a CSV file."""
    if text.startswith("'") and text[1:].startswith(TRIGGERS):
        return text[1:]
    return text


class SafeWriter:
    """``csv.writer`` whose every cell is neutralised."""

    def __init__(self, handle: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(handle, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(handle: Any, **kwargs: Any) -> SafeWriter:
    return SafeWriter(handle, **kwargs)
