"""displaCy-like HTML for entity spans. Every piece of user or model text is HTML-escaped.

Pure string building (no Streamlit), so tests can check the escaping directly.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Collection, Sequence

from sequence_models.ner.inference import Entity

CONTAINER_STYLE = "line-height:2.4;white-space:pre-wrap;font-size:1.05rem;overflow-wrap:anywhere"


#: Entities up to this many characters are never broken across lines (longer ones may wrap on a phone).
NOWRAP_CHARS = 40


def _mark(text: str, label: str, hover: str, colour: str, extra_style: str = "") -> str:
    nowrap = "white-space:nowrap;" if len(text) <= NOWRAP_CHARS and "\n" not in text else ""
    return (f'<mark class="ner-ent" title="{html.escape(hover, quote=True)}" '
            f'style="background:{colour}33;border-bottom:3px solid {colour};padding:0.1em 0.3em;'
            f'border-radius:0.3em;{nowrap}{extra_style}">{html.escape(text)}'
            f'<span class="ner-label" style="font-size:0.7em;font-weight:700;margin-left:0.4em;'
            f'color:#1A1A1A;text-transform:uppercase">{html.escape(label)}</span></mark>')


def highlight_html(text: str, entities: Sequence[Entity], colour_of: Callable[[str], str],
                   name_of: Callable[[str], str], visible: Collection[str] | None = None,
                   flagged: Collection[int] = (), flag_style: str = "outline:2px dashed #D55E00") -> str:
    """The text with each entity in ``visible`` (OntoNotes labels; ``None`` = all) marked.

    Args:
        colour_of: OntoNotes label → ``#RRGGBB`` colour.
        name_of: OntoNotes label → the name shown (e.g. ``"GPE"`` → ``"Location"``).
        flagged: indices into ``entities`` drawn with ``flag_style`` (used to show where
            two models disagree).

    Returns a ``<div>`` whose hover titles give the label, OntoNotes type and confidence.
    """
    out: list[str] = []
    pos = 0
    for i, e in enumerate(entities):  # analyse() returns them in text order
        if e.start < pos:
            continue
        if visible is not None and e.label not in visible:
            continue
        out.append(html.escape(text[pos:e.start]))
        name = name_of(e.label)
        hover = f"{name} ({e.label}) · confidence {e.score:.2f}"
        out.append(_mark(text[e.start:e.end], name, hover, colour_of(e.label),
                         flag_style if i in flagged else ""))
        pos = e.end
    out.append(html.escape(text[pos:]))
    return f'<div class="ner-text" style="{CONTAINER_STYLE}">{_one_line("".join(out))}</div>'


def _one_line(body: str) -> str:
    """Line breaks as character references, so the result is a single line.

    ``st.markdown(..., unsafe_allow_html=True)`` parses its body as Markdown: an HTML block ends at a
    blank line, and whatever follows would be rendered as Markdown (``# heading``, ``![image](url)``,
    ``$math$``). With no raw line break the whole ``<div>`` stays one HTML block; ``&#10;`` is still
    shown as a line break (the container has ``white-space: pre-wrap``).
    """
    return body.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "&#10;")


def legend_html(items: Sequence[tuple[str, str, str]]) -> str:
    """A row of swatches: ``(name, colour, hover)`` per item."""
    chips = [f'<span title="{html.escape(hover, quote=True)}" style="display:inline-block;margin:0 0.8em 0.3em 0;'
             f'padding:0.05em 0.5em;border-radius:0.3em;background:{colour}33;border-bottom:3px solid {colour}">'
             f'{html.escape(name)}</span>' for name, colour, hover in items]
    return f'<div class="ner-legend" style="font-size:0.9rem">{"".join(chips)}</div>'
