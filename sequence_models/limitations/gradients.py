"""Vanishing and exploding gradients, measured with autograd through the course's cells.

A cell from :mod:`sequence_models.cells` is unrolled for ``T`` steps on random
inputs ``x`` ``[1, T, INPUT_SIZE]``. The loss is read off the last hidden state only,
``L = u · a⟨T⟩`` with a fixed random unit vector ``u`` (a linear read-out), so
``‖∂L/∂a⟨T⟩‖ = 1`` and ``‖∂L/∂a⟨T−k⟩‖`` says how much of that signal reaches ``k``
steps back. For a linear RNN whose ``W_aa`` is an orthogonal matrix times ``ρ`` the
answer is exactly ``ρ^k``; the tests check the measured slope against ``log ρ``.

Numbers are kept as the floating-point type computes them: a gradient that
underflows is an exact ``0`` and one that overflows is ``inf`` (or ``nan`` after
``inf − inf``). Nothing is clipped or replaced; the page marks those points.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from torch import nn

from sequence_models.cells import GRUCell, LSTMCell, RNNCell
from sequence_models.optim import optimizer_step
from sequence_models.runtime import make_generator

CELLS = ("rnn", "lstm", "gru")
ACTIVATIONS = ("tanh", "relu", "linear")
MATRICES = ("orthogonal", "gaussian")
DTYPES = {"float64": torch.float64, "float32": torch.float32}
LENGTH_RANGE = (10, 500)
HIDDEN_RANGE = (4, 128)
RADIUS_RANGE = (0.1, 3.0)
FORGET_BIAS_RANGE = (-5.0, 5.0)
SEED_RANGE = (0, 9999)
INPUT_SIZE = 4
#: Pascanu et al.'s γ: a bound on |g'| for the activation g (1 for tanh, ReLU and identity).
GAMMA = {"tanh": 1.0, "relu": 1.0, "linear": 1.0}


@dataclass(frozen=True)
class GradientConfig:
    """What to unroll. Every field is checked by :meth:`validate` (sizes are bounded)."""

    cell: str = "rnn"            # "rnn" | "lstm" | "gru"
    length: int = 100            # T, 10–500
    radius: float = 0.9          # spectral radius ρ of every recurrent block W_·a, 0.1–3
    activation: str = "tanh"     # vanilla RNN only: "tanh" | "relu" | "linear"
    forget_bias: float = 1.0     # LSTM only: every entry of b_f
    hidden: int = 32             # hidden units, 4–128
    seed: int = 0
    dtype: str = "float64"       # "float64" | "float32"
    matrix: str = "orthogonal"   # "orthogonal" (all singular values = ρ) | "gaussian" (rescaled to radius ρ)

    def validate(self) -> "GradientConfig":
        """Return ``self`` or raise ``ValueError`` naming the bad field and its allowed range."""
        def choice(name: str, value: str, options) -> None:
            if value not in options:
                raise ValueError(f"{name} must be one of {', '.join(options)}, not {value!r}")

        def within(name: str, value: float, lo: float, hi: float) -> None:
            if not (isinstance(value, (int, float)) and math.isfinite(value) and lo <= value <= hi):
                raise ValueError(f"{name} must be between {lo:g} and {hi:g}, not {value!r}")

        choice("cell", self.cell, CELLS)
        choice("activation", self.activation, ACTIVATIONS)
        choice("dtype", self.dtype, tuple(DTYPES))
        choice("matrix", self.matrix, MATRICES)
        within("length", self.length, *LENGTH_RANGE)
        within("hidden", self.hidden, *HIDDEN_RANGE)
        within("radius", self.radius, *RADIUS_RANGE)
        within("forget_bias", self.forget_bias, *FORGET_BIAS_RANGE)
        within("seed", self.seed, *SEED_RANGE)
        if int(self.length) != self.length or int(self.hidden) != self.hidden or int(self.seed) != self.seed:
            raise ValueError("length, hidden and seed must be whole numbers")
        return self


@dataclass
class GradientResult:
    """Per-distance gradient norms of one unrolled cell.

    ``norms[k]`` is ``‖∂L/∂a⟨T−k⟩‖`` for ``k = 0 … T−1`` (``k = 0`` is the last step);
    ``per_unit`` is ``|∂L/∂a_i⟨T−k⟩|`` as ``[hidden, T]`` with the same column order.
    ``memory_norms`` (LSTM only) is ``‖∂L/∂c⟨T−k⟩‖``. ``theory_log10`` (linear RNN
    only) is ``k·log10 ρ``, the log of ``ρ^k``, kept in log form so it never underflows.
    """

    config: GradientConfig
    norms: np.ndarray
    per_unit: np.ndarray
    memory_norms: np.ndarray | None
    theory_log10: np.ndarray | None
    top_singular_value: float       # largest singular value of W_aa (vanilla RNN) or of the largest block
    spectral_radius: float          # largest |eigenvalue| of the same matrix
    loss: float                     # L itself (nan or inf if the forward pass overflowed)
    final_state_norm: float         # ‖a⟨T⟩‖
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def distance(self) -> np.ndarray:
        return np.arange(len(self.norms))

    def to_csv(self) -> str:
        """The norms as CSV: a comment line with the config, then k, ‖∂L/∂a⟨T−k⟩‖, the memory-cell norm
        (LSTM) and log10 ρᵏ (linear RNN); floats written exactly (``repr``), inf/nan as Python spells them."""
        import csv
        import io
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        c = self.config
        w.writerow([f"# cell={c.cell} activation={c.activation} T={c.length} rho={c.radius:g} hidden={c.hidden} "
                    f"seed={c.seed} dtype={c.dtype} forget_bias={c.forget_bias:g} matrix={c.matrix}"])
        w.writerow(["k", "grad_norm", "memory_grad_norm", "theory_log10_rho_k"])
        for k, v in enumerate(self.norms):
            mem = "" if self.memory_norms is None else repr(float(self.memory_norms[k]))
            theory = "" if self.theory_log10 is None else repr(float(self.theory_log10[k]))
            w.writerow([k, repr(float(v)), mem, theory])
        return out.getvalue()

    def to_json(self) -> dict:
        """Plain JSON: non-finite numbers become the strings ``"inf"`` / ``"nan"``."""
        def enc(values) -> list:
            return [v if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
                    for v in map(float, values)]
        out = {"config": asdict(self.config), "distance": self.distance.tolist(), "grad_norm": enc(self.norms),
               "top_singular_value": self.top_singular_value, "spectral_radius": self.spectral_radius,
               "loss": enc([self.loss])[0], "counts": self.counts}
        if self.memory_norms is not None:
            out["memory_grad_norm"] = enc(self.memory_norms)
        if self.theory_log10 is not None:
            out["theory_log10"] = enc(self.theory_log10)
        return out


def safe_norm(v: np.ndarray) -> float:
    """Euclidean norm of the values as the cell's dtype produced them, measured in float64
    without overflowing in the squares: ``m·sqrt(Σ(v/m)²)`` with ``m = max|v|``. A vector
    holding inf gives inf, one holding nan gives nan, an all-zero vector gives 0."""
    v = np.abs(np.asarray(v, dtype=np.float64))
    if np.isnan(v).any():
        return math.nan
    m = float(v.max()) if v.size else 0.0
    if m == 0.0 or math.isinf(m):
        return m
    return m * math.sqrt(float(np.sum((v / m) ** 2)))


def count_nonfinite(values: np.ndarray) -> dict[str, int]:
    """How many entries are exactly 0 (underflow), ``inf`` (overflow) and ``nan``."""
    values = np.asarray(values)
    return {"zero": int(np.sum(values == 0)), "inf": int(np.sum(np.isinf(values))),
            "nan": int(np.sum(np.isnan(values)))}


def scaled_matrix(size: int, radius: float, kind: str, generator: torch.Generator) -> torch.Tensor:
    """A ``[size, size]`` float64 matrix with spectral radius ``radius``.

    ``"orthogonal"``: ``ρ·Q`` with ``Q`` orthogonal (QR of a Gaussian matrix), so every
    singular value and every |eigenvalue| equals ``ρ``. ``"gaussian"``: i.i.d. normal
    entries divided by their largest |eigenvalue| and multiplied by ``ρ`` (its largest
    singular value is then larger than ``ρ``).
    """
    g = torch.randn(size, size, generator=generator, dtype=torch.float64)
    if kind == "orthogonal":
        q, r = torch.linalg.qr(g)
        q = q * torch.sign(torch.diagonal(r))  # Haar-distributed
        return radius * q
    if kind == "gaussian":
        return g * (radius / torch.linalg.eigvals(g).abs().max())
    raise ValueError(f"matrix must be one of {', '.join(MATRICES)}, not {kind!r}")


def recurrent_blocks(cell: nn.Module) -> list[str]:
    """Names of the cell's hidden-to-hidden matrices (``W_aa`` or every ``W_·a``)."""
    return ["W_aa"] if isinstance(cell, RNNCell) else [f"W_{g}a" for g in cell.GATES]


