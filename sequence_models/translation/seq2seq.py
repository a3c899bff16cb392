"""The encoder–decoder model, its configuration, and saving/loading it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn

from sequence_models.runtime import AssetError, load_checkpoint, save_checkpoint
from sequence_models.translation.decoders import AttentionDecoder, PlainDecoder
from sequence_models.translation.encoder import Encoder
from sequence_models.translation.subwords import TOKENIZER_FILE, Subwords, load_subwords
from sequence_models.translation.vocab import PAD_ID, Vocab


@dataclass
class ModelConfig:
    """Sizes of one translation model."""
    attention: bool = True
    src_vocab: int = 10000
    tgt_vocab: int = 12000
    emb_dim: int = 256
    enc_hidden: int = 192      # per direction; annotations are 2*enc_hidden wide
    dec_hidden: int = 256
    attn_dim: int = 192
    dropout: float = 0.1
    tied: bool = False         # encoder and decoder share one embedding table (joint subword vocabulary)


class Seq2Seq(nn.Module):
    """Bidirectional-GRU encoder + attention or plain GRU decoder."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.encoder = Encoder(cfg.src_vocab, cfg.emb_dim, cfg.enc_hidden, cfg.dropout)
        dec_cls = AttentionDecoder if cfg.attention else PlainDecoder
        self.decoder = dec_cls(cfg.tgt_vocab, cfg.emb_dim, 2 * cfg.enc_hidden, cfg.dec_hidden,
                               cfg.attn_dim, cfg.dropout)
        if cfg.tied:
            if cfg.src_vocab != cfg.tgt_vocab:
                raise ValueError("tied embeddings need one joint vocabulary")
            self.decoder.embedding = self.encoder.embedding

    @property
    def has_attention(self) -> bool:
        return self.cfg.attention

    def encode(self, src: torch.Tensor, lengths: torch.Tensor):
        """``src`` ``[batch, src_len]`` → (annotations, summary, src_mask ``[batch, src_len]``)."""
        annotations, summary = self.encoder(src, lengths)
        return annotations, summary, src != PAD_ID

    def forward(self, src: torch.Tensor, lengths: torch.Tensor, tgt_in: torch.Tensor):
        """Teacher forcing: output features ``[batch, tgt_len, emb_dim]`` and attention
        ``[batch, tgt_len, src_len]`` (or ``None``)."""
        annotations, summary, mask = self.encode(src, lengths)
        return self.decoder(tgt_in, annotations, summary, mask)

    def loss(self, src: torch.Tensor, lengths: torch.Tensor, tgt_in: torch.Tensor,
             tgt_out: torch.Tensor) -> tuple[torch.Tensor, int]:
        """Mean per-token negative log-likelihood of ``tgt_out`` ``[batch, tgt_len]`` and the token count."""
        features, _ = self(src, lengths, tgt_in)
        return self.decoder.out.loss(features, tgt_out, PAD_ID)


@dataclass
class Translator:
    """A trained model, its joint subword vocabulary (ids) and the SentencePiece model (text ↔ pieces)."""
    model: Seq2Seq
    vocab: Vocab
    subwords: Subwords
    info: dict

    @property
    def src_vocab(self) -> Vocab:
        return self.vocab

    @property
    def tgt_vocab(self) -> Vocab:
        return self.vocab


#: Weight matrices with at least this many numbers are stored as int8 with one fp16 scale per row.
QUANTIZE_MIN = 4096


