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


@pytest.mark.parametrize(("text", "says"), [
    ("wokers = 2\n", "unknown setting wokers in {f} (did you mean workers?)"),
    ("[dedup]\ntreshold = 0.6\n", "unknown setting dedup.treshold in {f} (did you mean threshold?)"),
    ("near = false\n", "unknown setting near in {f} (did you mean [dedup] near?)"),
    ("workers = 0\n", "{f}: workers must be >= 1"),
    ("workers = 'two'\n", "{f}: workers: expected an integer"),
])
def test_config_errors_name_the_file(tmp_path, text, says):
    """A cron mail must say which file to fix (issue #19), and the likely fix for a typo."""
    f = tmp_path / "nightly.toml"
    f.write_text(text)
    with pytest.raises(ConfigError) as e:
        load(str(f), {})
    assert says.format(f=f) in str(e.value)


def test_workers_default_is_chosen_from_the_work():
    assert Config().workers is None and load(None, {}).workers is None
    assert load(None, {"workers": 3}).workers == 3