def build_cell(config: GradientConfig, generator: torch.Generator) -> nn.Module:
    """The cell of ``config`` in its dtype: PyTorch's init, then every recurrent block set to
    :func:`scaled_matrix` (``ρ``) and, for an LSTM, ``b_f`` set to ``forget_bias``."""
    h = config.hidden
    if config.cell == "rnn":
        cell: nn.Module = RNNCell(INPUT_SIZE, h, config.activation)
        cell.reset_parameters(generator)
    elif config.cell == "lstm":
        cell = LSTMCell(INPUT_SIZE, h)
        cell.reset_parameters(generator, forget_bias=config.forget_bias)
    else:
        cell = GRUCell(INPUT_SIZE, h)
        cell.reset_parameters(generator)
    cell = cell.to(DTYPES[config.dtype])  # before the copy, so float64 keeps every digit of ρ·Q
    with torch.no_grad():
        for name in recurrent_blocks(cell):
            getattr(cell, name).copy_(scaled_matrix(h, config.radius, config.matrix, generator))
    return cell


def _matrix_stats(m: torch.Tensor) -> tuple[float, float]:
    m = m.detach().to(torch.float64)
    return float(torch.linalg.matrix_norm(m, ord=2)), float(torch.linalg.eigvals(m).abs().max())


