"""Warn about people a story names but does not declare under ``people:``.

Contract
--------
:func:`find_undeclared` takes one plain text (a title, a summary, or a body rendered to text)
and the names the story declares (every ``people:`` name, whatever its role, plus
``officer.name``), and returns a :class:`NameFinding` for every place where the text seems
to name a person who is not declared. ``start``/``end`` are offsets into ``text`` as given
(``text[start:end] == name``), in text order, one finding per occurrence (a caller that
warns once per name keeps the first). It never raises, whatever the text (empty, emoji,
control characters, lone surrogates), and it does not touch the network or the site.

Not reported:

* a declared name, its given-name part alone (王小明 declared: 小明), its mask (王某);
* a name right after a police rank or post (民警李军, 副所长曾德政, 刑警大队队长高建军) or
  right before 警官, and a name joined to such a name by 、和与及 (民警李军、王强);
* masks and placeholders (王某, 张某某, 某某), a surname with a title (张女士, 老王);
* place and unit names (谢家集, 望峰岗, 蔡家岗, 杨公镇派出所, 唐山路派出所).

It is a warning, not a proof: a miss is possible (recall on our corpus is printed by
``pytest -s tests/test_names.py``) and so is, rarely, a false alarm; the fix for either is
to declare the person under ``people:`` with a role (:func:`suggestion` gives the text).

How it works, and why this way
------------------------------
A Chinese segmenter with part-of-speech tags finds the candidates; a surname list, person
context and officer context decide. We use **rjieba** (the Rust port of jieba: same
dictionary, same HMM, so nearly the same ``nr`` tags as ``jieba.posseg``) for its cost,
the rules being equal:

=====================================  ==============  ===================
measured here (same rules)             rjieba 0.2.2    jieba 0.42.1
=====================================  ==============  ===================
one-time load (import + first call)    ~0.1 s          ~0.7 s (cache warm)
a 5,000-character story, after load    ~3 ms           ~80 ms
corpus recall / false alarms           48/50, 0/50     47/50, 0/50
=====================================  ==============  ===================

The build reads every story on every run, so the one-time cost per process matters; jieba
also writes ``jieba.cache`` to the temp folder on its first run (about 1 s more) and logs
to stderr unless silenced. rjieba's dictionary is compiled into the extension: nothing is
read or written, nothing is logged, no network is used.

The ``nr`` tag alone is not enough. jieba's dictionary tags thousands of ordinary words as
``nr`` (安保, 温馨, 荣誉, 黄金周, 安全感…) and place names like 望峰岗 or 杨公镇 too, while
a name it has never seen is often split (刘 + 桂兰/ns, 黄 + 德福/ns, 任 + 德华/nz). So:

1. A candidate starts with a common surname (:data:`SURNAMES`, or a compound surname from
   :mod:`publisher.safety.people`) followed by a one- or two-character given name.
2. A whole token tagged ``nr`` is taken when the segmenter built it from unknown characters
   (not a dictionary word: 王强, 陈秀英) or it is a three-character dictionary name
   (张建国). A two-character dictionary "name" (安保, 温馨, 李娜) or a three-character one
   that starts with an ordinary word (黄金周, 安全感) needs person context, and so does an
   unknown name-shaped token with another tag.
3. A surname token is joined to the next token when that looks like a given name
   (``nr``/``nz``/``nrt``/``nrfg``: 萧 + 红梅, 任 + 德华) or the segmenter tagged the surname
   itself ``nr`` (廖 + 春花/n, 朱 + 明亮/a); otherwise a two-character noun or place after
   it needs person context (黄 + 德福/ns). A one-character given name is extended by a
   following one-character name part (罗文 + 斌).
4. Person context is a word such as 老人, 群众, 男子, 儿子, 受害人, 事主, 名叫 right before,
   or 老人, 大爷, 说, 表示 right after.
5. Then the exclusions above (declared names, officers, masks, titles, places by their last
   character: 集 岗 村 镇 路 …, or by what follows: 派出所, 社区, 街道 …) and a short list
   of ordinary words the dictionary files as names (:data:`NOT_NAMES`: 孔明灯, 许可证…).

Measured: no finding on any story of the demo site (this repository) or the test sites; on
``tests/fixtures/names/sentences.tsv`` (100 sentences, the rules were tuned on it) recall
48/50, false alarms 0/50; on ``heldout.tsv`` (20 sentences written after the tuning) recall
8/10, false alarms 0/10. Misses are names made of ordinary words that the segmenter splits
as words (方志 + 强, 王 + 建设, 周 + 国庆).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from publisher.i18n import _
from publisher.safety.people import COMPOUND_SURNAMES, surname

ROLES = "victim, witness, minor, suspect, officer, public"
"""The ``people:`` roles, as :func:`suggestion` lists them (its Chinese glosses each, in this order)."""

# The most common single-character surnames (about 90% of the population), leaving out a few
# that are mostly function words or verbs in running text (和 时 平 来 都 国 全 应 原 海 门 相 信 由 但 解).
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃"
    "武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮"
    "柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶牟艾尤阳穆农卓古吉缪"
    "简车项连麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂佟臧闵苟邬边卞姬仇栾隋商刁沙荣巫寇桑郎甄丛仲虞"
    "敖巩佘池查麻苑迟邝封谈匡鞠惠荆冀郁胥班储栗燕楚鄢谌奚皮粟冼蔺楼闻厉伊仝郜阚权帅屠朴盖练廉禹"
)

# Police ranks and posts: a name right after one of these is an officer (民警李军).
OFFICER_TITLES = (
    "民警", "辅警", "警官", "警察", "干警", "警员", "交警", "特警", "刑警", "巡警", "网警", "所长", "副所长",
    "教导员", "指导员", "警长", "探长", "局长", "副局长", "队长", "副队长", "大队长", "副大队长", "中队长",
    "支队长", "副支队长", "政委", "副政委", "科长", "副科长", "处长", "副处长", "主任", "副主任", "书记",
    "组长", "副组长", "站长", "警务助理", "督察", "法医", "技术员", "侦查员",
)
OFFICER_AFTER = ("警官", "所长", "队长", "局长", "政委", "教导员", "警长")

# Person context: a word right before (老人刘桂兰) or right after (胡桂芳老人) a candidate.
PERSON_BEFORE = frozenset((
    "老人", "老太", "老太太", "大爷", "大妈", "阿姨", "奶奶", "爷爷", "群众", "市民", "村民", "居民", "网民",
    "网友", "男子", "女子", "男孩", "女孩", "男童", "女童", "少年", "少女", "儿子", "女儿", "孙子", "孙女",
    "丈夫", "妻子", "老伴", "母亲", "父亲", "家属", "亲属", "受害人", "被害人", "事主", "失主", "报警人",
    "当事人", "嫌疑人", "犯罪嫌疑人", "司机", "学生", "大学生", "小学生", "中学生", "患者", "车主", "店主",
    "老板", "业主", "乘客", "游客", "名叫", "叫做", "名为", "化名",
))
COLLECTIVE = frozenset(("群众", "市民", "村民", "居民", "网民", "网友", "家属", "亲属", "学生", "游客", "乘客"))
"""Person words that name a group: what follows them is as often a verb (群众高喊) as a name."""
_WORD_TAGS = frozenset(("v", "vd", "vn", "vg", "d", "ad", "a", "an", "c", "p", "u", "m", "q", "r", "f"))
"""Tags the segmenter gives ordinary words (常说: v), never a person's name."""
PERSON_AFTER = frozenset((
    "老人", "老太", "大爷", "大妈", "阿姨", "奶奶", "爷爷", "夫妇", "一家", "说", "表示", "告诉", "回忆",
    "感慨", "坦言",
))

