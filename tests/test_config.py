from conftest import write


def test_unknown_key_is_reported_with_key_path_and_line(site, cli):
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('limit = 300', 'limit = 300\nlimmit = 5'),
                      encoding="utf-8")
    run = cli("build", "--site", site)
    assert run.code == 2
    line = config.read_text(encoding="utf-8").splitlines().index("limmit = 5") + 1
    assert f"config.toml:{line}:1: error: channels.weibo.limmit: unknown key" in run.err
    assert "Traceback" not in run.err


def test_wrong_value_type_names_the_option(site, cli):
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("limit = 300", 'limit = "many"'),
                      encoding="utf-8")
    run = cli("check", "--site", site)
    assert run.code == 2
    assert "channels.weibo.limit" in run.err and "integer" in run.err


def test_unknown_channel_type(site, cli):
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('type = "wechat"', 'type = "twitter"'),
                      encoding="utf-8")
    run = cli("build", "--site", site)
    assert run.code == 2
    assert "unknown channel type 'twitter'" in run.err


def test_bad_language_and_timezone(site, cli):
    config = site / "config.toml"
    text = config.read_text(encoding="utf-8").replace('timezone = "Asia/Shanghai"', 'timezone = "Mars/Base"')
    config.write_text(text, encoding="utf-8")
    run = cli("check", "--site", site)
    assert run.code == 2 and "config.toml:3:1: error: timezone: unknown time zone" in run.err


def test_missing_config_is_a_usage_error(tmp_path, cli):
    run = cli("build", "--site", tmp_path)
    assert run.code == 2 and "config.toml not found" in run.err


def test_malformed_toml(site, cli):
    write(site / "config.toml", 'name = "x"\n[channels.weibo\n')
    run = cli("build", "--site", site)
    assert run.code == 2 and "config.toml:2:" in run.err and "invalid TOML" in run.err


def test_kind_defaults_must_name_configured_channels(site, cli):
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('channels = ["weibo"]\n', 'channels = ["tiktok"]\n'),
                      encoding="utf-8")
    run = cli("check", "--site", site)
    assert run.code == 2 and "kinds.antifraud.channels: unknown channel 'tiktok'" in run.err


def test_wechat_slots_respect_one_mass_send_a_day(site, cli):
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + 'slots = ["tue 09:00", "tue 20:00"]\n', encoding="utf-8")
    run = cli("check", "--site", site)
    assert run.code == 2 and "WeChat allows one mass send a day" in run.err
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('"tue 09:00", "tue 20:00"', '"tue 20:00", "tue 20:00"'), encoding="utf-8")
    assert cli("check", "--site", site).code == 0
