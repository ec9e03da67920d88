import pytest

from publisher.render.linebreak import NO_LINE_END, NO_LINE_START, atoms, fits, wrap


@pytest.mark.parametrize("mark", sorted("，。、；：！？）》」』”"))
def test_closing_punctuation_never_starts_a_line(mark):
    # Eight characters fill the line exactly, so a naive breaker would start line 2 with the mark.
    lines = wrap(f"一二三四五六七八{mark}九十", 8)
    assert all(line[0] not in NO_LINE_START for line in lines), lines
    assert "".join(lines) == f"一二三四五六七八{mark}九十"
    assert all(len(line) <= 9 for line in lines)


@pytest.mark.parametrize("mark", sorted("（《「『“"))
def test_opening_punctuation_never_ends_a_line(mark):
    lines = wrap(f"一二三四五六七{mark}八九十", 8)
    assert all(line[-1] not in NO_LINE_END for line in lines), lines
    assert "".join(lines) == f"一二三四五六七{mark}八九十"


@pytest.mark.parametrize("token", ["96110", "2021年", "3050元", "80余人次", "5000余张", "12345"])
def test_numbers_and_units_are_never_split(token):
    for prefix in range(0, 8):
        text = "字" * prefix + token + "之后的文字"
        lines = wrap(text, 8)
        assert any(token in line for line in lines), (token, prefix, lines)


def test_latin_words_are_not_split():
    lines = wrap("请关注 Weibo 和 WeChat 官方账号", 7)
    assert any("Weibo" in line for line in lines)
    assert any("WeChat" in line for line in lines)


def test_wrap_respects_width_and_keeps_every_character():
    text = "分局情指中心协助派出所找回走失老人、小孩、精神病患17人，追回被盗电瓶车6辆，现金3050元。"
    lines = wrap(text, 16)
    assert "".join(lines) == text
    assert all(len(line) <= 16 for line in lines)


def test_newlines_start_paragraphs():
    assert wrap("第一段\n第二段", 10) == ["第一段", "第二段"]


def test_atom_longer_than_a_line_is_split_as_last_resort():
    assert not fits("1234567890123", 8)
    lines = wrap("1234567890123", 8)
    assert "".join(lines) == "1234567890123"
    assert all(len(line) <= 8 for line in lines)


def test_atoms_glue_punctuation_to_neighbours():
    assert atoms("拨打“96110”。") == ["拨", "打", "“96110”。"]


@pytest.mark.parametrize("text, expected", [
    ("请访问 https://a.cn/x?y=1&z=2 下载。然后安装！", ["请访问 https://a.cn/x?y=1&z=2 下载。", "然后安装！"]),
    ("真的吗?是的!好了; 再见", ["真的吗?", "是的!", "好了;", "再见"]),
    ("Hello! 你好“对吗？”他说。", ["Hello!", "你好“对吗？”", "他说。"]),
])
def test_ascii_stops_end_a_sentence_only_before_a_space_chinese_or_the_end(text, expected):
    """A web address's ? and & go on (a card or a subtitle cut at "…/index.html?" is broken)."""
    from publisher.render import linebreak
    from publisher.render.video import script

    assert linebreak.sentences(text) == expected
    assert [s.text for s in script.sentences(text)] == expected
