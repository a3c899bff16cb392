"""The five RNN architectures of the course, run on one small, real RNN.

The toy model is Karpathy's classic: a character-level RNN that learns the text
"hello " (vocabulary ``h e l o`` and space). Its hidden size is 4, so every
number of a forward pass fits on screen. It trains in well under a second with a
fixed seed (:func:`train_toy_rnn`), then :func:`run_architecture` wires the same
cell as one-to-one, one-to-many, many-to-one, many-to-many (Tx = Ty) or
encoder–decoder (Tx ≠ Ty) and records every step:

    a<t> = tanh(W_aa a<t-1> + W_ax x<t> + b_a)
    ŷ<t> = softmax(W_ya a<t> + b_y)

Where an architecture generates (one-to-many, the decoder), the most likely
character ŷ<t> is fed back as the next input x<t+1>. The decoder's first input is
the start symbol :data:`START` (real decoders use a special ``<start>`` token).

This toy uses ONE set of weights for the encoder and the decoder: the same cell,
run first as reader and then as writer. Real encoder–decoders (the translation model
in :mod:`sequence_models.translation`) train two networks with separate weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from sequence_models.cells import RNNCell
from sequence_models.optim import optimizer_step

TEXT = "hello "
VOCAB = ("h", "e", "l", "o", " ")
HIDDEN_SIZE = 4
MAX_STEPS = 10  # bound on Tx and Ty
#: The decoder's first input. The toy vocabulary has no ``<start>`` token, so the space, which
#: begins every word of the training text, plays that role.
START = " "


@dataclass(frozen=True)
class Architecture:
    """One RNN type: its name, the shape rules for Tx/Ty and its real example."""

    key: str
    name: str
    shape: str          # e.g. "Tx = 1, Ty > 1"
    example: str        # the course's example
    page: str | None    # the app page that shows the example, if any
    tx_range: tuple[int, int]
    ty_range: tuple[int, int]
    tied: bool = False  # Ty always equals Tx

    def clamp(self, tx: int, ty: int) -> tuple[int, int]:
        """Force ``(tx, ty)`` into this type's ranges (and tie them when ``tied``)."""
        tx = min(max(int(tx), self.tx_range[0]), self.tx_range[1])
        ty = tx if self.tied else min(max(int(ty), self.ty_range[0]), self.ty_range[1])
        return tx, ty

    def default_lengths(self) -> tuple[int, int]:
        """The lengths the page opens with."""
        return self.clamp(5, 5 if self.tied else (3 if self.key == "encoder_decoder" else 4))


ARCHITECTURES: dict[str, Architecture] = {a.key: a for a in (
    Architecture("one_to_one", "One-to-one", "Tx = Ty = 1",
                 "A traditional neural network: one input, one output, no recurrence", None, (1, 1), (1, 1)),
    Architecture("one_to_many", "One-to-many", "Tx = 1, Ty > 1", "Music generation: one seed note in, a melody out",
                 "pages/music.py", (1, 1), (2, MAX_STEPS)),
    Architecture("many_to_one", "Many-to-one", "Tx > 1, Ty = 1",
                 "Sentiment classification: a whole review in, one label out", "pages/sentiment.py",
                 (2, MAX_STEPS), (1, 1)),
    Architecture("many_to_many", "Many-to-many", "Tx = Ty", "Named-entity recognition: one tag per input word",
                 "pages/ner.py", (2, MAX_STEPS), (2, MAX_STEPS), tied=True),
    Architecture("encoder_decoder", "Encoder–decoder", "Tx ≠ Ty",
                 "Machine translation: English in, French out, lengths differ", "pages/translation.py",
                 (1, MAX_STEPS), (1, MAX_STEPS)),
)}