# A surname followed by one of these is a title, not a name (张女士, 王师傅).
TITLES = ("女士", "先生", "小姐", "师傅", "老师", "同学", "大爷", "大妈", "阿姨", "奶奶", "爷爷", "老人",
          "某", "家")
# Ordinary words that jieba's dictionary lists as three-character names (it lists ~60,000, most of
# them real, e.g. 王建国, 李秀英: those stay names). Add here what a story shows to be a false alarm.
NOT_NAMES = frozenset((
    "孔明灯", "许可证", "胡萝卜", "吉普车", "金刚石", "石英砂", "古文化", "马尾松", "梅雨期", "白玉兰", "胡杨林",
    "莫斯科", "马克思", "马其顿", "詹姆斯", "夏威夷", "黎巴嫩", "尤伯杯", "黄鹤楼", "杜鹃花", "文渊阁",
))
# A candidate ending with, or followed by, one of these is a place or a unit.
PLACE_END = frozenset("集岗村镇乡庄湾屯营寨铺圩墩坊沟塘堡洼坝桥店路街巷区县市省港湖山河岭庙寺殿阁宫口")
PLACE_AFTER = (*PLACE_END, "社区", "小区", "派出所", "分局", "公安", "街道", "公司", "学校", "中学",
               "小学", "医院", "广场", "大厦", "公园", "陵园", "宾馆", "酒店", "超市", "银行", "大队",
               "中队", "支队", "中心", "政府", "委员会", "居委会", "村委会", "矿", "站", "厂", "园")