def quantize_state(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Compact storage: big matrices → int8 rows + fp16 per-row scales (``name::q``, ``name::scale``),
    other floating tensors → fp16. Halves the file again compared with plain fp16."""
    out: dict[str, torch.Tensor] = {}
    for k, v in state.items():
        if v.is_floating_point() and v.dim() == 2 and v.numel() >= QUANTIZE_MIN:
            scale = v.abs().amax(dim=1, keepdim=True).clamp_min(1e-8) / 127.0
            out[k + "::q"] = torch.round(v / scale).clamp(-127, 127).to(torch.int8)
            out[k + "::scale"] = scale.half()
        else:
            out[k] = v.half() if v.is_floating_point() else v.clone()
    return out


def dequantize_state(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Inverse of :func:`quantize_state` (fp32 tensors); plain fp16/fp32 checkpoints pass through."""
    out: dict[str, torch.Tensor] = {}
    for k, v in state.items():
        if k.endswith("::scale"):
            continue
        if k.endswith("::q"):
            name = k[:-3]
            out[name] = v.float() * state[name + "::scale"].float()
        else:
            out[k] = v.float() if v.is_floating_point() else v
    return out


class RowQuantizedEmbedding(nn.Module):
    """An embedding table kept as int8 rows and fp16 row scales (as stored), for inference only.

    ``ids`` ``[...]`` → ``[..., emb_dim]``: only the looked-up rows are turned into fp32, with the same
    operation as :func:`dequantize_state` (``q.float() * scale.float()``), so the vectors are exactly
    those of the fp32 table, which is never built (a quarter of its 12 MB per model stays resident)."""

    def __init__(self, q: torch.Tensor, scale: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("q", q)
        self.register_buffer("scale", scale)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.q[ids].float() * self.scale[ids].float()


def load_state_in_place(model: nn.Module, state: dict[str, torch.Tensor]) -> None:
    """Write a :func:`quantize_state` checkpoint into ``model``'s own parameters, one tensor at a time.

    The same numbers as ``model.load_state_dict(dequantize_state(state))``, without building a second
    full fp32 copy of the weights first (about 24 MB per translation model at load time on a server that
    counts every MB). Raises ``RuntimeError`` on missing or unexpected names and on shape mismatches."""
    targets = model.state_dict()
    names = {k[:-3] if k.endswith("::q") else k for k in state if not k.endswith("::scale")}
    if names != set(targets):
        raise RuntimeError(f"state names differ: missing {sorted(set(targets) - names)[:3]}, "
                           f"unexpected {sorted(names - set(targets))[:3]}")
    with torch.no_grad():
        for name, target in targets.items():
            source = state[name + "::q"] if name + "::q" in state else state[name]
            if source.shape != target.shape:
                raise RuntimeError(f"{name}: shape {tuple(source.shape)} in the file, "
                                   f"{tuple(target.shape)} in the model")
            target.copy_(source)
            if name + "::q" in state:
                target.mul_(state[name + "::scale"].float())


def save_translator(path: str | Path, tr: Translator, compact: bool = True) -> Path:
    """Write weights (int8/fp16 when ``compact``, see :func:`quantize_state`) plus config,
    vocabularies and ``info``."""
    state = {k: v.detach().clone() for k, v in tr.model.state_dict().items()}
    if compact:
        state = quantize_state(state)
    return save_checkpoint(path, state, asdict(tr.model.cfg), itos=tr.vocab.itos, info=tr.info)


def tokenizer_beside(path: str | Path) -> Path:
    """The SentencePiece model used with checkpoint ``path``: ``spm.model`` in the same folder."""
    return Path(path).with_name(Path(TOKENIZER_FILE).name)


def load_translator(path: str | Path, frozen: bool = False) -> Translator:
    """Load a checkpoint from :func:`save_translator` (and the ``spm.model`` beside it) in eval mode.

    ``frozen`` (inference only: the app, the CLI, the evaluation) keeps a tied int8 embedding table
    as it is stored (:class:`RowQuantizedEmbedding`; the same numbers, about 9 MB less per model);
    training needs the trainable fp32 table, the default."""
    ckpt = load_checkpoint(path)
    rebuild = "rebuild it with `python -m sequence_models train translation`."
    try:
        cfg = ModelConfig(**ckpt["config"])
        model = Seq2Seq(cfg)
        state = ckpt["state_dict"]
        table = "encoder.embedding.weight"
        if frozen and cfg.tied and table + "::q" in state:
            emb = RowQuantizedEmbedding(state[table + "::q"], state[table + "::scale"])
            model.encoder.embedding = model.decoder.embedding = emb
            state = {k: v for k, v in state.items() if not k.startswith(("encoder.embedding.", "decoder.embedding."))}
            state.update({f"{side}.embedding.{b}": getattr(emb, b) for side in ("encoder", "decoder")
                          for b in ("q", "scale")})
        load_state_in_place(model, state)
        vocab = Vocab(ckpt["itos"])
    except (KeyError, TypeError, RuntimeError, ValueError) as exc:
        raise AssetError(f"Model file {Path(path).name} does not match the translation model "
                         f"({type(exc).__name__}); {rebuild}") from exc
    sw = load_subwords(str(tokenizer_beside(path)))
    if set(sw.all_pieces()) != set(vocab.itos) or len(vocab) != cfg.tgt_vocab:
        raise AssetError(f"Model file {Path(path).name} was trained with another subword vocabulary than "
                         f"{sw.path.name}; {rebuild}")
    model.eval()
    return Translator(model, vocab, sw, dict(ckpt.get("info", {})))
