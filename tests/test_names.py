"""Undeclared people's names: found in drafts, never raised on officers, places, masks or the demo site."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.config import load_config
from publisher.content import frontmatter, markup
from publisher.pipeline.reader import read_site
from publisher.safety import names
from publisher.safety.names import NameFinding, find_undeclared, suggestion

CORPUS = FIXTURES / "names" / "sentences.tsv"


def found(text: str, declared: tuple[str, ...] = ()) -> list[str]:
    return [f.name for f in find_undeclared(text, declared)]


def test_the_draft_that_passed_silently():
    text = "一位名叫刘桂兰的老人在街头走失，家人四处寻找未果。她的儿子张建国赶到派出所时，眼眶已经湿润了。"
    findings = find_undeclared(text, [])
    assert [f.name for f in findings] == ["刘桂兰", "张建国"]
    for finding in findings:
        assert text[finding.start:finding.end] == finding.name


def test_offsets_point_into_the_text_as_given():
    text = "【通报】\n\n  事主陈秀英的电瓶车被盗。"
    [finding] = find_undeclared(text, [])
    assert finding == NameFinding(text.index("陈秀英"), text.index("陈秀英") + 3, "陈秀英")


@pytest.mark.parametrize("text", [
    "民警李军和辅警王强迅速赶到现场。",
    "望峰岗派出所副所长曾德政总结出社区警务“三多”工作法。",
    "刑警大队队长高建军率队赶赴外省。",
    "民警刘洋、辅警周彬连夜调取监控。",
    "民警李军、王强将老人送回家。",
    "李军警官把老人扶上警车。",
])
def test_officers_after_a_rank_are_not_reported(text):
    assert found(text) == []


def test_declared_names_and_their_parts_are_not_reported():
    text = "受害人王小明报警后，小明的母亲也赶到了派出所。王某说，谢谢民警。"
    assert found(text, ("王小明",)) == []
    assert found(text) == ["王小明"]
    assert found("目击者欧阳娜娜说，娜娜当时就在现场。", ("欧阳娜娜",)) == []


def test_only_the_undeclared_one_is_reported():
    text = "受害人王小明和他的邻居陈秀英一起来到派出所。"
    assert found(text, ("王小明",)) == ["陈秀英"]


@pytest.mark.parametrize("text", [
    "王某报警称其手机被盗。",
    "男子张某某因盗窃被依法刑事拘留。",
    "“你好，这里是某某公安局。”",
    "钱某某涉嫌诈骗罪，已被批准逮捕。",
    "张女士的钱包被盗后，民警很快帮她找回。",
    "老王一大早就来到派出所。",
    "谢家集区蔡家岗街道召开平安建设推进会。",
    "杨公镇派出所联合镇政府开展防溺水宣传。",
    "唐山路派出所的民警将老人安全送回了家。",
    "温馨提示：电瓶车请停放在有监控的地方。",
    "群众的安全感从哪里来？",
    "孔明灯燃放存在火灾隐患，请勿在林区燃放。",
    "黄金周期间，分局投入警力二百余人次。",
])
def test_masks_titles_places_and_words_are_not_names(text):
    assert found(text) == []


def test_suggestion_text():
    assert suggestion("张建国") == ('"张建国" may be a person\'s name: declare under people: with a role '
                                 "(victim, witness, minor, suspect, officer, public)")


# --- the demo site and the fixture sites: no false alarm ---------------------------------------------

SITES = [REPO, FIXTURES / "site", FIXTURES / "video-site"]


def declared_names(meta) -> list[str]:
    return [p.name for p in meta.people] + ([meta.officer.name] if meta.officer else [])


@pytest.mark.parametrize("source", SITES, ids=lambda p: p.name)
def test_no_false_alarm_on_the_sites(source: Path, tmp_path: Path):
    site = tmp_path / "site"  # a copy: reading a site writes its screening cache into .publisher/
    shutil.copytree(source, site, ignore=shutil.ignore_patterns(".git", ".venv", "output", ".publisher", "tests",
                                                                "publisher", "benchmarks", "*.egg-info"))
    config, _ = load_config(site)
    stories, _problems = read_site(site, config)
    assert stories or source != REPO
    alarms = {}
    for story in stories:
        raw_body = frontmatter.parse(story.path.read_text(encoding="utf-8")).body  # before masking
        declared = declared_names(story.meta)
        for text in (story.meta.title, story.meta.summary, story.body.text, markup.render(raw_body).text):
            for finding in find_undeclared(text, declared):
                alarms.setdefault(story.id, []).append(finding.name)
    assert alarms == {}


# --- the corpus: recall and false alarms -------------------------------------------------------------

def test_corpus_recall_and_false_alarms():
    rows = [line.split("\t", 1) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) == 100
    expected = [(name, sentence) for name, sentence in rows if name]
    clean = [sentence for name, sentence in rows if not name]
    misses = [(name, sentence) for name, sentence in expected if name not in found(sentence)]
    wrong = [(found(sentence), sentence) for name, sentence in expected
             if any(f != name for f in found(sentence))]
    alarms = [(found(sentence), sentence) for sentence in clean if found(sentence)]
    recall = (len(expected) - len(misses)) / len(expected)
    print(f"\nnames: recall {len(expected) - len(misses)}/{len(expected)} = {recall:.0%}, "
          f"false alarms {len(alarms)}/{len(clean)}, extra names in named sentences {len(wrong)}")
    for name, sentence in misses:
        print(f"  missed {name}: {sentence}")
    for names_found, sentence in alarms + wrong:
        print(f"  alarm {names_found}: {sentence}")
    assert recall >= 0.8
    assert len(alarms) <= 2


# --- speed, laziness, robustness ----------------------------------------------------------------------

def test_long_story_is_fast():
    sentences = [line.split("\t", 1)[1] for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    text = ("".join(sentences) * 3)[:5000]
    find_undeclared("预热", [])
    started = time.perf_counter()
    findings = find_undeclared(text, ["刘桂兰"])
    elapsed = time.perf_counter() - started
    assert findings and "刘桂兰" not in {f.name for f in findings}
    assert elapsed < 0.1, f"{elapsed * 1000:.0f} ms for 5,000 characters"


def test_text_without_chinese_does_not_load_the_segmenter(monkeypatch):
    monkeypatch.setattr(names, "_tagger", None)
    assert find_undeclared("", []) == []
    assert find_undeclared("Officer Li returned the bike 🚲\x00\x1b", ["x"]) == []
    assert names._tagger is None


@pytest.mark.parametrize("text", ["", "🚲🚓", "\x00\x01\x1b[31m", "\ud800张建国\udfff", "王" * 5000, "某" * 50,
                                  "民警", "张", "\u200b刘\u200d桂兰", "\r\n\t 走失老人黄德福 \r\n"])
def test_never_raises_on_odd_input(text):
    for finding in find_undeclared(text, ["", " ", "王"]):
        assert text[finding.start:finding.end] == finding.name


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.one_of(st.characters(), st.sampled_from("王李张刘桂兰建国某民警老人的、，。 \n")),
               max_size=80),
       st.lists(st.text(max_size=4), max_size=3))
def test_arbitrary_text_never_raises(text, declared):
    for finding in find_undeclared(text, declared):
        assert 0 <= finding.start < finding.end <= len(text)
        assert text[finding.start:finding.end] == finding.name


def test_held_out_sentences():
    """Written after the rules were tuned on sentences.tsv: do not tune on these."""
    rows = [line.split("\t", 1) for line in (FIXTURES / "names" / "heldout.tsv").read_text(encoding="utf-8")
            .splitlines() if line.strip()]
    expected = [(name, sentence) for name, sentence in rows if name]
    hits = sum(name in found(sentence) for name, sentence in expected)
    alarms = sum(bool(found(sentence)) for name, sentence in rows if not name)
    print(f"\nnames (held out): recall {hits}/{len(expected)}, false alarms {alarms}/{len(rows) - len(expected)}")
    assert hits >= 0.7 * len(expected)
    assert alarms <= 1