_NAME_TAGS = frozenset(("nr", "nrfg", "nrt"))
_GIVEN_TAGS = frozenset(("nr", "nrfg", "nrt", "nz"))
_JOINERS = frozenset("、和与及跟同")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ALL_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass(frozen=True)
class NameFinding:
    start: int
    """Offset of the name's first character in the text."""
    end: int
    """Offset just past its last character: ``text[start:end] == name``."""
    name: str


def suggestion(name: str) -> str:
    """The hint shown with a finding."""
    return _("\"{name}\" may be a person's name: declare under people: with a role ({roles})").format(
        name=name, roles=ROLES)


# --- the segmenter, loaded on first use -----------------------------------------------------------

_lock = threading.Lock()
_tagger: tuple[Callable[[str], list[tuple[str, str]]], Callable[[str], bool]] | None = None


def _load() -> tuple[Callable[[str], list[tuple[str, str]]], Callable[[str], bool]]:
    """(tag, is_dictionary_word), built once per process (rjieba: about 0.1 s)."""
    global _tagger
    if _tagger is None:
        with _lock:
            if _tagger is None:
                import rjieba

                _tagger = (rjieba.tag, rjieba.has_word)
    return _tagger


# --- finding ---------------------------------------------------------------------------------------

def _surname(word: str) -> str:
    """The surname ``word`` starts with ('' if none)."""
    if len(word) >= 3 and word[:2] in COMPOUND_SURNAMES:
        return word[:2]
    return word[0] if word and word[0] in SURNAMES else ""


def _name_shaped(word: str) -> bool:
    surname = _surname(word)
    return bool(surname) and 1 <= len(word) - len(surname) <= 2 and bool(_ALL_HAN.fullmatch(word))


def _common_prefix(word: str, tag: Callable[[str], list[tuple[str, str]]]) -> bool:
    """黄金周, 安全感, 马路边: a dictionary "name" that starts with an ordinary word."""
    head = tag(word[:2])
    return len(word) == 3 and len(head) == 1 and head[0][1] not in _NAME_TAGS


def distinctive_given_name(name: str) -> str:
    """The given name of ``name`` when it reads as a name on its own (小明, 秀英: masked wherever
    it appears), or '' when it is also an ordinary word (国庆, 平安, 建军: "国庆假期" must stay)."""
    given = _given(name)
    if len(given) < 2:
        return ""
    tag, _in_dictionary = _load()
    tokens = tag(given)
    return given if len(tokens) == 1 and tokens[0][1] in _NAME_TAGS else ""


def after_surname(text: str, at: int) -> bool:
    """True when ``text[at:]`` follows a surname: it is part of someone else's full name (李小明)."""
    return at > 0 and (text[at - 1] in SURNAMES or text[max(0, at - 2):at] in COMPOUND_SURNAMES)


def _given(name: str) -> str:
    name = name.strip()
    return name[len(surname(name)):]