class ToyCharRNN(nn.Module):
    """A one-layer character RNN: :class:`RNNCell` plus the output layer ``W_ya``, ``b_y``."""

    def __init__(self, vocab: tuple[str, ...] = VOCAB, hidden_size: int = HIDDEN_SIZE) -> None:
        super().__init__()
        self.vocab = vocab
        self.cell = RNNCell(len(vocab), hidden_size)
        self.W_ya = nn.Parameter(torch.empty(len(vocab), hidden_size))
        self.b_y = nn.Parameter(torch.zeros(len(vocab)))

    def one_hot(self, chars: str) -> torch.Tensor:
        """``[len(chars), vocab]`` one-hot rows."""
        idx = torch.tensor([self.vocab.index(c) for c in chars])
        return nn.functional.one_hot(idx, len(self.vocab)).float()

    def logits(self, a: torch.Tensor) -> torch.Tensor:
        """``a`` ``[..., hidden]`` → ``W_ya a + b_y`` ``[..., vocab]``."""
        return a @ self.W_ya.T + self.b_y

    def forward(self, xs: torch.Tensor) -> torch.Tensor:
        """``xs`` ``[time, vocab]`` one-hot → logits ``[time, vocab]`` (a fresh ``a<0> = 0``)."""
        a = self.cell.init_state(1)
        out = []
        for x in xs:
            a = self.cell(x[None], a)
            out.append(self.logits(a)[0])
        return torch.stack(out)


def train_toy_rnn(seed: int = 0, steps: int = 300, text: str = TEXT * 4) -> ToyCharRNN:
    """Train :class:`ToyCharRNN` to predict the next character of ``text`` (Adam, lr 0.05, fixed seed;
    :func:`sequence_models.optim.optimizer_step`, the same numbers as ``torch.optim.Adam``).

    Deterministic for a given ``seed``; takes well under a second on one CPU thread.
    """
    gen = torch.Generator().manual_seed(seed)
    model = ToyCharRNN()
    model.cell.reset_parameters(gen)
    with torch.no_grad():
        model.W_ya.uniform_(-0.5, 0.5, generator=gen)
    xs = model.one_hot(text[:-1])
    ys = torch.tensor([model.vocab.index(c) for c in text[1:]])
    params, adam = list(model.parameters()), {}
    for _ in range(steps):
        loss = nn.functional.cross_entropy(model(xs), ys)
        loss.backward()
        optimizer_step(params, 0.05, adam)   # Adam, as torch.optim.Adam(lr=0.05), without importing torch._dynamo
    model.eval()
    return model


@dataclass
class Step:
    """Everything that happens in one unrolled cell (all vectors as plain lists)."""

    t: int                      # 1-based position in the unrolled picture
    role: str                   # "encoder", "decoder" or "cell"
    x_char: str | None          # input character (None: no input at this step)
    x_from_feedback: bool       # x<t> is the previous step's ŷ, fed back
    x: list[float]
    a_prev: list[float]
    Wax_x: list[float]
    Waa_a: list[float]
    z: list[float]
    a: list[float]
    y_hat: list[float] | None   # softmax over VOCAB, when this step emits an output
    y_char: str | None          # the most likely character, when it emits
    x_is_start: bool = False    # x<t> is the decoder's start symbol START


@dataclass
class Unrolled:
    """A whole forward pass: the architecture, lengths, steps and the shared weights."""

    arch: Architecture
    tx: int
    ty: int
    steps: list[Step]
    weights: dict[str, list[list[float]] | list[float]] = field(default_factory=dict)

    @property
    def input_text(self) -> str:
        return "".join(s.x_char for s in self.steps
                       if s.x_char is not None and not s.x_from_feedback and not s.x_is_start)

    @property
    def output_text(self) -> str:
        return "".join(s.y_char for s in self.steps if s.y_char is not None)


