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
    assert [c["kind"] for c in data["cards"]] == ["title", "quote", "figure"]


def test_cards_have_the_configured_size(built):
    cards = sorted((built / "weibo/deeds/found-elderly").glob("card-*.png"))
    assert [c.name for c in cards] == ["card-1.png", "card-2.png", "card-3.png"]
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
    figure_box = next(b for b in card["boxes"] if b["role"] == "figure")
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
