"""Personal information is caught in the form it is published, not only in the form it was typed:
markup, entities, comments, full-width and zero-width characters, odd separators, spaced or
Traditional names and front-matter fields cannot smuggle a value into an output."""

from __future__ import annotations

import html
import re
import unicodedata

import opencc
import pytest
from conftest import REPO, write
from test_safety import luhn_card, valid_id

from publisher.safety import published

PHONE = "13812345678"
GROUPED_ID = valid_id("340404", "19900101", "123")
CARD = luhn_card("622202123456789")
DOTTED_CARD = ".".join(CARD[i:i + 4] for i in range(0, 16, 4))

STORY = "content/deeds/ev.md"


def story(body: str = "正文。", front: str = "", title: str = "测试稿件") -> str:
    """A story whose front matter ``front`` starts on line 7 and whose body starts on line 9 (plus
    the lines of ``front``)."""
    kind = "officer" if "officer:" in front else "deed"
    return (f"---\ntitle: {title}\nkind: {kind}\ndate: 2021-04-01\nstatus: ready\nchannels: [weibo, wechat]\n"
            f"{front}---\n\n{body}\n")


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# -- undeclared values: refused at their place ------------------------------------------------

UNDECLARED = [  # (id, body, needle)
    ("bold", f"电话{PHONE[:3]}**{PHONE[3:7]}**{PHONE[7:]}。", PHONE),
    ("entity", f"电话&#49;{PHONE[1:]}。", PHONE),
    ("hex-entity", f"电话&#x31;{PHONE[1:]}。", PHONE),
    ("comment", f"电话{PHONE[:3]}<!-- x -->{PHONE[3:]}。", PHONE),
    ("span", f"电话<span>{PHONE[:3]}</span>{PHONE[3:]}。", PHONE),
    ("escaped-dash", "电话138\\-1234\\-5678。", PHONE),
    ("dots", "电话138.1234.5678。", PHONE),
    ("fullwidth-dash", "电话138－1234－5678。", PHONE),
    ("fullwidth-digits", f"电话{_fullwidth(PHONE)}。", PHONE),
    *[(f"zero-width-{ord(zw):04X}", f"电话138{zw}1234{zw}5678。", PHONE)
      for zw in ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")],
    ("landline-bare", "座机05546612345。", "05546612345"),
    ("landline-em-dash", "座机0554—6612345。", "05546612345"),
    ("id-grouped", f"身份证{GROUPED_ID[:6]} {GROUPED_ID[6:14]} {GROUPED_ID[14:]}。", GROUPED_ID),
    ("id-fullwidth", f"身份证{_fullwidth(GROUPED_ID)}。", GROUPED_ID),
    ("id-split-lines", f"身份证{GROUPED_ID[:9]}\n{GROUPED_ID[9:]}。", GROUPED_ID),
    ("card-dots", f"卡号{DOTTED_CARD}。", CARD),
    ("plate-space", "车牌皖 D12345。", "皖D12345"),
    ("plate-lower", "车牌皖d12345。", "皖D12345"),
    ("plate-fullwidth", "车牌皖Ｄ１２３４５。", "皖D12345"),
    ("email-chinese-user", "发邮件到张三@163.com。", "张三@163.com"),
    ("email-entity", "邮箱zhangsan&#64;163.com。", "zhangsan@163.com"),
    ("link-url", f"[联系我们](https://example.com/?tel={PHONE})", PHONE),
    ("alt-text", f"![电话{PHONE[:3]}**{PHONE[3:]}](images/banner.png)", PHONE),
]


@pytest.mark.parametrize(("body", "needle"), [case[1:] for case in UNDECLARED], ids=[c[0] for c in UNDECLARED])
def test_undeclared_evasion_in_the_body_is_refused_at_its_line(site, cli, body, needle):
    write(site / STORY, story(body))
    run = cli("check", "--site", site)
    assert run.code != 0
    assert re.search(r"ev\.md:9:\d+: error: looks like ", run.err), run.err
    _no_raw_value_in(run.err, [needle])


FIELDS = [  # (id, front matter with the value, line of the field)
    ("officer-name", f"officer:\n  name: 王五{PHONE}\n", 8),
    ("officer-honors", f"officer:\n  name: 王五\n  honors: [热线{PHONE[:3]}.{PHONE[3:]}]\n", 9),
    ("officer-unit", f"officer:\n  name: 王五\n  unit: \"测试所 {PHONE[:3]}\\u200b{PHONE[3:]}\"\n", 9),
    ("summary", f"summary: 联系{_fullwidth(PHONE)}\n", 7),
    ("figure-label", f"figures:\n  - {{label: 电话{PHONE[:3]}, value: {PHONE[3:]}, unit: 号}}\n", 8),
]


@pytest.mark.parametrize(("front", "line"), [c[1:] for c in FIELDS], ids=[c[0] for c in FIELDS])
def test_undeclared_value_in_a_front_matter_field_is_refused(site, cli, front, line):
    write(site / STORY, story(front=front))
    run = cli("check", "--site", site)
    assert run.code != 0
    assert re.search(rf"ev\.md:{line}:\d+: error: looks like a mobile phone number \(138\*\*\*\*5678\)", run.err), \
        run.err


def test_undeclared_value_in_the_title_is_refused(site, cli):
    write(site / STORY, story(title=f"热线138 1234{chr(0x2060)}5678"))
    run = cli("check", "--site", site)
    assert run.code != 0 and re.search(r"ev\.md:2:\d+: error: looks like a mobile", run.err), run.err


# -- declared values and names: masked everywhere, or refused when they cannot be ---------------

DECLARE_PHONE = f'pii:\n  - {{value: "{PHONE}"}}\n'
PEOPLE = "people:\n  - {name: 王小明, role: victim}\n  - {name: 李雷, role: witness}\n  - {name: 陈小红, role: minor}\n"
NAMES = ["王小明", "李雷", "陈小红"]

DECLARED = [  # (id, front, body, outcome, needles)
    ("phone-entity", DECLARE_PHONE, f"电话&#49;{PHONE[1:]}。", "masked", [PHONE]),
    ("phone-comment", DECLARE_PHONE, f"电话{PHONE[:3]}<!-- x -->{PHONE[3:]}。", "masked", [PHONE]),
    ("phone-dots", DECLARE_PHONE, "电话138.1234.5678。", "masked", [PHONE]),
    ("phone-escaped-dash", DECLARE_PHONE, "电话138\\-1234\\-5678。", "masked", [PHONE]),
    ("phone-fullwidth", DECLARE_PHONE, f"电话{_fullwidth(PHONE)}。", "masked", [PHONE]),
    ("phone-zero-width", DECLARE_PHONE, "电话138\u200b1234\ufeff5678。", "masked", [PHONE]),
    ("phone-bold", DECLARE_PHONE, "电话138**1234**5678。", "refused", [PHONE]),
    ("phone-span", DECLARE_PHONE, f"电话<span>138</span>{PHONE[3:]}。", "refused", [PHONE]),
    ("phone-in-officer-name", DECLARE_PHONE.replace("pii", f"officer:\n  name: 王五{PHONE}\npii"), "正文。",
     "masked", [PHONE]),
    ("phone-in-summary", DECLARE_PHONE + f"summary: 电话{_fullwidth(PHONE)}\n", "正文。", "masked", [PHONE]),
    ("name-spaced", PEOPLE, "王 小明报警。", "masked", NAMES),
    ("name-fullwidth-space", PEOPLE, "李　雷作证。", "masked", NAMES),
    ("name-traditional", PEOPLE, "陳小紅在場。", "masked", NAMES),
    ("name-given-only", PEOPLE, "小明报警后，小红也来了。", "masked", NAMES),
    ("name-alt-text", PEOPLE, "![王小明在现场](images/banner.png)", "masked", NAMES),
    ("name-entity", PEOPLE, "&#29579;小明报警。", "masked", NAMES),
    ("name-comment", PEOPLE, "王<!---->小明报警。", "masked", NAMES),
    ("name-bold", PEOPLE, "王**小明**报警。", "refused", NAMES),
    ("name-in-title", PEOPLE.replace("people", "summary: 王 小明获助\npeople"), "正文。", "masked", NAMES),
]


@pytest.mark.parametrize(("front", "body", "outcome", "needles"), [c[1:] for c in DECLARED],
                         ids=[c[0] for c in DECLARED])
def test_declared_value_never_reaches_an_output(site, cli, tmp_path, front, body, outcome, needles):
    write(site / STORY, story(body, front))
    check = cli("check", "--site", site)
    if outcome == "refused":
        assert check.code != 0
        assert re.search(r"ev\.md:\d+:\d+: error: .*cannot be masked.*write it as plain text", check.err), check.err
        _no_raw_value_in(check.err, needles)
        return
    assert check.code == 0, check.err
    out = tmp_path / "out"
    run = cli("build", "--site", site, "--out", out, "--jobs", "1", "--channel", "weibo", "--channel", "wechat")
    assert run.code == 0, run.err
    texts = {}
    for path in out.rglob("*"):
        if path.is_file():
            try:
                texts[path] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue  # images
            _no_raw_value_in(texts[path], needles, str(path.relative_to(out)))
    ours = "".join(text for path, text in texts.items() if "/ev/" in path.as_posix())
    assert "某" in ours or "****" in ours or "officer:" in front, ours


def _no_raw_value_in(text: str, needles: list[str], where: str = "the message") -> None:
    """No needle (a value, a name, its given name or Traditional form) in ``text`` once
    normalised: NFKC, entities resolved, tags dropped, no spaces or separators between digits."""
    text = unicodedata.normalize("NFKC", html.unescape(re.sub(r"<[^>]*>", "", text)))
    text = re.sub(r"[\u200b-\u200d\u2060\ufeff]", "", text)
    text = re.sub(r"(?<=\d)[\s.\-‐‑–—·]+(?=\d)", "", text)
    dense = re.sub(r"\s", "", text)
    to_traditional = opencc.OpenCC("s2t")
    for needle in needles:
        forms = {needle, needle.upper(), to_traditional.convert(needle)}
        if re.fullmatch(r"[\u4e00-\u9fff]{3,}", needle):
            forms |= {needle[1:], to_traditional.convert(needle[1:])}
        for form in forms:
            assert form not in dense, f"{needle!r} ({form!r}) leaked into {where}"


def test_a_declared_value_in_the_officer_name_is_masked():
    from publisher.content.story import FrontMatter
    from publisher.safety import guard

    meta = FrontMatter.model_validate({"title": "t", "kind": "officer", "date": "2021-04-01",
                                       "officer": {"name": f"王五{PHONE}"}, "pii": [{"value": PHONE}],
                                       "people": [{"name": "王五", "role": "officer"}]})
    masked, _, problems = guard.screen(story(front=f"officer:\n  name: 王五{PHONE}\n" + DECLARE_PHONE), meta,
                                       "正文。", "ev.md")
    assert problems == [] and masked.officer.name == "王五138****5678"


def test_given_name_alone_is_masked_as_the_surname(site, cli, tmp_path):
    write(site / STORY, story("小明报警后，民警赶到。", PEOPLE))
    assert cli("build", "--site", site, "--out", tmp_path / "out", "--channel", "weibo").code == 0
    assert "王某报警后" in (tmp_path / "out/weibo/deeds/ev/post.txt").read_text(encoding="utf-8")


def test_an_officer_sharing_a_given_name_keeps_the_name(site, cli, tmp_path):
    front = "people:\n  - {name: 王小明, role: victim}\n  - {name: 李小明, role: officer}\n"
    write(site / STORY, story("民警李小明帮助小明。", front))
    assert cli("build", "--site", site, "--out", tmp_path / "out", "--channel", "weibo").code == 0
    assert "民警李小明帮助王某" in (tmp_path / "out/weibo/deeds/ev/post.txt").read_text(encoding="utf-8")


def test_an_officer_name_inside_a_victim_name_does_not_shield_it(site, cli, tmp_path):
    front = "people:\n  - {name: 王五一, role: victim}\n  - {name: 王五, role: officer}\n"
    write(site / STORY, story("王五一报警。", front))
    assert cli("build", "--site", site, "--out", tmp_path / "out", "--channel", "weibo").code == 0
    assert "王某报警" in (tmp_path / "out/weibo/deeds/ev/post.txt").read_text(encoding="utf-8")


def test_the_message_names_the_place_of_the_unmaskable_form(site, cli):
    write(site / STORY, story("![王小明在现场](images/banner.png)\n\n他是王**小明**。", PEOPLE))
    run = cli("check", "--site", site)
    assert run.code != 0 and "ev.md:15:3: error: the name of a victim (王某) is written in a form" in run.err


# -- look-alikes: no new false alarms ----------------------------------------------------------

LOOKALIKES = [
    "2021-04-08", "2021.04.08", "20210408", "2021年4月8日", "2021 年 4 月 8 日", "3050元", "1,234,567.89元",
    "12,000 元", "订单号20210408001", "案件编号 2021-0408-001", "拨打110报警", "反诈专线96110", "市民热线12345",
    "10:30至12:00", "上午8点30分", "3月1日以来刑事拘留13人", "电话：110、119、120", "第1、2、3项",
    "2021-04-08 13:30", "版本v1.2.3", "警号012345", "共追回 6 辆、3050 元", "1. 第一步\n2. 第二步",
]


@pytest.mark.parametrize("text", LOOKALIKES)
def test_lookalikes_raise_nothing_as_published(text):
    assert published.find(text, markdown=True) == []


def test_lookalikes_pass_the_check(site, cli):
    write(site / STORY, story("\n\n".join(LOOKALIKES), "summary: 2021年4月8日追回3050元，拨打96110\n"))
    run = cli("check", "--site", site)
    assert run.code == 0, run.err


def test_the_demo_site_raises_no_personal_information_errors(cli):
    run = cli("check", "--site", REPO)
    assert "looks like" not in run.err and "cannot be masked" not in run.err, run.err


def test_published_form_maps_back_to_the_source():
    source = "电话1**3**８&#49;2345678。"
    view = published.published_form(source, markdown=True)
    assert view.text == "电话13812345678。"
    start, end = view.source(2, 13)
    assert source[start:end] == "1**3**８&#49;2345678"


def test_declared_value_in_another_form_is_not_an_undeclared_error(site, cli):
    write(site / STORY, story("电话１３８ １２３４ ５６７８。", DECLARE_PHONE))
    assert cli("check", "--site", site).code == 0