def toy_input(tx: int) -> str:
    """The first ``tx`` characters of "hello hello …"."""
    return (TEXT * (tx // len(TEXT) + 1))[:tx]


@torch.inference_mode()
def run_architecture(model: ToyCharRNN, key: str, tx: int, ty: int, seed_char: str = "h") -> Unrolled:
    """Unroll ``model`` as architecture ``key`` with lengths clamped to its rules.

    Inputs come from :func:`toy_input` (one-to-one/one-to-many start from ``seed_char``).
    Generating steps feed the most likely previous output back in; the decoder's first
    step reads the start symbol :data:`START`.

    Raises:
        ValueError: unknown ``key`` or a ``seed_char`` outside the vocabulary.
    """
    if key not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {key!r}; choose one of {', '.join(ARCHITECTURES)}")
    if seed_char not in model.vocab:
        raise ValueError(f"seed character must be one of {model.vocab}, not {seed_char!r}")
    arch = ARCHITECTURES[key]
    tx, ty = arch.clamp(tx, ty)
    chars = seed_char if tx == 1 and key in ("one_to_one", "one_to_many") else toy_input(tx)

    # Plan the columns of the unrolled picture: (role, input char or None, emits output?)
    if key == "one_to_one":
        plan = [("cell", chars[0], True)]
    elif key == "one_to_many":
        plan = [("cell", chars[0], True)] + [("cell", None, True)] * (ty - 1)
    elif key == "many_to_one":
        plan = [("cell", c, i == tx - 1) for i, c in enumerate(chars)]
    elif key == "many_to_many":
        plan = [("cell", c, True) for c in chars]
    else:  # encoder–decoder: read Tx inputs silently, then emit Ty outputs: <start> first, then fed back
        plan = ([("encoder", c, False) for c in chars] + [("decoder", START, True)]
                + [("decoder", None, True)] * (ty - 1))

    a = model.cell.init_state(1)
    last_char: str | None = None
    steps: list[Step] = []
    for t, (role, char, emits) in enumerate(plan, start=1):
        feedback = char is None
        is_start = role == "decoder" and not feedback
        if feedback:  # the previous step's output
            char = last_char
        x = model.one_hot(char)
        tr = model.cell.trace(x, a)
        a_prev, a = a, tr["a"]
        probs = torch.softmax(model.logits(a), dim=-1)[0]
        y_char = model.vocab[int(probs.argmax())] if emits else None
        last_char = y_char if emits else None
        steps.append(Step(
            t=t, role=role, x_char=char, x_from_feedback=feedback, x=x[0].tolist(),
            a_prev=a_prev[0].tolist(), Wax_x=tr["Wax_x"][0].tolist(), Waa_a=tr["Waa_a"][0].tolist(),
            z=tr["z"][0].tolist(), a=a[0].tolist(),
            y_hat=probs.tolist() if emits else None, y_char=y_char, x_is_start=is_start,
        ))
    weights = {name: getattr(model.cell, name).tolist() for name in ("W_ax", "W_aa", "b_a")}
    weights.update(W_ya=model.W_ya.tolist(), b_y=model.b_y.tolist())
    return Unrolled(arch=arch, tx=tx, ty=ty, steps=steps, weights=weights)


def step_rows(run: Unrolled) -> list[dict[str, object]]:
    """One flat row per step (for a CSV export): input, hidden state before/after, output probabilities."""
    rows = []
    for s in run.steps:
        source = "start symbol" if s.x_is_start else "fed back" if s.x_from_feedback else "input"
        row: dict[str, object] = {"t": s.t, "role": s.role, "x": s.x_char, "x_source": source}
        for name, values in (("a_prev", s.a_prev), ("z", s.z), ("a", s.a)):
            row.update({f"{name}_{i + 1}": round(v, 6) for i, v in enumerate(values)})
        for c, p in zip(VOCAB, s.y_hat or [None] * len(VOCAB)):
            row[f"p_{'space' if c == ' ' else c}"] = None if p is None else round(p, 6)
        row["y"] = s.y_char
        rows.append(row)
    return rows


def steps_csv(run: Unrolled) -> str:
    """:func:`step_rows` as CSV text (empty cells where a step has no output)."""
    import csv
    import io

    rows = step_rows(run)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()