def gradient_norms(config: GradientConfig) -> GradientResult:
    """Unroll ``config``'s cell for ``T`` steps and backpropagate ``L = u·a⟨T⟩`` with autograd.

    Returns ``‖∂L/∂a⟨T−k⟩‖`` for every ``k``, the per-unit magnitudes ``[hidden, T]``
    and, for an LSTM, ``‖∂L/∂c⟨T−k⟩‖``. Deterministic for a given config (seeded
    generator; inputs ``x`` ``[1, T, 4]`` are standard normal).
    """
    config.validate()
    gen = make_generator(config.seed)
    dtype = DTYPES[config.dtype]
    cell = build_cell(config, gen)
    xs = torch.randn(1, config.length, INPUT_SIZE, generator=gen, dtype=torch.float64).to(dtype)
    u = torch.randn(config.hidden, generator=gen, dtype=torch.float64)
    u = (u / u.norm()).to(dtype)

    a = torch.zeros(1, config.hidden, dtype=dtype)
    c = torch.zeros(1, config.hidden, dtype=dtype)
    states, memories = [], []
    with torch.enable_grad():
        for t in range(config.length):
            if isinstance(cell, LSTMCell):
                a, c = cell(xs[:, t], (a, c))
                memories.append(c)
            else:
                a = cell(xs[:, t], a)
            states.append(a)
        loss = (states[-1][0] * u).sum()
        grads = torch.autograd.grad(loss, states + memories, allow_unused=True)

    def stacked(gs) -> np.ndarray:  # [T, hidden], row k = distance k back
        rows = [torch.zeros(1, config.hidden, dtype=dtype) if g is None else g for g in gs]
        return torch.cat(rows[::-1]).detach().to(torch.float64).numpy()

    per_step = stacked(grads[: config.length])
    norms = np.asarray([safe_norm(r) for r in per_step])
    memory_norms = None
    if memories:
        memory_norms = np.asarray([safe_norm(r) for r in stacked(grads[config.length:])])
    theory = None
    if config.cell == "rnn" and config.activation == "linear":
        theory = np.arange(config.length) * math.log10(config.radius)
    blocks = recurrent_blocks(cell)
    top, rad = max(_matrix_stats(getattr(cell, b)) for b in blocks)
    return GradientResult(
        config=config, norms=norms, per_unit=np.abs(per_step).T, memory_norms=memory_norms, theory_log10=theory,
        top_singular_value=top, spectral_radius=rad, loss=float(loss.detach()),
        final_state_norm=float(states[-1].detach().to(torch.float64).norm()), counts=count_nonfinite(norms))


