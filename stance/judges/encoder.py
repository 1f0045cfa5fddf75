"""A BERT encoder in plain torch, for the claim judge.

The judge reads (proposition, statement) pairs with the offline e5-small weights underneath and
fine-tuned top layers on top. It is written here rather than borrowed from `transformers` because
it must split the stack at a layer (frozen bottom layers computed once and cached during training,
trained top layers) and load a partial state dict, and `transformers`' layer internals (mask
formats, call signatures) change between releases. The maths is BERT's: post-norm residual
blocks, erf GELU, scaled dot-product attention.
"""
from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F


class Layer(nn.Module):
    """One post-norm transformer block with BERT's parameter names."""

    def __init__(self, hidden: int = 384, heads: int = 12, ffn: int = 1536, eps: float = 1e-12):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(hidden, hidden)
        self.k = nn.Linear(hidden, hidden)
        self.v = nn.Linear(hidden, hidden)
        self.o = nn.Linear(hidden, hidden)
        self.ln1 = nn.LayerNorm(hidden, eps=eps)
        self.up = nn.Linear(hidden, ffn)
        self.down = nn.Linear(ffn, hidden)
        self.ln2 = nn.LayerNorm(hidden, eps=eps)
        self.dropout = 0.0

    # BERT state-dict names of this block's tensors, relative to `encoder.layer.N.`
    HF_NAMES = {
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "o": "attention.output.dense", "ln1": "attention.output.LayerNorm",
        "up": "intermediate.dense", "down": "output.dense", "ln2": "output.LayerNorm",
    }

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """x: (B, L, H); mask: (B, 1, 1, L) additive (0 keep, -inf-ish drop)."""
        b, n, h = x.shape
        d = h // self.heads

        def split(t):
            return t.view(b, n, self.heads, d).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        p = self.dropout if self.training else 0.0
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p)
        a = a.transpose(1, 2).reshape(b, n, h)
        x = self.ln1(x + F.dropout(self.o(a), p, self.training))
        y = self.down(F.gelu(self.up(x)))
        return self.ln2(x + F.dropout(y, p, self.training))


class Embeddings(nn.Module):
    def __init__(self, vocab: int, hidden: int = 384, max_pos: int = 512, types: int = 2,
                 eps: float = 1e-12):
        super().__init__()
        self.word = nn.Embedding(vocab, hidden)
        self.pos = nn.Embedding(max_pos, hidden)
        self.types = nn.Embedding(types, hidden)
        self.ln = nn.LayerNorm(hidden, eps=eps)

    def forward(self, ids: torch.Tensor, type_ids: torch.Tensor | None = None) -> torch.Tensor:
        pos = torch.arange(ids.shape[1], device=ids.device)[None, :]
        t = self.types(type_ids if type_ids is not None else torch.zeros_like(ids))
        return self.ln(self.word(ids) + self.pos(pos) + t)


def additive_mask(attention: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """(B, L) 1/0 mask -> (B, 1, 1, L) additive mask for scaled_dot_product_attention."""
    return ((1.0 - attention[:, None, None, :].to(dtype)) * torch.finfo(dtype).min)


def load_layer(layer: Layer, state: dict, index: int) -> None:
    """Copy BERT weights `encoder.layer.<index>.*` from `state` (name -> array/tensor) into a Layer."""
    for mine, hf in Layer.HF_NAMES.items():
        mod = getattr(layer, mine)
        for p in ("weight", "bias"):
            t = state[f"encoder.layer.{index}.{hf}.{p}"]
            getattr(mod, p).data.copy_(torch.as_tensor(t))


def load_embeddings(emb: Embeddings, state: dict) -> None:
    pairs = {"word": "word_embeddings", "pos": "position_embeddings", "types": "token_type_embeddings"}
    for mine, hf in pairs.items():
        getattr(emb, mine).weight.data.copy_(torch.as_tensor(state[f"embeddings.{hf}.weight"]))
    emb.ln.weight.data.copy_(torch.as_tensor(state["embeddings.LayerNorm.weight"]))
    emb.ln.bias.data.copy_(torch.as_tensor(state["embeddings.LayerNorm.bias"]))


class Bottom(nn.Module):
    """Embeddings and the first `n_layers` blocks of the base model (frozen)."""

    def __init__(self, state: dict, n_layers: int, config: dict):
        super().__init__()
        self.emb = Embeddings(config["vocab_size"], config["hidden_size"],
                              config["max_position_embeddings"], config["type_vocab_size"],
                              config["layer_norm_eps"])
        load_embeddings(self.emb, state)
        self.layers = nn.ModuleList()
        for i in range(n_layers):
            layer = Layer(config["hidden_size"], config["num_attention_heads"],
                          config["intermediate_size"], config["layer_norm_eps"])
            load_layer(layer, state, i)
            self.layers.append(layer)
        self.requires_grad_(False)
        self.eval()

    @torch.inference_mode()
    def forward(self, ids: torch.Tensor, attention: torch.Tensor) -> torch.Tensor:
        x = self.emb(ids)
        mask = additive_mask(attention, x.dtype)
        for layer in self.layers:
            x = layer(x, mask)
        return x


class Head(nn.Module):
    """The trained part: top blocks, then a classifier over the first token and the mean."""

    def __init__(self, n_layers: int, n_classes: int, config: dict, dropout: float = 0.1):
        super().__init__()
        h = config["hidden_size"]
        self.layers = nn.ModuleList(
            Layer(h, config["num_attention_heads"], config["intermediate_size"], config["layer_norm_eps"])
            for _ in range(n_layers))
        for layer in self.layers:
            layer.dropout = dropout
        self.drop = nn.Dropout(dropout)
        self.proj = nn.Linear(2 * h, h)
        self.out = nn.Linear(h, n_classes)

    def forward(self, x: torch.Tensor, attention: torch.Tensor) -> torch.Tensor:
        mask = additive_mask(attention, x.dtype)
        for layer in self.layers:
            x = layer(x, mask)
        m = attention[:, :, None].to(x.dtype)
        mean = (x * m).sum(1) / m.sum(1).clamp(min=1.0)
        z = torch.cat([x[:, 0], mean], dim=-1)
        return self.out(self.drop(torch.tanh(self.proj(self.drop(z)))))


def init_head_from_base(head: Head, state: dict, first_layer: int) -> None:
    """Start the trained blocks from the base model's own top blocks."""
    for j, layer in enumerate(head.layers):
        load_layer(layer, state, first_layer + j)
    nn.init.normal_(head.proj.weight, std=0.02)
    nn.init.zeros_(head.proj.bias)
    nn.init.normal_(head.out.weight, std=0.02)
    nn.init.zeros_(head.out.bias)


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


__all__ = ["Layer", "Embeddings", "Bottom", "Head", "additive_mask", "load_layer",
           "init_head_from_base", "n_params", "math"]
