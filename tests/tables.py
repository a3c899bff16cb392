"""Reading the lessons' HTML tables (``ui.tables``) back out of an AppTest run, for assertions."""

from __future__ import annotations

from html.parser import HTMLParser

from ui.tables import TABLE_CLASS


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.head: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._in_head = False

    def handle_starttag(self, tag: str, attrs) -> None:  # noqa: ANN001 - HTMLParser's signature
        if tag == "thead":
            self._in_head = True
        elif tag == "tr" and not self._in_head:
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None:
            text = "".join(self._cell)
            (self.head if self._in_head else self.rows[-1]).append(text)
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parse_table(markup: str) -> list[dict[str, str]]:
    """The rows of one ``ui.tables`` table as ``{column: cell text}`` (the text a reader sees)."""
    p = _TableParser()
    p.feed(markup)
    return [dict(zip(p.head, row)) for row in p.rows]


def tables(at) -> list[list[dict[str, str]]]:  # noqa: ANN001 - an AppTest
    """Every ``ui.tables`` table the run drew, in page order."""
    return [parse_table(m.value) for m in at.markdown if f'class="{TABLE_CLASS}"' in m.value]


def table_with(at, column: str) -> list[dict[str, str]]:  # noqa: ANN001 - an AppTest
    """The first table that has ``column`` (``AssertionError`` naming the columns seen when none has)."""
    found = tables(at)
    for t in found:
        if t and column in t[0]:
            return t
    raise AssertionError(f"no table with a {column!r} column; tables seen: {[list(t[0]) for t in found if t]}")
