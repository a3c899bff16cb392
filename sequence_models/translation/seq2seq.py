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


def load_translator(path: str | Path) -> Translator:
    """Load a checkpoint from :func:`save_translator` (and the ``spm.model`` beside it) in eval mode."""
    ckpt = load_checkpoint(path)
    rebuild = "rebuild it with `python -m sequence_models train translation`."
    try:
        cfg = ModelConfig(**ckpt["config"])
        model = Seq2Seq(cfg)
        model.load_state_dict(dequantize_state(ckpt["state_dict"]))
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
