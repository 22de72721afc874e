"""What a browser would submit for a form on a page, without a browser: every field's value as
rendered, where an ``<input type="date">`` or ``type="number"`` drops a value it cannot read
(a localised ``2020/02/10``, a grouped ``1,234``), as Chromium does. Saving a form unchanged
must change nothing: the round-trip tests use this to catch fields that lose data."""

from __future__ import annotations

import re
from html.parser import HTMLParser

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


class _Form(HTMLParser):
    def __init__(self, form_id: str | None) -> None:
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and (self.form_id is None or a.get("id") == self.form_id):
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            value = a.get("value", "")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data[name] = value or "on"
            elif kind == "date":
                self.data[name] = value if ISO_DATE.match(value) else ""
            elif kind == "number":
                self.data[name] = value if NUMBER.match(value) else ""
            elif kind not in ("submit", "button", "file"):
                self.data[name] = value
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea:  # browsers drop the newline right after <textarea>
                self.data[self._textarea] = self.data[self._textarea].removeprefix("\n")
            self._textarea = None
        elif tag == "form":
            self.inside = False


def submitted(html: str, form_id: str | None = None) -> dict[str, str]:
    parser = _Form(form_id)
    parser.feed(html)
    return parser.data