def find_undeclared(text: str, declared: Iterable[str]) -> list[NameFinding]:
    """Names of people in ``text`` that are not declared; see the module docstring."""
    if not isinstance(text, str) or not _HAN.search(text):
        return []
    names = {n.strip() for n in declared if isinstance(n, str) and n.strip()}
    givens = {_given(n) for n in names} - {""}
    covered = [(m.start(), m.end()) for n in names for m in re.finditer(re.escape(n), text)]
    # Same length, so offsets stay valid; a lone surrogate cannot cross into the Rust tagger.
    clean = _SURROGATE.sub(" ", text)
    tag, in_dictionary = _load()

    tokens: list[tuple[int, str, str]] = []
    pos = 0
    for word, flag in tag(clean):
        at = clean.find(word, pos)
        if at < 0:
            continue
        tokens.append((at, word, flag))
        pos = at + len(word)

    findings: list[NameFinding] = []
    officers_end: set[int] = set()  # where an officer's name ends (for 民警李军、王强)
    i = 0
    while i < len(tokens):
        start, word, flag = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        candidate, needs_context, used = "", False, 1
        if word in COMPOUND_SURNAMES or (len(word) == 1 and word in SURNAMES):
            given = nxt[1] if nxt and nxt[0] == start + len(word) else ""
            if given and _name_shaped(word + given) and flag not in ("p", "c"):
                if nxt[2] in _GIVEN_TAGS or (flag == "nr" and nxt[2] in ("n", "a", "ns", "ng", "zg")):
                    candidate, used = word + given, 2
                elif nxt[2] in ("ns", "n", "ng") and len(given) == 2:
                    candidate, needs_context, used = word + given, True, 2
        elif _name_shaped(word):
            if flag in _NAME_TAGS:
                candidate = word
                needs_context = in_dictionary(word) and (len(word) == 2 or _common_prefix(word, tag))
            elif not in_dictionary(word) and flag not in _WORD_TAGS:
                candidate, needs_context = word, True
        # 罗文 + 斌: a one-character given name followed by a one-character name part.
        if candidate and len(candidate) - len(_surname(candidate)) == 1 and i + used < len(tokens):
            at, part, part_flag = tokens[i + used]
            if at == start + len(candidate) and len(part) == 1 and part_flag in _GIVEN_TAGS \
                    and _ALL_HAN.fullmatch(part):
                candidate, used = candidate + part, used + 1
        if not candidate:
            i += 1
            continue
        end = start + len(candidate)
        after_tokens = tokens[i + used:]
        if needs_context and not _person_context(clean, tokens, i, after_tokens):
            i += 1
            continue
        i += used
        if _excluded(clean, start, end, candidate, names, givens, covered):
            continue
        if _officer(clean, start, end, officers_end):
            officers_end.add(end)
            continue
        findings.append(NameFinding(start, end, text[start:end]))
    return findings


def _person_context(text: str, tokens: list[tuple[int, str, str]], i: int,
                    after: list[tuple[int, str, str]]) -> bool:
    if i > 0 and tokens[i - 1][1] in PERSON_BEFORE:
        # 群众高喊, 群众安全感: after a collective noun a word is as often what they did or felt as a
        # name, so a dictionary word there needs a more telling context (受害人, 名叫, 老人…).
        return tokens[i - 1][1] not in COLLECTIVE
    return bool(after) and after[0][1] in PERSON_AFTER


def _excluded(text: str, start: int, end: int, candidate: str, names: set[str], givens: set[str],
              covered: list[tuple[int, int]]) -> bool:
    if candidate in names or candidate in givens or candidate in NOT_NAMES or "某" in candidate:
        return True
    if any(s < end and start < e for s, e in covered):
        return True
    rest = text[end:end + 3]
    given = candidate[len(_surname(candidate)):]
    if given.startswith(TITLES) or rest.startswith("某"):
        return True
    if candidate[-1] in PLACE_END or rest.startswith(PLACE_AFTER):
        return True
    return len(candidate) == 2 and candidate[1] == "家"


def _officer(text: str, start: int, end: int, officers_end: set[int]) -> bool:
    before = text[max(0, start - 8):start].rstrip()
    if before.endswith(OFFICER_TITLES) or text[end:end + 3].lstrip().startswith(OFFICER_AFTER):
        return True
    # 李军警官 segmented 李 + 军警 + 官: the title starts inside the candidate.
    if any(text.startswith(OFFICER_AFTER, p) for p in range(start + 2, end)):
        return True
    # 民警李军、王强: a name joined to an officer's name is an officer's too.
    joiner = len(before) and before[-1] in _JOINERS
    return bool(joiner) and (start - 1) in officers_end