def log10_or_none(values: np.ndarray) -> list[float | None]:
    """``log10`` of each value, ``None`` where it is 0, inf or nan (for plotting gaps)."""
    out: list[float | None] = []
    for v in map(float, values):
        out.append(math.log10(v) if v > 0 and math.isfinite(v) else None)
    return out


def format_log10(x: float) -> str:
    """``10**x`` written like ``3.49e-150`` even where the number itself is too small or too
    large for a float (the theory line ``ρ^k`` is kept as ``k·log10 ρ`` for that reason)."""
    if not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "0")
    e = math.floor(x)
    m = 10 ** (x - e)
    if m >= 9.995:
        m, e = 1.0, e + 1
    return f"{m:.2f}e{e:+03d}"


def fitted_slope(result: GradientResult, skip: int = 1) -> float:
    """Least-squares slope of ``ln ‖∂L/∂a⟨T−k⟩‖`` against ``k`` over the finite, nonzero points
    (``skip`` first distances left out). Compare with ``ln ρ`` for a linear RNN."""
    k = result.distance[skip:]
    v = result.norms[skip:]
    ok = np.isfinite(v) & (v > 0)
    if ok.sum() < 2:
        raise ValueError("fewer than two finite, nonzero gradient norms to fit")
    return float(np.polyfit(k[ok], np.log(v[ok]), 1)[0])


#: How γ bounds |g′| for each activation: a bound for tanh (|tanh′| ≤ 1, equal only at 0) and ReLU
#: (g′ ∈ {0, 1}); exact for the identity (g′ = 1 at every step, so the Jacobian is W_aa itself).
GAMMA_IS_EXACT = {"tanh": False, "relu": False, "linear": True}
GAMMA_WHY = {"tanh": "|tanh′(z)| ≤ 1, with equality only at z = 0", "relu": "ReLU′(z) is 0 or 1",
             "linear": "g′(z) = 1 exactly"}
#: Relative tolerance for comparing γλ₁ (or the spectral radius) with 1: an orthogonal matrix times
#: 1 computes λ₁ = 1.0000000000000004, which must count as 1, not as "greater than 1".
CONDITION_TOL = 1e-9
#: verdict keys of :func:`pascanu_condition` and what each means
VERDICTS = {
    "vanish": "γλ₁ < 1: the sufficient condition for vanishing holds",
    "cannot_explode": "γλ₁ = 1: the bound (γλ₁)ᵏ = 1 rules explosion out; vanishing is possible, not certain",
    "may_explode": "γλ₁ > 1: the necessary condition for exploding holds; exploding is possible, not certain",
    "vanishes": "linear, spectral radius < 1: the gradient vanishes, certainly",
    "explodes": "linear, spectral radius > 1: the gradient explodes, certainly",
    "constant": "linear, spectral radius = 1: no geometric growth or decay",
    "n/a": "the condition is stated for the vanilla RNN",
}


def compare_with_one(x: float, tol: float = CONDITION_TOL) -> int:
    """−1, 0 or +1 as ``x`` is below, equal to (within the relative ``tol``) or above 1."""
    if not math.isfinite(x):
        return 1 if x > 0 else -1
    if abs(x - 1.0) <= tol:
        return 0
    return -1 if x < 1.0 else 1


def pascanu_verdict(activation: str, lambda1: float, spectral_radius: float) -> str:
    """The verdict key (see :data:`VERDICTS`) for a vanilla RNN with this activation, largest
    singular value ``lambda1`` and spectral radius of ``W_aa``.

    Pascanu, Mikolov & Bengio (2013): with |g′| ≤ γ, every backward step multiplies the gradient
    by a matrix of norm ≤ γλ₁, so γλ₁ < 1 is *sufficient* for vanishing and γλ₁ > 1 is *necessary*
    for exploding; at γλ₁ = 1 the bound (γλ₁)ᵏ = 1 rules explosion out. The comparisons are strict,
    with the tolerance :data:`CONDITION_TOL`. For the identity (γ = 1 exactly) the backward pass is
    ``(W_aaᵀ)ᵏ`` and the outcome is certain: vanishing when λ₁ < 1, otherwise set by the spectral
    radius (explodes above 1, vanishes below, neither at 1)."""
    if activation not in GAMMA:
        raise ValueError(f"activation must be one of {', '.join(GAMMA)}, not {activation!r}")
    side = compare_with_one(GAMMA[activation] * lambda1)
    if not GAMMA_IS_EXACT[activation]:
        return {-1: "vanish", 0: "cannot_explode", 1: "may_explode"}[side]
    if side < 0:
        return "vanishes"
    return {-1: "vanishes", 0: "constant", 1: "explodes"}[compare_with_one(spectral_radius)]


