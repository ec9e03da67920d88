"""The team's language in check, build and new (Chinese messages after the English ``path:line:col:``
prefix), values typed in Chinese (kind, status, role, dates), and hints for a Chinese keyboard's
punctuation in front matter."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import write

from publisher.content.story import FrontMatter

BASE = "title: 坏故事\nkind: deed\ndate: 2021-04-01\nstatus: ready"
PREFIX = re.compile(r"^\S+:\d+:\d+: (error|warning): ")


def story(site, front, name="bad.md", body="正文。"):
    return write(site / "content/deeds" / name, f"---\n{front}\n---\n\n{body}\n")


def errors(run) -> list[str]:
    return [line for line in run.err.splitlines() if PREFIX.match(line)]


# --- check, build and new in Chinese ---------------------------------------------------------------

def test_check_content_error_in_chinese(site, cli, chinese):
    story(site, BASE + "\nauthor: 张三")
    run = cli("check", "--site", "site", cwd=site.parent)
    assert run.code == 1
    assert "site/content/deeds/bad.md:6:1: error: 未知的键 author（自由字段请写在 extra: 下）" in run.err
    assert "已检查" in run.out


def test_check_wrong_kind_lists_the_chinese_names(site, cli, chinese):
    story(site, BASE.replace("kind: deed", "kind: news"))
    run = cli("check", "--site", "site", cwd=site.parent)
    line = next(line for line in errors(run) if line.startswith("site/content/deeds/bad.md:3:1: error: "))
    assert "kind 只能是" in line and "deed（为民服务）" in line and "'news'" in line
    assert "Input should" not in run.err


def test_check_missing_key_and_bad_value_in_chinese(site, cli, chinese):
    story(site, "title: 坏故事\ndate: 2021-04-01\nstatus: ready\nurgent: maybe")
    run = cli("check", "--site", "site", cwd=site.parent)
    assert "缺少必填项 kind" in run.err
    assert "site/content/deeds/bad.md:5:1: error: urgent 只能写 true（是）或 false（否）" in run.err


def test_check_config_error_in_chinese(site, cli, chinese):
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('[channels.wechat]\n',
                                                                 '[channels.wechat]\ntitle_limit = "abc"\n'),
                      encoding="utf-8")
    run = cli("check", "--site", "site", cwd=site.parent)
    assert run.code == 2
    line = errors(run)[0]
    assert re.match(r"^site/config\.toml:\d+:1: error: channels\.wechat\.title_limit 应该是整数，现在写的是 'abc'$",
                    line), run.err


def test_config_unknown_key_and_limit_in_chinese(site, cli, chinese):
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        '[channels.wechat]\n', '[channels.wechat]\ncover_width = 5\ncolour = "red"\n'), encoding="utf-8")
    run = cli("check", "--site", "site", cwd=site.parent)
    assert "channels.wechat.cover_width 不能小于 100，现在是 5" in run.err
    assert "未知的键 channels.wechat.colour" in run.err


def test_invalid_toml_in_chinese(site, cli, chinese):
    (site / "config.toml").write_text('name = \n', encoding="utf-8")
    run = cli("check", "--site", "site", cwd=site.parent)
    assert run.code == 2
    assert re.match(r"^site/config\.toml:1:\d+: error: config\.toml 格式有误：值写得不对", errors(run)[0]), run.err


def test_build_summary_in_chinese(site, cli, chinese):
    run = cli("build", "--site", "site", "--out", "out", "--jobs", "1", cwd=site.parent)
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    weibo = next(line for line in lines if line.startswith("微博："))
    assert re.fullmatch(r"微博：渲染 \d+，未变 \d+，失败 0，用时 \d+\.\d 秒", weibo), weibo
    assert any(line.startswith("微信公众号：渲染 ") for line in lines)
    assert "rendered" not in run.out
    again = cli("build", "--site", "site", "--out", "out", "--jobs", "1", cwd=site.parent)
    assert re.search(r"微博：渲染 0，未变 \d+，失败 0", again.out), again.out


def test_build_summary_stays_english_in_english(site, cli):
    run = cli("build", "--site", "site", "--out", "out", "--jobs", "1", cwd=site.parent)
    assert re.search(r"^weibo: \d+ rendered, \d+ unchanged, 0 failed, \d+\.\ds$", run.out, re.M), run.out


def test_new_in_chinese(site, cli, chinese):
    run = cli("new", "deed", "帮老人找到家", "--slug", "found", "--site", site)
    assert run.code == 0, run.err
    path = site / "content/deeds/found.md"
    assert path.is_file() and "帮老人找到家" in path.read_text(encoding="utf-8")
    run = cli("new", "deed", "又一篇", "--slug", "found", "--site", site)
    assert run.code == 2
    assert "已经存在" in run.err and "already exists" not in run.err
    run = cli("new", "deed", "坏文件名", "--slug", "坏 名", "--site", site)
    assert run.code == 2 and "只能用英文字母、数字、- 和 _" in run.err


def test_new_story_checks_clean(site, cli, chinese):
    cli("new", "officer", "好民警", "--slug", "good-cop", "--site", site)
    run = cli("check", "--site", "site", cwd=site.parent)
    # a new story passes check as it is (the officer's name is a placeholder to replace, in Chinese)
    assert run.code == 0 and run.err == "" and "篇稿件：0 个错误，0 个提醒" in run.out, run.err
    assert "name: 请填写民警姓名" in (site / "content/officers/good-cop.md").read_text(encoding="utf-8")


# --- values typed in Chinese -------------------------------------------------------------------------

def _meta(**fields):
    return FrontMatter.model_validate({"title": "好", "kind": "deed", "date": "2021-04-08", **fields})


@pytest.mark.parametrize(("kind", "expected"), [("民警风采", "officer"), ("为民服务", "deed"),
                                                ("反诈宣传", "antifraud")])
def test_kind_in_chinese(kind, expected):
    officer = {"officer": {"name": "王五"}} if expected == "officer" else {}
    assert _meta(kind=kind, **officer).kind == expected


@pytest.mark.parametrize(("status", "expected"), [("草稿", "draft"), ("待发", "ready"), ("ready", "ready")])
def test_status_in_chinese(status, expected):
    assert _meta(status=status).status == expected


@pytest.mark.parametrize(("role", "expected"), [("受害人", "victim"), ("证人", "witness"), ("未成年人", "minor"),
                                                ("嫌疑人", "suspect"), ("民警", "officer"), ("群众", "public")])
def test_role_in_chinese(role, expected):
    assert _meta(people=[{"name": "张三", "role": role}]).people[0].role == expected


@pytest.mark.parametrize(("written", "expected"), [
    ("2021年4月8日", dt.date(2021, 4, 8)),
    ("2021/4/8", dt.date(2021, 4, 8)),
    ("2021 年 4 月 8 日", dt.date(2021, 4, 8)),
    (dt.date(2021, 4, 8), dt.date(2021, 4, 8)),
])
def test_dates_in_chinese(written, expected):
    assert _meta(date=written).date == expected


def test_publish_window_in_chinese():
    meta = _meta(publish_after="2021年4月9日", expire_after="2021/5/1 18:30")
    assert meta.publish_after == dt.date(2021, 4, 9)
    assert meta.expire_after == dt.datetime(2021, 5, 1, 18, 30)


def test_weekdays_in_chinese():
    assert _meta(days=["周一", "星期三", "周日"]).days == ["mon", "wed", "sun"]


def test_a_story_written_in_chinese_values_builds(site, cli):
    story(site, "title: 好故事\nkind: 为民服务\ndate: 2021年4月8日\nstatus: 待发\n"
                "people:\n  - {name: 张三, role: 群众}", name="zh.md", body="民警帮助张三找到了家人。")
    run = cli("check", "--site", "site", cwd=site.parent)
    assert run.code == 0, run.err


def test_a_date_in_the_wrong_form_says_which_forms_work(site, cli, chinese):
    story(site, BASE.replace("2021-04-01", "4月8日"))
    run = cli("check", "--site", "site", cwd=site.parent)
    wanted = "bad.md:4:1: error: date：'4月8日' 不是日期；请写成 2021-04-08、2021/4/8 或 2021年4月8日"
    assert wanted in run.err, run.err


def test_a_date_in_the_wrong_form_in_english(site, cli):
    story(site, BASE.replace("2021-04-01", "April 8"))
    run = cli("check", "--site", "site", cwd=site.parent)
    assert "bad.md:4:1: error: date: 'April 8' is not a date; write it like 2021-04-08, 2021/4/8 or 2021年4月8日" \
        in run.err, run.err


# --- a Chinese keyboard's punctuation ------------------------------------------------------------------

def test_full_width_colon_hint_in_chinese(site, cli, chinese):
    story(site, BASE + "\nsummary：好\ntopics: [a]")
    run = cli("check", "--site", "site", cwd=site.parent)
    assert run.code == 1
    assert "site/content/deeds/bad.md:6:8: error: 第 6 行用了中文冒号「：」，请改为英文冒号「:」" in run.err, run.err


def test_full_width_colon_on_the_first_key(site, cli, chinese):
    story(site, "title：坏故事\nkind: deed\ndate: 2021-04-01")
    run = cli("check", "--site", "site", cwd=site.parent)
    assert "site/content/deeds/bad.md:2:6: error: 第 2 行用了中文冒号「：」" in run.err, run.err


def test_full_width_colon_in_english(site, cli):
    story(site, BASE + "\nsummary：好")
    run = cli("check", "--site", "site", cwd=site.parent)
    assert "bad.md:6:8: error: line 6 uses a Chinese colon「：」; write an English colon「:」" in run.err


def test_full_width_colon_inside_text_is_fine(site, cli):
    story(site, BASE + "\nsummary: |\n  App：国家反诈中心", name="ok.md")
    run = cli("check", "--site", "site", cwd=site.parent)
    assert "ok.md" not in run.err, run.err


def test_full_width_dash_hint(site, cli, chinese):
    story(site, BASE + "\ntopics:\n  － 反诈\n  － 宣传")
    run = cli("check", "--site", "site", cwd=site.parent)
    wanted = "site/content/deeds/bad.md:7:3: error: 第 7 行的列表项用了中文的「－」，请改为英文短横线加空格「- 」"
    assert wanted in run.err, run.err


def test_chinese_comma_in_a_flow_list(site, cli, chinese):
    story(site, BASE + "\ntopics: [反诈，宣传]")
    story(site, BASE + "\nchannels: [weibo，wechat]", name="channels.md")
    run = cli("check", "--site", "site", cwd=site.parent)
    assert "bad.md:6:1: error: topics：话题 '反诈，宣传'：多个话题之间请用英文逗号「,」分隔" in run.err
    assert "没有渠道 'weibo，wechat'" in run.err and "中文逗号「，」或顿号「、」会把两项连成一项" in run.err


def test_yaml_problem_in_chinese(site, cli, chinese):
    story(site, "title: [unclosed\nkind: deed")
    run = cli("check", "--site", "site", cwd=site.parent)
    assert "site/content/deeds/bad.md:3:" in run.err
    assert "稿件开头的信息栏格式有误：方括号列表没有闭合" in run.err, run.err
