import pytest

from stance.cli import build_parser, config_from_args
from stance.config import Config
from stance.errors import ConfigError


def test_defaults_valid():
    c = Config()
    assert c.clusterer == "agglomerative" and c.model == "e5-small-offline"


def test_toml_sections_and_overrides(tmp_path):
    p = tmp_path / "stance.toml"
    p.write_text('[topics]\ndistance_threshold = 0.3\nclusterer = "kmeans"\n[run]\nreport = true\n')
    c = Config.from_toml(p, n_clusters=4)
    # n_clusters is the 0.1 name of n_topics: still read
    assert (c.distance_threshold, c.clusterer, c.report, c.n_topics) == (0.3, "kmeans", True, 4)


def test_unknown_key_lists_valid(tmp_path):
    p = tmp_path / "stance.toml"
    p.write_text("distance_treshold = 0.3\n")
    with pytest.raises(ConfigError, match="did you mean 'distance_threshold'") as e:
        Config.from_toml(p)
    assert "valid settings" in str(e.value)


def test_malformed_toml_has_line(tmp_path):
    p = tmp_path / "stance.toml"
    p.write_text('model = "x"\nclusterer = \n')
    with pytest.raises(ConfigError, match=r"stance.toml:2"):
        Config.from_toml(p)


def test_bad_values():
    with pytest.raises(ConfigError, match="clusterer"):
        Config(clusterer="dbscan")
    with pytest.raises(ConfigError, match="must be float"):
        Config().update({"topic_threshold": "high"})


def test_cli_flags_map_to_config():
    args = build_parser().parse_args(["run", "seeds", "--distance-threshold", "0.2", "--no-progress",
                                      "--boilerplate-patterns", "^x$", "--report"])
    c = config_from_args(args)
    assert c.distance_threshold == 0.2 and c.progress is False and c.report is True
    assert c.boilerplate_patterns == ["^x$"] and c.corpus == "seeds"


def test_readme_documents_every_setting():
    from pathlib import Path
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    missing = [n for n in Config.field_names() if f"| `{n}` |" not in readme]
    assert not missing, f"README settings table lacks {missing}"
    docs = Config.field_docs()
    assert all(docs.get(n) for n in Config.field_names()), "every setting needs a docstring"
