import pytest

from newsbeam.config import Config, ConfigError, load


def test_defaults_file_then_flags(tmp_path):
    f = tmp_path / "c.toml"
    f.write_text('workers = 3\n[dedup]\nthreshold = 0.7\n[tagging]\nuser_gazetteers = ["places.yaml"]\n')
    cfg = load(str(f), {"workers": 2})
    assert cfg.workers == 2
    assert cfg.dedup.threshold == 0.7
    assert cfg.tagging.user_gazetteers == (str(tmp_path / "places.yaml"),)
    assert cfg.hash() != Config().hash()


@pytest.mark.parametrize(
    "text",
    ["wokers = 2\n", "[dedup]\nthreshold = 'high'\n", "workers = 0\n", "[dedup]\nnum_perm = 100\n", "x = [\n"],
)
def test_bad_config_is_a_config_error(tmp_path, text):
    f = tmp_path / "c.toml"
    f.write_text(text)
    with pytest.raises(ConfigError):
        load(str(f), {})


def test_missing_config_file():
    with pytest.raises(ConfigError):
        load("does-not-exist.toml", {})
