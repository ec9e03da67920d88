import json
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES, ink_mask
from PIL import Image

from publisher.channels.weibo import weibo_length


def test_post_text_matches_golden(built):
    text = (built / "weibo/deeds/found-elderly/post.txt").read_text(encoding="utf-8")
    assert text == (FIXTURES / "golden/weibo-found-elderly.txt").read_text(encoding="utf-8")


def test_topics_are_written_with_half_width_hashes_and_no_spaces(built):
    text = (built / "weibo/antifraud/fake-police/post.txt").read_text(encoding="utf-8")
    assert text.startswith("#反诈宣传##我为群众办实事#")
    assert "# " not in text and "＃" not in text


def test_markdown_markup_does_not_leak_into_the_post(built):
    text = (built / "weibo/antifraud/fake-police/post.txt").read_text(encoding="utf-8")
    assert "**" not in text and "##" not in text.split("#我为群众办实事#", 1)[1]
    assert "不听、不信、不转账" in text


@pytest.mark.parametrize(("text", "expected"), [
    ("中文", 2), ("ab", 1), ("abc", 2), ("中a", 2), ("#反诈#", 3), ("", 0), ("96110", 3)])
def test_weibo_length_counts_like_weibo(text, expected):
    assert weibo_length(text) == expected


def test_post_json_reports_length_and_limit(built):
    data = json.loads((built / "weibo/deeds/found-elderly/post.json").read_text(encoding="utf-8"))
    assert data["limit"] == 300
    assert data["length"] == weibo_length(data["text"].strip())
    assert [c["kind"] for c in data["cards"]] == ["title", "quote", "figure", "closing"]


def test_cards_have_the_configured_size(built):
    cards = sorted((built / "weibo/deeds/found-elderly").glob("card-*.png"))
    assert [c.name for c in cards] == ["card-1.png", "card-2.png", "card-3.png", "card-4.png"]
    for card in cards:
        assert Image.open(card).size == (1080, 1440)


def _boxes(built: Path, story: str) -> list[dict]:
    return json.loads((built / f"weibo/{story}/post.json").read_text(encoding="utf-8"))["cards"]


@pytest.mark.parametrize("story", ["deeds/found-elderly", "officers/wang-wu", "antifraud/fake-police"])
def test_ink_lies_inside_the_boxes_and_nowhere_else(built, story):
    for card in _boxes(built, story):
        ink = ink_mask(built / f"weibo/{story}" / card["file"], "#0d2c5e")
        allowed = np.zeros_like(ink)
        for box in card["boxes"]:
            allowed[box["y"]:box["y"] + box["height"], box["x"]:box["x"] + box["width"]] = True
            region = ink[box["y"]:box["y"] + box["height"], box["x"]:box["x"] + box["width"]]
            assert region.any(), f"{card['file']}: box {box['role']} is empty"
        stray = ink & ~allowed
        assert not stray.any(), f"{card['file']}: ink outside boxes at {np.argwhere(stray)[:3].tolist()}"


def test_figure_card_shows_the_figure_large(built):
    card = next(c for c in _boxes(built, "deeds/found-elderly") if c["kind"] == "figure")
    assert "17人" in card["texts"]
    figure_box = next(b for b in card["boxes"] if b["role"] == "figure-1")
    ink = ink_mask(built / "weibo/deeds/found-elderly" / card["file"], "#0d2c5e")
    rows = np.argwhere(ink[figure_box["y"]:figure_box["y"] + figure_box["height"]].any(axis=1))
    assert rows.max() - rows.min() > 150  # the number is drawn big, not as body text


def test_title_card_uses_the_lead_photo(built):
    card = _boxes(built, "officers/wang-wu")[0]
    photo = next(b for b in card["boxes"] if b["role"] == "photo")
    image = Image.open(built / "weibo/officers/wang-wu/card-1.png").convert("RGB")
    # The fixture photo is orange with a blue disc: its orange must show in the photo box.
    r, _g, b = image.getpixel((photo["x"] + 5, photo["y"] + 5))
    assert r > 150 and b < 100


def test_card_text_is_simplified_shaped(built):
    # zh-Hans uses the SC face: the card is not blank and the title text is recorded as given.
    card = _boxes(built, "deeds/found-elderly")[0]
    assert card["texts"][0] == "测试公安在线"
    assert "民警帮走失老人回家" in card["texts"]


# -- cards that carry the story (#15) ------------------------------------------------------------

FIVE_SECTIONS = """---
title: 冒充客服退款诈骗
kind: antifraud
date: 2021-04-20
summary: 自称客服说要给你退款的，多半是骗子。
topics: [反诈宣传]
status: ready
---

网购之后接到“客服”电话，要当心。

## 一通退款电话

对方说出你的订单号，称商品有问题要给你退款。语气客气。

## 要你开通“备用金”

对方称退款要先开通备用金。其实**备用金就是借款，转出去的都是你借的钱**。

## 屏幕共享

骗子让你打开会议软件的屏幕共享。验证码就这样被看得一清二楚。

## 识破骗局

退款只会原路退回，不需要你做任何操作。

## 遇到了怎么办

挂断电话，通过购物平台官方渠道核实。如已被骗，立即拨打110报警。
"""


