"""The hand-written supplement (``supplement.txt`` beside this module) as training sentences.

Each line is a sentence with entities written ``[words|TYPE]``; see the file's header for how
it was written. The line is tokenized with :func:`~sequence_models.ner.tokenizer.tokenize` (the
tokenizer the page and CLI use), and each bracketed entity becomes ``B-TYPE I-TYPE …`` over the
tokens inside it.
"""

from __future__ import annotations

import re
from pathlib import Path

from sequence_models.ner.data import ONTONOTES_TYPES, Sentence
from sequence_models.ner.tokenizer import tokenize

SUPPLEMENT_FILE = Path(__file__).with_name("supplement.txt")
_ENTITY = re.compile(r"\[([^\[\]|]+)\|([A-Z_]+)\]")


def parse_line(line: str) -> Sentence:
    """``"[Tim Cook|PERSON] spoke."`` → tokens ``Tim Cook spoke .`` with tags ``B-PERSON I-PERSON O O``.

    Raises:
        ValueError: an unknown type, or an entity whose edges fall inside a token.
    """
    plain: list[str] = []
    spans: list[tuple[int, int, str]] = []
    pos, length = 0, 0
    for m in _ENTITY.finditer(line):
        before = line[pos:m.start()]
        plain.append(before)
        length += len(before)
        label = m.group(2)
        if label not in ONTONOTES_TYPES:
            raise ValueError(f"unknown entity type {label!r} in {line!r}")
        spans.append((length, length + len(m.group(1)), label))
        plain.append(m.group(1))
        length += len(m.group(1))
        pos = m.end()
    plain.append(line[pos:])
    text = "".join(plain)
    tokens = tokenize(text)
    tags = ["O"] * len(tokens)
    for start, end, label in spans:
        inside = [i for i, t in enumerate(tokens) if t.start >= start and t.end <= end]
        if not inside or tokens[inside[0]].start != start or tokens[inside[-1]].end != end:
            raise ValueError(f"entity {text[start:end]!r} does not line up with tokens in {line!r}")
        for k, i in enumerate(inside):
            tags[i] = ("B-" if k == 0 else "I-") + label
    return Sentence(tuple(t.norm for t in tokens), tuple(tags), ())


def load_supplement(path: str | Path = SUPPLEMENT_FILE) -> list[Sentence]:
    """All sentences of the supplement file (comments and blank lines skipped)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [parse_line(line.strip()) for line in lines if line.strip() and not line.lstrip().startswith("#")]
