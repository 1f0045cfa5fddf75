import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seed_docs():
    from stance.corpus import load_corpus
    docs, _ = load_corpus(SEEDS)
    return docs


@pytest.fixture(scope="session")
def seed_statements(seed_docs):
    from stance.corpus.segment import Segmenter
    return Segmenter().transform(seed_docs)