@pytest.fixture
def five(site, cli) -> Path:
    """The fixture site with an anti-fraud story of five sections, built."""
    (site / "content/antifraud/refund.md").write_text(FIVE_SECTIONS, encoding="utf-8")
    run = cli("build", "--site", site, "--out", site / "out", "--jobs", "1", "--channel", "weibo")
    assert run.code == 0, run.err
    return site / "out/weibo/antifraud/refund"


def _post(folder: Path) -> dict:
    return json.loads((folder / "post.json").read_text(encoding="utf-8"))


def _role(card: dict, role: str) -> dict:
    return next(b for b in card["boxes"] if b["role"] == role)


def test_five_sections_make_five_cards_between_title_and_closing(five):
    cards = _post(five)["cards"]
    assert len(sorted(five.glob("card-*.png"))) == 7 == 5 + 2
    assert [c["kind"] for c in cards] == ["title", *["section"] * 5, "closing"]
    headings = ["一通退款电话", "要你开通“备用金”", "屏幕共享", "识破骗局", "遇到了怎么办"]
    assert ["".join(_role(c, f"heading-{n}")["lines"]) for n, c in enumerate(cards[1:6], start=1)] == headings


def test_a_section_card_shows_its_bold_sentence_or_else_its_first(five):
    cards = _post(five)["cards"]
    keys = ["".join(_role(c, f"key-{n}")["lines"]) for n, c in enumerate(cards[1:6], start=1)]
    assert keys[0] == "对方说出你的订单号，称商品有问题要给你退款。"
    assert keys[1] == "其实备用金就是借款，转出去的都是你借的钱。"  # the bold one, not the first
    assert keys[3] == "退款只会原路退回，不需要你做任何操作。"


def test_closing_card_has_the_hotlines_and_account_and_not_the_last_paragraph(five):
    closing = _post(five)["cards"][-1]
    assert closing["kind"] == "closing"
    texts = closing["texts"]
    assert {"96110", "110", "测试公安在线"} <= set(texts)
    last = "挂断电话，通过购物平台官方渠道核实。如已被骗，立即拨打110报警。"
    assert not any(last in t or t in last for t in texts if len(t) > 8)
    # The number is set as display type: its ink is tall, not a line of body text.
    ink = ink_mask(five / closing["file"], "#0d2c5e")
    number = _role(closing, "number-1")
    rows = np.argwhere(ink[number["y"]:number["y"] + number["height"], number["x"]:number["x"] + number["width"]]
                       .any(axis=1))
    assert rows.max() - rows.min() > 120


def test_closing_lines_come_from_the_channel_config(site, cli):
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'limit = 300\n', 'limit = 300\nclosing_lines = ["报警求助请拨 110", "市民热线 12345"]\n'), encoding="utf-8")
    assert cli("build", "--site", site, "--out", site / "out", "--jobs", "1", "--channel", "weibo").code == 0
    closing = _post(site / "out/weibo/antifraud/fake-police")["cards"][-1]
    assert {"市民热线", "12345", "110"} <= set(closing["texts"]) and "96110" not in closing["texts"]
    config.write_text(config.read_text(encoding="utf-8").replace(
        'closing_lines = ["报警求助请拨 110", "市民热线 12345"]', "closing_lines = []"), encoding="utf-8")
    assert cli("build", "--site", site, "--out", site / "out", "--jobs", "1", "--channel", "weibo").code == 0
    assert [c["kind"] for c in _post(site / "out/weibo/antifraud/fake-police")["cards"]] == ["title", "section",
                                                                                              "section"]


def test_post_text_carries_section_headings_in_full_width_brackets(five):
    text = (five / "post.txt").read_text(encoding="utf-8")
    assert text.startswith("#反诈宣传##我为群众办实事#【冒充客服退款诈骗】")
    lines = text.split("\n")
    headings = [line for line in lines if line.startswith("【") and line.endswith("】")]
    assert headings == ["【一通退款电话】", "【要你开通“备用金”】", "【屏幕共享】", "【识破骗局】", "【遇到了怎么办】"]
    assert lines[lines.index("【屏幕共享】") + 1] == "骗子让你打开会议软件的屏幕共享。验证码就这样被看得一清二楚。"
    assert "##" not in text.split("#我为群众办实事#", 1)[1] and "[" not in text
    post = _post(five)
    assert post["length"] == weibo_length(text.strip()) <= post["limit"]


def test_the_hotline_reminder_is_not_repeated_when_the_body_gives_it(built, five):
    # The fixture's fake-police body names 96110 itself; the five-section story does not.
    assert (built / "weibo/antifraud/fake-police/post.txt").read_text(encoding="utf-8").count("96110") == 1
    assert "如遇可疑情况，请拨打96110反诈专线咨询" in (five / "post.txt").read_text(encoding="utf-8")