def pascanu_condition(result: GradientResult) -> dict[str, float | str]:
    """λ₁ (largest singular value of ``W_aa``), γ, the spectral radius and the verdict key of
    :func:`pascanu_verdict`; ``"n/a"`` for the LSTM and the GRU."""
    cfg = result.config
    if cfg.cell != "rnn":
        return {"lambda1": result.top_singular_value, "gamma": float("nan"), "spectral_radius": result.spectral_radius,
                "verdict": "n/a"}
    gamma = GAMMA[cfg.activation]
    return {"lambda1": result.top_singular_value, "gamma": gamma, "spectral_radius": result.spectral_radius,
            "verdict": pascanu_verdict(cfg.activation, result.top_singular_value, result.spectral_radius)}


def _num(x: float) -> str:
    """λ₁ as the page writes it: 3 significant digits, and exactly "1" when it equals 1 within the tolerance."""
    return "1" if compare_with_one(x) == 0 else f"{x:.3g}"


def condition_sentence(activation: str, lambda1: float, spectral_radius: float, steps_back: int,
                       measured: float) -> tuple[str, str]:
    """``(style, Markdown sentence)`` for the page: the condition for this activation, generated from
    γ and λ₁ with the same rule as :func:`pascanu_verdict`. ``style`` is ``"vanish"``, ``"neutral"`` or
    ``"explode"`` (the page picks a colour); ``measured`` is the gradient norm ``steps_back`` steps back."""
    v = pascanu_verdict(activation, lambda1, spectral_radius)
    gamma = GAMMA[activation]
    g = f"{gamma:g}"
    lam = _num(lambda1)
    prod = _num(gamma * lambda1)
    rel = {"vanish": "<", "cannot_explode": "=", "may_explode": ">", "vanishes": "<"}.get(v)
    seen = f"Measured {steps_back} steps back: {measured:.3g}."

    def with_bound(text: str) -> str:
        return seen[:-1] + f" ({text})."
    gamma_txt = f"γ = {g} ({GAMMA_WHY[activation]})"
    if v == "vanish":
        bound = format_log10(steps_back * math.log10(gamma * lambda1)) if gamma * lambda1 > 0 else "0"
        return "vanish", (f"Here {gamma_txt} and λ₁ = {lam}, so γλ₁ = {prod} {rel} 1: the sufficient condition holds, "
                          f"and the gradient must vanish at least as fast as ({prod})ᵏ. "
                          + with_bound(f"bound: {bound}"))
    if v == "cannot_explode":
        return "neutral", (f"Here {gamma_txt} and λ₁ = {lam}, so γλ₁ = {prod}: neither condition is strict. The "
                           "bound (γλ₁)ᵏ = 1 rules explosion out (the gradient can never grow), but it does not force "
                           f"vanishing: the gradient shrinks only where g′ < 1. {seen}")
    if v == "may_explode":
        return "explode", (f"Here {gamma_txt} and λ₁ = {lam}, so γλ₁ = {prod} > 1: the necessary condition for "
                           "exploding holds, so exploding is *possible*, not certain: where units saturate, g′ ≈ 0 "
                           f"and the gradient can still vanish. {seen}")
    rho = _num(spectral_radius)
    if v == "vanishes":
        why = (f"λ₁ = {lam} < 1, so ‖(W_aaᵀ)ᵏu‖ ≤ {lam}ᵏ" if compare_with_one(lambda1) < 0 else
               f"the spectral radius is {rho} < 1, so (W_aaᵀ)ᵏ shrinks like {rho}ᵏ once k is large "
               f"(λ₁ = {lam} allows growth over the first steps)")
        return "vanish", (f"Here {gamma_txt}: every backward step multiplies by W_aaᵀ itself, so the outcome is "
                          f"certain. {why[0].upper() + why[1:]}: the gradient **vanishes**. {seen}")
    if v == "explodes":
        return "explode", (f"Here {gamma_txt}: every backward step multiplies by W_aaᵀ itself, so the outcome is "
                           f"certain. The spectral radius is {rho} > 1, so ‖(W_aaᵀ)ᵏu‖ grows like {rho}ᵏ: the "
                           f"gradient **explodes**. {seen}")
    return "neutral", (f"Here {gamma_txt}: every backward step multiplies by W_aaᵀ itself. The spectral radius is "
                       f"{rho} and λ₁ = {lam}: no geometric growth or decay (for an orthogonal W_aa the norm stays "
                       f"exactly 1). {seen}")


