"""Raw text → Penn-Treebank-like tokens that keep their character offsets.

The training data (GMB) is tokenised the PTB way, so the tagger only sees tokens
like those. This tokenizer reproduces the conventions that matter:

* currency signs and ``%`` are their own tokens: ``$1 billion`` → ``$ 1 billion``,
  ``5%`` → ``5 %``;
* sentence punctuation is split off (``billion.`` → ``billion .``), but
  abbreviations and initialisms keep their period (``Inc.``, ``Mr.``, ``U.S.``,
  ``a.m.``), even at the end of a sentence, as in GMB;
* clitics are split: ``Apple's`` → ``Apple 's``, ``don't`` → ``do n't``,
  ``can't`` → ``ca n't``, ``they'll`` → ``they 'll``; names like ``O'Connor`` stay whole;
* numbers keep their commas and points (``1,000``, ``1.5``); hyphenated words stay whole.

Every :class:`Token` records ``start``/``end`` so that ``text[start:end] == token.text``;
a span of tokens therefore maps back to exactly what was typed. ``token.norm`` is what
the model sees (curly quotes and dashes replaced by their ASCII forms).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ABBREVIATIONS = frozenset("""
mr mrs ms dr prof gen lt col sgt capt cmdr adm maj gov sen rep rev st jr sr mt ft
inc corp co ltd bros plc llc assn dept univ
jan feb mar apr jun jul aug sep sept oct nov dec
no nos vol vs etc al approx est fig
ala ariz ark calif colo conn del fla ga ill ind kan ky la md mass mich minn miss mo mont neb nev
okla ore pa tenn tex va vt wash wis wyo
""".split())

#: abbreviations that keep their period even in lower case
LOWER_ABBREVIATIONS = frozenset({"vs", "etc", "approx", "ca", "e.g", "i.e"})

LEADING = set("\"'([{$£€¥#`“‘«")
TRAILING = set("\"')]}.,;:!?%“”’»")
CLITICS = ("n't", "'s", "'ll", "'re", "'ve", "'m", "'d")
_INITIALISM = re.compile(r"^(?:[A-Za-z]\.){2,}$|^[A-Z]\.$|^(?:[a-z]\.){2,}$")
_NUMBER = re.compile(r"^\d[\d,.]*\d$|^\d$")
_QUOTE_MAP = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "«": '"', "»": '"', "—": "--", "–": "-"})
SENTENCE_END = frozenset({".", "!", "?", "..."})


@dataclass(frozen=True)
class Token:
    """A token and where it is in the original text (``text == source[start:end]``)."""

    text: str
    start: int
    end: int

    @property
    def norm(self) -> str:
        """The token as the model sees it (ASCII quotes and dashes)."""
        return self.text.translate(_QUOTE_MAP)


def _is_abbreviation(word: str) -> bool:
    if not word.endswith(".") or len(word) < 2:
        return False
    core = word[:-1]
    if _INITIALISM.match(word) or re.match(r"^[A-Za-z]+(?:-[A-Za-z]+)*-(?:[A-Za-z]\.){2,}$", word):
        return True
    # "Mass." and "Inc." are abbreviations; "ill." and "mass." end a sentence
    return core.lower() in LOWER_ABBREVIATIONS or (core[:1].isupper() and core.lower() in ABBREVIATIONS)


def _inner_dash(chunk: str) -> tuple[int, str] | None:
    """Where ``chunk`` splits at a dash between two parts (``"word--word"``, ``"word—word"``), if anywhere."""
    for dash in ("--", "—", "–"):
        i = chunk.find(dash, 1)
        if 0 < i and i + len(dash) < len(chunk):
            return i, dash
    return None


def _split_chunk(chunk: str, offset: int) -> list[Token]:
    """Tokens of one whitespace-free chunk starting at ``offset`` in the source.

    Dashes between words split the chunk first. This is a loop over an explicit stack, not
    recursion: a pasted run of thousands of dashes (``-----…``, ``a--a--…``) must not hit
    Python's recursion limit.
    """
    out: list[Token] = []
    stack: list[tuple[str, int] | Token] = [(chunk, offset)]
    while stack:
        item = stack.pop()
        if isinstance(item, Token):
            out.append(item)
            continue
        piece, off = item
        where = _inner_dash(piece)
        if where is None:
            out.extend(_split_plain(piece, off))
            continue
        i, dash = where
        # pushed in reverse: the left part comes out first, then the dash, then the right part
        stack.append((piece[i + len(dash):], off + i + len(dash)))
        stack.append(Token(dash, off + i, off + i + len(dash)))
        stack.append((piece[:i], off))
    return out


def _split_plain(chunk: str, offset: int) -> list[Token]:
    """Tokens of a chunk with no dash between two parts (leading/trailing punctuation, clitics)."""
    lead: list[Token] = []
    trail: list[Token] = []
    s, e = 0, len(chunk)
    while s < e:
        ch = chunk[s]
        if ch in LEADING:
            lead.append(Token(ch, offset + s, offset + s + 1))
            s += 1
        elif chunk.startswith(("--", "—", "–"), s):
            n = 2 if chunk.startswith("--", s) else 1
            lead.append(Token(chunk[s:s + n], offset + s, offset + s + n))
            s += n
        else:
            break
    while e > s:
        word = chunk[s:e]
        ch = chunk[e - 1]
        if word.endswith("..."):
            trail.append(Token("...", offset + e - 3, offset + e))
            e -= 3
        elif word.endswith("--") and len(word) > 2:
            trail.append(Token("--", offset + e - 2, offset + e))
            e -= 2
        elif ch == "." and _is_abbreviation(word):
            break
        elif ch in TRAILING or ch in "—–":
            trail.append(Token(ch, offset + e - 1, offset + e))
            e -= 1
        else:
            break
    middle: list[Token] = []
    word = chunk[s:e]
    if word:
        low = word.lower().replace("’", "'")
        for clitic in CLITICS:
            if low.endswith(clitic) and len(word) > len(clitic):
                cut = e - len(clitic)
                head = chunk[s:cut]
                if clitic == "n't" or head[-1:].isalpha():
                    middle = [Token(head, offset + s, offset + cut), Token(chunk[cut:e], offset + cut, offset + e)]
                break
        else:
            if low.endswith("s'") and len(word) > 2:
                middle = [Token(word[:-1], offset + s, offset + e - 1), Token("'", offset + e - 1, offset + e)]
        if not middle:
            middle = [Token(word, offset + s, offset + e)]
    return lead + middle + trail[::-1]


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens with character offsets (see the module docstring)."""
    tokens: list[Token] = []
    for m in re.finditer(r"\S+", text):
        tokens.extend(t for t in _split_chunk(m.group(), m.start()) if t.text)
    return tokens


def split_sentences(text: str, tokens: list[Token], max_len: int = 150) -> list[list[Token]]:
    """Group tokens into sentences: after ``. ! ? ...``, at line breaks, and every ``max_len`` tokens."""
    sentences: list[list[Token]] = []
    current: list[Token] = []
    for i, tok in enumerate(tokens):
        if current and "\n" in text[current[-1].end:tok.start]:
            sentences.append(current)
            current = []
        current.append(tok)
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        closing = nxt is not None and nxt.text in {'"', "'", ")", "”", "’"} and nxt.start == tok.end
        if (tok.text in SENTENCE_END and not closing) or len(current) >= max_len:
            sentences.append(current)
            current = []
        elif current[-1].text in {'"', "”", "'", "’", ")"} and len(current) > 1 and current[-2].text in SENTENCE_END:
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return sentences