CONTENT_TOP, CONTENT_BOTTOM = 180, 1300
"""Between the account line and the footer of a 1080x1440 card."""


def _ink_extent(png: Path) -> float:
    """Share of the card's content area between its first and last row of ink."""
    ink = ink_mask(png, "#0d2c5e")[CONTENT_TOP:CONTENT_BOTTOM]
    rows = np.argwhere(ink.any(axis=1))
    return (rows.max() - rows.min() + 1) / (CONTENT_BOTTOM - CONTENT_TOP)


def _story_with(site: Path, cli, slug: str, front: str, body: str) -> Path:
    (site / f"content/deeds/{slug}.md").write_text(
        f"---\ntitle: 测试卡片\nkind: deed\ndate: 2021-04-21\nsummary: 测试。\nstatus: ready\n{front}---\n\n{body}\n",
        encoding="utf-8")
    run = cli("build", "--site", site, "--out", site / "out", "--jobs", "1", "--channel", "weibo")
    assert run.code == 0, run.err
    return site / f"out/weibo/deeds/{slug}"


def _quote_line_height(card: dict) -> float:
    box = _role(card, "quote")
    return box["height"] / len(box["lines"])


def test_quote_cards_fill_the_card_for_a_short_and_a_long_quote(site, cli):
    short = _story_with(site, cli, "short-quote", "", "正文。\n\n> 群众的事无小事。")
    long_quote = ("群众找上门来，是信得过我们；事情办不好，是我们对不起群众。"
                  "多跑一趟路，多问一句话，多看一眼监控，就可能让一家人早一点团圆。") * 2
    long_ = _story_with(site, cli, "long-quote", "", "正文。\n\n> " + long_quote)
    cards = {}
    for folder in (short, long_):
        card = next(c for c in _post(folder)["cards"] if c["kind"] == "quote")
        cards[folder.name] = card
        assert _ink_extent(folder / card["file"]) >= 0.45, folder.name
    # The type scales to the content: the short quote is set much larger than the long one.
    assert _quote_line_height(cards["short-quote"]) > 1.5 * _quote_line_height(cards["long-quote"])


def test_figure_cards_fill_the_card_with_one_and_with_three_figures(site, cli):
    one = _story_with(site, cli, "one-figure", "figures:\n  - {label: 找回走失群众, value: 17, unit: 人}\n", "正文。")
    three = _story_with(site, cli, "three-figures", "figures:\n  - {label: 走访群众, value: 1740, unit: 人}\n"
                        "  - {label: 化解矛盾, value: 84, unit: 起}\n"
                        "  - {label: 收集意见建议, value: 28, unit: 条}\n", "正文。")
    card = next(c for c in _post(one)["cards"] if c["kind"] == "figure")
    assert _ink_extent(one / card["file"]) >= 0.45
    cards = [c for c in _post(three)["cards"] if c["kind"] == "figure"]
    assert len(cards) == 1  # three figures share one card
    assert {"1740人", "84起", "28条"} <= set(cards[0]["texts"])
    assert _ink_extent(three / cards[0]["file"]) >= 0.75


def test_many_sections_share_cards_within_nine_and_lose_no_heading(site, cli):
    sections = "\n\n".join(f"## 第{n}节小标题\n\n第{n}节的第一句话。第二句话。" for n in range(1, 12))
    folder = _story_with(site, cli, "eleven", "figures:\n  - {label: 找回走失群众, value: 17, unit: 人}\n",
                         sections + "\n\n> 多看一眼监控。")
    post = _post(folder)
    kinds = [c["kind"] for c in post["cards"]]
    assert len(kinds) == 9 == len(sorted(folder.glob("card-*.png")))
    # Sections pair up first (six cards for eleven), then the quote is left out; the figure stays.
    assert kinds == ["title", *["section"] * 6, "figure", "closing"]
    shown = [t for c in post["cards"] if c["kind"] == "section" for t in c["texts"]]
    assert all(f"第{n}节小标题" in shown for n in range(1, 12))
    manifest = json.loads((site / "out/manifest.json").read_text(encoding="utf-8"))
    assert "left out the quote" in json.dumps(manifest, ensure_ascii=False)


@pytest.mark.parametrize("story", ["antifraud/refund"])
def test_section_and_closing_card_ink_lies_inside_their_boxes(five, story):
    for card in _post(five)["cards"]:
        ink = ink_mask(five / card["file"], "#0d2c5e")
        allowed = np.zeros_like(ink)
        for box in card["boxes"]:
            allowed[box["y"]:box["y"] + box["height"], box["x"]:box["x"] + box["width"]] = True
            assert ink[box["y"]:box["y"] + box["height"], box["x"]:box["x"] + box["width"]].any(), box["role"]
        assert not (ink & ~allowed).any(), card["file"]
