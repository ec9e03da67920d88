"""``publisher check --typesetting``: the audit of every drawn line, on hand-made output files (each
kind of problem, and clean files), on the records a real build writes, and on the typesetting corpus."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pypdf
import pytest

from publisher.cli import main
from publisher.pipeline import typesetting
from publisher.render import terms

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "typeset-corpus"
TERMS = ["情指中心", "五进五民", "谢家集"]


def _rendition(channel: str, key: str, files: list[str], *, unit: bool = False, stories: list[str] | None = None,
               kind: str = "") -> dict:
    return {"story": "" if unit else key, "channel": channel, "type": kind or channel,
            "files": [f"{channel}/{key}/{name}" for name in files], "hash": "x", "path": "" if unit else
            f"content/{key}.md", "unit": key if unit else "", "stories": stories or []}


def _card(kind: str, boxes: dict[str, list[str]]) -> dict:
    return {"file": "card.png", "kind": kind, "texts": [],
            "boxes": [{"role": "band", "x": 0, "y": 0, "width": 10, "height": 2},
                      *({"role": role, "x": 0, "y": 0, "width": 10, "height": 10, "lines": lines}
                        for role, lines in boxes.items())]}


def _srt(cues: list[list[str]]) -> str:
    return "\n".join(f"{n}\n00:00:0{n},000 --> 00:00:0{n},900\n" + "\n".join(lines) + "\n"
                     for n, lines in enumerate(cues, start=1))


def _slide(story: str, title: str, name: str, lines: list[str]) -> dict:
    return {"story": story, "title": title, "slide": name, "seconds": 8, "urgent": False, "hash": "", "lines": lines}


def make_output(out: Path, *, clean: bool) -> Path:
    """An output folder as a build leaves it: manifest.json and the records of one story on every
    channel. ``clean``: lines as a careful editor would break them; otherwise one of each problem."""
    story, title = "deeds/zhaohui", "情指中心助力找回走失群众17人"
    if clean:
        cards = [_card("title", {"title": ["情指中心助力", "找回走失群众17人"],
                                 "summary": ["你的银行卡涉嫌洗钱，", "请立即挂断电话"]}),
                 _card("quote", {"quote": ["多看一眼监控，多打一个电话，", "就可能让一家人早一点团圆。"]}),
                 _card("figure", {"label": ["今年以来共追回", "被骗资金3050元"],
                                  "caption": ["分局情指中心", "连夜研判"],
                                  "footer": ["接到陌生电话请先核实，", "不要轻易相信他"]})]
        cues = [["“你好，这里是某某公安局，", "你的银行卡涉嫌洗钱，马上要被冻结。”"],
                ["电话那头的人语气严厉，", "还报出了你的姓名。"]]
        door = [_slide(story, title, "slide-001.png", ["情指中心助力找回", "走失群众17人", "协助找回走失的老人、",
                                                       "小孩和精神障碍患者，"]),
                _slide(story, title, "slide-002.png", ["情指中心助力找回", "走失群众17人", "共17人。"])]
    else:
        cards = [_card("title", {"title": ["情指中心助力找回走失群众", "17人"],           # unbalanced
                                 "summary": ["你的银", "行卡涉嫌洗钱，请立即挂断电话"]}),      # 银/行卡 cut
                 _card("quote", {"quote": ["多看一眼监控，多打一个电话", "，就可能让一家人早一点团圆。"]}),  # '，'
                 _card("figure", {"label": ["今年以来共追回被骗资金30", "50元"],          # a number cut
                                  "caption": ["分局情指", "中心连夜研判"],                # a site term cut
                                  "footer": ["接到陌生电话请先核实，不要轻易相信", "他"]})]  # orphan
        cues = [["“你好，这里是某某公安局，你的银", "行卡涉嫌洗钱，马上要被冻结。”"],        # 银/行卡 cut
                ["电话那头的人语气严厉，", "还报出了你的姓名。"]]
        door = [_slide(story, title, "slide-001.png", ["情指中心助力找回", "走失群众17人", "协助找回走失的老人、",
                                                       "小孩和精神障碍"]),              # ends mid-clause
                _slide(story, title, "slide-002.png", ["情指中心助力找回", "走失群众17人", "患者共17人。"])]
    folders = {
        f"weibo/{story}/post.json": {"text": "", "cards": cards},
        f"wechat/{story}/article.json": {"title": title, "cover_lines": ["情指中心助力找回", "走失群众17人"]},
        f"douyin/{story}/plan.json": {"cues": [], "cover": _card("title", {"title": ["情指中心助力找回",
                                                                                   "走失群众17人"]})},
        "led/door/2026-11-28/playlist.json": {"parts": [{"name": "loop.mp4", "items": door}]},
        "led/strip/2026-11-28/playlist.json": {"parts": [{"name": "loop.mp4", "items": [
            {"story": story, "title": title, "slides": [], "seconds": 9, "urgent": False,
             "text": f"{title}　◆　"}]}]},
        f"print/{story}/leaflet.json": {"lines": [{"text": "title", "lines": ["情指中心助力找回", "走失群众17人"]},
                                                   {"text": "body-1", "lines": ["立即挂断电话，", "向家人核实。"]}]},
    }
    for name, data in folders.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (out / f"douyin/{story}/video.srt").write_text(_srt(cues), encoding="utf-8")
    renditions = [
        _rendition("weibo", story, ["post.txt", "card-1.png", "post.json"]),
        _rendition("wechat", story, ["article.html", "cover.jpg", "article.json"]),
        _rendition("douyin", story, ["video.mp4", "video.srt", "cover.jpg", "plan.json"], kind="video"),
        _rendition("led", "door/2026-11-28", ["loop.mp4", "playlist.json"], unit=True, stories=[story]),
        _rendition("led", "strip/2026-11-28", ["loop.mp4", "playlist.json"], unit=True, stories=[story]),
        _rendition("print", story, ["leaflet.pdf", "leaflet.json"]),
    ]
    (out / "manifest.json").write_text(json.dumps({"renditions": renditions, "errors": [], "warnings": []},
                                                  ensure_ascii=False), encoding="utf-8")
    return out


def counts(report: typesetting.Report) -> dict[str, int]:
    return {kind: report.count(kind) for kind in typesetting.KINDS}


def test_each_kind_of_problem_is_found_and_counted(tmp_path):
    report = typesetting.audit(make_output(tmp_path, clean=False), site_terms=TERMS)
    assert counts(report) == {"cut_words": 2, "orphans": 1, "punct": 1, "unbalanced": 1, "numbers": 2,
                              "slide_breaks": 1}
    # card boxes, WeChat cover, cues, video cover, LED headlines (twice) and body, ticker, leaflet
    assert report.lines == 12 + 2 + 4 + 2 + (4 + 3) + 1 + 4
    shown = [str(f) for f in report.findings]
    assert ('content/deeds/zhaohui.md: weibo/deeds/zhaohui card-1 summary: word cut across lines: '
            '"你的银 / 行卡涉嫌洗钱，请立即挂断电话"') in shown
    assert any("douyin/deeds/zhaohui cue 1: word cut across lines:" in line and "你的银 / 行卡" in line
               for line in shown)
    assert any("slide ends mid-clause" in line and "小孩和精神障碍 / 患者共17人。" in line for line in shown)
    assert any("last line of one character" in line and line.endswith('相信 / 他"') for line in shown)
    assert any("unbalanced two-line title" in line and "card-1 title" in line for line in shown)
    numbers = [line for line in shown if "number or name cut" in line]
    assert any("30 / 50元" in line for line in numbers) and any("分局情指 / 中心" in line for line in numbers)


def test_clean_files_count_zero(tmp_path):
    report = typesetting.audit(make_output(tmp_path, clean=True), site_terms=TERMS)
    assert counts(report) == dict.fromkeys(typesetting.KINDS, 0), [str(f) for f in report.findings]
    assert report.clean and report.lines > 30


def test_a_word_longer_than_a_line_may_be_cut():
    """Only a word that fits on a line counts as cut: 中华人民共和国 on lines of four characters cannot stay whole."""
    text = typesetting.Text(["中华人民", "共和国"], "p", "r", [])
    assert [f.kind for f in typesetting.judge(text)] == []
    text = typesetting.Text(["中华人民共和国的国", "旗"], "p", "r", [])
    assert [f.kind for f in typesetting.judge(text)] == ["cut_words", "orphans"]


def test_slide_split_and_clause_longer_than_a_slide():
    assert typesetting.split_slide(["情指中心助力找回", "走失群众17人", "正文"], "情指中心助力找回走失群众17人") == (
        ["情指中心助力找回", "走失群众17人"], ["正文"])
    assert typesetting.split_slide(["走失群众17人"], "情指中心助力找回走失群众17人") == (["走失群众17人"], [])
    # One clause longer than a slide holds: the slide cannot end at a clause end.
    long = typesetting.Text(["一二三四五六七八", "九十一二三四五六", "七八九十。"], "p", "r", [])
    assert list(typesetting.slide_breaks(long, [2])) == []


def test_srt_parsing():
    assert typesetting.parse_srt(_srt([["第一行", "第二行"], ["一行"]])) == [["第一行", "第二行"], ["一行"]]
    assert typesetting.parse_srt("1\r\n00:00:01,000 --> 00:00:02,000\r\n甲\r\n\r\n") == [["甲"]]


def test_cli_prints_findings_and_the_counts_and_sets_the_exit_code(tmp_path, capsys):
    site = tmp_path / "site"
    shutil.copytree(CORPUS, site, ignore=shutil.ignore_patterns("content"))
    (site / "content").mkdir()
    bad = make_output(tmp_path / "bad", clean=False)
    assert main(["check", "--typesetting", "--site", str(site), "--out", str(bad), "--lang", "en"]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == "typeset: lines=32 cut_words=2 orphans=1 punct=1 unbalanced=1 numbers=2 slide_breaks=1"
    assert len(out) == 9
    good = make_output(tmp_path / "good", clean=True)
    assert main(["check", "--typesetting", "--site", str(site), "--out", str(good), "--lang", "en"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and re.fullmatch(r"typeset: lines=\d+ cut_words=0 orphans=0 punct=0 unbalanced=0 "
                                          r"numbers=0 slide_breaks=0", out[0])
    assert main(["check", "--typesetting", "--site", str(site), "--out", str(tmp_path / "none"), "--lang", "en"]) == 2


@pytest.fixture(scope="module")
def corpus_records(tmp_path_factory):
    """The corpus built on the quick channels (cards, covers, leaflets): what the build records."""
    out = tmp_path_factory.mktemp("corpus")
    assert main(["build", "--site", str(CORPUS), "--out", str(out), "--channel", "weibo", "--channel", "wechat",
                 "--channel", "print", "--lang", "en"]) == 0
    return out


def test_every_card_box_cover_and_leaflet_block_records_its_lines(corpus_records):
    out = corpus_records
    post = json.loads((out / "weibo/deeds/qingzhi-xunren/post.json").read_text(encoding="utf-8"))
    title = next(box for box in post["cards"][0]["boxes"] if box["role"] == "title")
    assert "".join(title["lines"]) == "情指中心助力找回走失群众17人"
    assert all("lines" in box for card in post["cards"] for box in card["boxes"]
               if box["role"] not in ("band", "photo", "rule"))
    article = json.loads((out / "wechat/deeds/qingzhi-xunren/article.json").read_text(encoding="utf-8"))
    assert "".join(article["cover_lines"]) == "情指中心助力找回走失群众17人"
    leaflet = json.loads((out / "print/antifraud/jiamao-gongjianfa/leaflet.json").read_text(encoding="utf-8"))
    blocks = {block["text"]: block["lines"] for block in leaflet["lines"]}
    assert "".join(blocks["title"]) == "自称公检法要你转账？一律是诈骗"
    assert "".join(blocks["summary"]).startswith("骗子冒充公安、检察院、法院工作人员")
    assert any(key.startswith("body-") for key in blocks)
    edition = json.loads((out / "print/@edition/corpus/edition.json").read_text(encoding="utf-8"))
    assert {"card-1-title", "card-1-summary"} <= {block["text"] for block in edition["lines"]}


def test_typst_breaks_only_between_words_and_the_pdf_text_has_no_joiners(corpus_records):
    """Words go to Typst joined by U+2060 (each joiner in a run of its own): no leaflet line cuts a
    word, and the PDF's text (copy, search) is the story's text without a single joiner."""
    out = corpus_records
    report = typesetting.audit(out, site_terms=terms.site_terms(CORPUS))
    leaflets = [f for f in report.findings if f.rendition.startswith("print/")]
    assert [f for f in leaflets if f.kind in ("cut_words", "numbers", "punct")] == []
    for pdf in sorted(out.glob("print/**/*.pdf")):
        reader = pypdf.PdfReader(pdf)
        text = "".join(page.extract_text() for page in reader.pages)
        assert "\u2060" not in text and "\u2060" not in str(reader.metadata.title)
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in pypdf.PdfReader(
        out / "print/antifraud/jiamao-gongjianfa/leaflet.pdf").pages))
    assert "你的银行卡涉嫌洗钱" in text


def test_the_corpus_on_every_channel_and_screen_is_typeset_clean(tmp_path, capsys):
    """220 sentences in the bureau's style, on every channel and three screen sizes: no word,
    number or name cut, no 孤字, no closing mark opening a line, no slide ending mid-clause.
    (Uneven two-line titles are reported, not forbidden: Typst breaks the leaflets' titles.)"""
    site = tmp_path / "site"
    shutil.copytree(CORPUS, site)
    out = tmp_path / "out"
    assert main(["build", "--site", str(site), "--out", str(out), "--lang", "en"]) == 0
    main(["check", "--typesetting", "--site", str(site), "--out", str(out), "--lang", "en"])
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    counts = dict(re.findall(r"(\w+)=(\d+)", summary))
    assert int(counts["lines"]) > 1000
    assert {key: counts[key] for key in ("cut_words", "orphans", "punct", "numbers", "slide_breaks")} == {
        "cut_words": "0", "orphans": "0", "punct": "0", "numbers": "0", "slide_breaks": "0"}, summary
