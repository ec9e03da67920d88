"""Golden tests of Chinese typesetting: words, phrases and balance (issue: professional line breaking).

Each rule is checked where text is drawn: a title (balanced lines), a subtitle cue, an LED slide
and a ticker. Widths are in characters here (the breaker takes any measure; pixels in images).
"""

from __future__ import annotations

import pytest

from publisher.channels.led.slides import pages
from publisher.render import linebreak
from publisher.render.linebreak import keeping, wrap
from publisher.render.video.script import cue_texts


def title(text: str, width: int) -> list[str]:
    return wrap(text, width, balance=True)


def slides(text: str, width: int, per_page: int) -> list[list[str]]:
    return pages(text, lambda piece: wrap(piece, width), per_page)


# -- the three examples the issue quotes ---------------------------------------------------------

def test_the_bank_card_stays_whole_in_the_subtitle():
    cues = cue_texts("你好，这里是某某公安局，你的银行卡涉嫌洗钱，马上要被冻结。")
    assert all("银行卡" in "".join(cue) or "银" not in "".join(cue) for cue in cues)
    assert not any(line.endswith("银") or line.endswith("银行") for cue in cues for line in cue)


def test_zhaohui_stays_whole_on_the_title_card():
    with keeping(["情指中心"]):
        lines = title("情指中心助力找回走失群众17人", 10)
    assert lines == ["情指中心助力找回", "走失群众17人"]


def test_a_phrase_is_not_cut_across_two_led_slides():
    found = slides("分局情指中心发挥研判专长，协助派出所找回走失的老人、小孩和精神障碍患者共17人，"
                   "让一个个家庭重新团圆。", 10, 3)
    texts = ["".join(page) for page in found]
    assert "精神障碍患者共17人，" in "".join(texts)
    assert all(text.endswith(("，", "。")) for text in texts)  # every slide ends a clause or sentence


# -- never inside a word -----------------------------------------------------------------------

@pytest.mark.parametrize("text, width", [
    ("你的银行卡涉嫌洗钱请立即挂断电话", 7),
    ("民警帮助走失老人平安回家", 5),
    ("不要轻信陌生电话和短信", 6),
])
def test_no_word_is_cut_in_titles_cues_and_slides(text, width):
    for lines in (title(text, width), wrap(text, width), *cue_texts(text, width, 2)):
        starts = linebreak.word_starts("".join(lines))
        offset = 0
        for line in lines[:-1]:
            offset += len(line)
            assert offset in starts, lines


def test_a_word_longer_than_the_line_is_the_only_one_cut():
    assert wrap("https://www.example.gov.cn/fanzha", 10) == ["https://ww", "w.example.", "gov.cn/fan", "zha"]


# -- numbers with units, names and the site's terms --------------------------------------------

@pytest.mark.parametrize("whole", ["17人", "3050元", "96110", "2021年4月8日", "342人次"])
def test_numbers_keep_their_units(whole):
    text = f"截至目前分局共计{whole}全部完成登记"
    for width in range(len(whole), 14):  # narrower than the number itself: only then is it cut
        assert any(whole in line for line in wrap(text, width)), (width, wrap(text, width))


def test_declared_names_and_site_terms_are_never_split():
    text = "民警王某和谢家集派出所推进五进五民工作"
    for width in range(3, 12):
        with keeping(["王某", "谢家集", "五进五民"]):
            lines = wrap(text, width)
        joined = "|".join(lines)
        for term in ("王某", "谢家集", "五进五民"):
            assert term in joined.replace("|", "") and term in "".join(lines)
            assert all(term not in joined.replace(line, "") or term in line for line in lines if term[0] in line
                       and line.endswith(term[0]))


# -- punctuation first, then phrases ------------------------------------------------------------

def test_breaks_after_a_sentence_before_a_clause_before_a_word():
    assert wrap("先挂断电话。再拨打96110核实", 10) == ["先挂断电话。", "再拨打96110核实"]
    assert title("遇到可疑电话，一律先挂断", 8) == ["遇到可疑电话，", "一律先挂断"]


def test_closing_punctuation_never_starts_a_line():
    for width in range(3, 12):
        for line in wrap("不听、不信、不转账，“安全账户”是骗局。", width):
            assert line[0] not in linebreak.NO_LINE_START


# -- balance and orphans -----------------------------------------------------------------------

def test_titles_are_balanced_not_full_then_a_scrap():
    lines = title("接到公检法电话说你涉案请立即挂断", 12)
    assert len(lines) == 2 and min(map(len, lines)) >= 0.6 * max(map(len, lines)), lines


def test_a_cue_of_two_lines_is_balanced():
    for cue in cue_texts("电话那头的人语气严厉，还报出了你的姓名和身份证号。", 16, 2):
        if len(cue) == 2:
            assert min(map(len, cue)) >= 0.4 * max(map(len, cue)), cue


@pytest.mark.parametrize("text", ["民警帮助群众找回了丢失的钱包了", "分局全年无休为群众办理身份证件了"])
def test_no_single_character_last_line(text):
    for width in range(6, len(text)):  # narrower, the last word alone fills a line
        for lines in (wrap(text, width), title(text, width)):
            assert sum(ch.isalnum() for ch in lines[-1]) > 1, (width, lines)


# -- LED slides and the ticker -----------------------------------------------------------------

def test_a_slide_ends_at_a_sentence_when_one_ends_on_it():
    found = slides("今晚有雨。请注意出行安全，减速慢行，不要酒后驾驶。", 8, 2)
    assert found[0] == ["今晚有雨。"]


def test_a_clause_longer_than_a_slide_goes_on_between_words():
    found = slides("协助派出所找回走失的老人小孩和精神障碍患者共17人，", 6, 2)
    joined = [line for page in found for line in page]
    starts = linebreak.word_starts("".join(joined))
    offset = 0
    for line in joined[:-1]:
        offset += len(line)
        assert offset in starts, joined


def test_the_ticker_seam_falls_between_items(tmp_path):
    from publisher.channels.led import ticker
    from publisher.channels.led.settings import LedSettings, Screen

    screen = Screen(name="strip", width=640, height=64)
    run = ticker.build([("a", "民警提醒：谨防电信诈骗", False), ("b", "全国反诈预警专线96110", False)], screen,
                       LedSettings(type="led"), "zh-Hans")
    # The strip wraps where the last item's separator ends: the seam is never inside a word.
    assert sum(segment.width for segment in run.segments) == run.period
    assert all(segment.text.endswith(LedSettings(type="led").ticker_separator) for segment in run.segments)