# --- gradient clipping -----------------------------------------------------------------

@dataclass
class ClippingRun:
    """One training run: per-step loss and gradient norm (before clipping), both ``[steps]``."""

    clip: float | None
    losses: list[float]
    grad_norms: list[float]

    @property
    def first_nonfinite(self) -> int | None:
        """First step whose loss is nan/inf, or None."""
        return next((i for i, v in enumerate(self.losses) if not math.isfinite(v)), None)

    def spikes(self, factor: float = 5.0) -> list[int]:
        """Steps whose loss is more than ``factor`` × the running minimum so far (and finite)."""
        out, best = [], math.inf
        for i, v in enumerate(self.losses):
            if math.isfinite(v) and best < math.inf and v > factor * best:
                out.append(i)
            if math.isfinite(v):
                best = min(best, v)
        return out


CLIP_LENGTH = 30
CLIP_HIDDEN = 32
CLIP_BATCH = 32


def clipping_task(length: int, batch: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """The clipping demo's regression data: the adding problem (see
    :func:`sequence_models.limitations.long_term.adding_batch`), ``x`` ``[batch, length, 2]``, ``y`` ``[batch]``."""
    from sequence_models.limitations.long_term import adding_batch
    return adding_batch(batch, length, generator)


def train_with_clipping(clip: float | None, lr: float, seed: int, steps: int = 200,
                        init_radius: float = 1.5) -> ClippingRun:
    """Train a small tanh RNN (``nn.RNN``, 32 units, ``W_hh`` orthogonal × ``init_radius``)
    with plain SGD on the adding problem of length 30, clipping the gradient's global norm
    to ``clip`` (``None``: no clipping). Both runs of a comparison share the seed, so they
    start from the same weights and see the same batches; a run that turns nan keeps
    recording nan (no silent recovery)."""
    if not (0 < lr <= 10 and 1 <= steps <= 2000 and 0.1 <= init_radius <= 5):
        raise ValueError("lr must be in (0, 10], steps 1–2000, init_radius 0.1–5")
    if clip is not None and not (0 < clip < math.inf):
        raise ValueError("clip must be a positive number or None")
    gen = make_generator(seed)
    rnn = nn.RNN(2, CLIP_HIDDEN, nonlinearity="tanh", batch_first=True)
    head = nn.Linear(CLIP_HIDDEN, 1)
    params = list(rnn.parameters()) + list(head.parameters())
    with torch.no_grad():
        for p in params:
            p.uniform_(-CLIP_HIDDEN ** -0.5, CLIP_HIDDEN ** -0.5, generator=gen)
        rnn.weight_hh_l0.copy_(scaled_matrix(CLIP_HIDDEN, init_radius, "orthogonal", gen).float())
    losses, norms = [], []
    with torch.enable_grad():
        for _ in range(steps):
            x, y = clipping_task(CLIP_LENGTH, CLIP_BATCH, gen)
            out, _ = rnn(x)
            loss = nn.functional.mse_loss(head(out[:, -1]).squeeze(-1), y)
            loss.backward()
            total = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(p.grad) for p in params]))
            if clip is not None:
                torch.nn.utils.clip_grad_norm_(params, clip)
            optimizer_step(params, lr)   # plain SGD (torch.optim.SGD's numbers), then the gradients are cleared
            losses.append(float(loss.detach()))
            norms.append(float(total))
    return ClippingRun(clip=clip, losses=losses, grad_norms=norms)


def clipping_demo(lr: float = 0.1, clip: float = 1.0, seed: int = 0, steps: int = 200,
                  init_radius: float = 1.5) -> tuple[ClippingRun, ClippingRun]:
    """``(without clipping, with clipping)`` from the same start and batches."""
    return (train_with_clipping(None, lr, seed, steps, init_radius),
            train_with_clipping(clip, lr, seed, steps, init_radius))
