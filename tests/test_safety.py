"""Personal information never leaks: a planted corpus through every channel, look-alikes that must
not alarm, wording rules, and the review flow (三审)."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import FIXTURES, REPO, write
from PIL import ImageDraw

from publisher.cli import main
from publisher.safety import pii
from publisher.safety.people import masked_name


def valid_id(area: str = "340404", birth: str = "19850312", serial: str = "123") -> str:
    return area + birth + serial + pii.id_check_digit(area + birth + serial)


def luhn_card(prefix: str = "622202100112345678") -> str:
    for last in "0123456789":
        if pii.luhn(prefix + last):
            return prefix + last
    raise AssertionError


ID = valid_id()
OLD_ID = "340404850312123"
MOBILE = "13912345678"
CARD = luhn_card()
PLATE = "皖D12345"
EV_PLATE = "皖DD12345"
EMAIL = "wangxm@example.com"
LANDLINE = "0554-6612345"
VICTIM, WITNESS, MINOR, OFFICER = "王小明", "欧阳娜娜", "张小宝", "李军"
RAW = [ID, OLD_ID, MOBILE, CARD, PLATE, EV_PLATE, EMAIL, LANDLINE, VICTIM, WITNESS, MINOR,
       "139 1234 5678", "+86 139-1234-5678", " ".join(CARD[i:i + 4] for i in range(0, len(CARD), 4))]

PLANTED = f"""---
title: 民警帮{VICTIM}追回被骗钱款
kind: deed
date: 2021-04-08
summary: 受害人{VICTIM}（电话{MOBILE}）被骗，目击者{WITNESS}报警，民警{OFFICER}处置。
status: ready
people:
  - {{name: {VICTIM}, role: victim}}
  - {{name: {WITNESS}, role: witness}}
  - {{name: {MINOR}, role: minor}}
  - {{name: {OFFICER}, role: officer}}
pii:
  - {{value: "{ID}"}}
  - {{value: "{OLD_ID}"}}
  - {{value: "{MOBILE}"}}
  - {{value: "139 1234 5678"}}
  - {{value: "+86 139-1234-5678"}}
  - {{value: "{CARD}"}}
  - {{value: "{" ".join(CARD[i:i + 4] for i in range(0, len(CARD), 4))}"}}
  - {{value: "{PLATE}"}}
  - {{value: "{EV_PLATE}"}}
  - {{value: "{EMAIL}"}}
  - {{value: "{LANDLINE}"}}
figures:
  - {{label: 追回{VICTIM}的钱款, value: 3050, unit: 元}}
---

## 案情

{VICTIM}的身份证号是{ID}，旧证{OLD_ID}，手机{MOBILE}，也写作139 1234 5678或+86 139-1234-5678。

## 处置

骗子让他把钱转到银行卡{CARD}（{" ".join(CARD[i:i + 4] for i in range(0, len(CARD), 4))}），嫌疑车辆{PLATE}和{EV_PLATE}。

{WITNESS}和孩子{MINOR}发邮件到{EMAIL}，座机{LANDLINE}。民警{OFFICER}追回钱款。

> {VICTIM}说：谢谢民警。
"""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The planted story through every channel, in-process, with every drawn text recorded."""
    site = tmp_path_factory.mktemp("safety") / "site"
    shutil.copytree(FIXTURES / "safety-site", site)
    write(site / "content/deeds/planted.md", PLANTED)
    drawn: list[str] = []
    original = ImageDraw.ImageDraw.text

    def spy(self, xy, text, *args, **kwargs):
        drawn.append(str(text))
        return original(self, xy, text, *args, **kwargs)

    ImageDraw.ImageDraw.text = spy
    try:
        code = main(["build", "--site", str(site), "--out", str(site / "out"), "--jobs", "1",
                     "--date", "2021-04-20"])
    finally:
        ImageDraw.ImageDraw.text = original
    assert code == 0
    return site / "out", drawn


def _variants(value: str) -> set[str]:
    return {value, value.replace(" ", ""), value.replace("-", ""), re.sub(r"\D", "", value) or value}


def test_no_raw_value_in_any_output_file(rendered):
    out, _ = rendered
    files = [p for p in out.rglob("*") if p.suffix in {".txt", ".html", ".srt", ".json", ".m3u"}]
    assert {p.parent.parts[-3] if p.parent.name == "planted" else "" for p in files} >= {""}
    channels = {p.relative_to(out).parts[0] for p in files if p.name != "manifest.json"}
    assert channels == {"weibo", "wechat", "douyin", "led"}
    for path in files:
        # SHA-256 digests and nanosecond times are not text: "12345" inside one is chance, not a leak.
        text = re.sub(r"\b[0-9a-f]{64}\b|\b\d{13,}\b", "", path.read_text(encoding="utf-8"))
        for raw in RAW:
            for variant in _variants(raw):
                if len(variant) >= 3:
                    assert variant not in text, f"{raw!r} leaked into {path.relative_to(out)}"


def test_no_raw_value_handed_to_image_and_video_renderers(rendered):
    _, drawn = rendered
    everything = "\n".join(drawn)
    assert "王某" in everything  # the story really was drawn
    for raw in RAW:
        for variant in _variants(raw):
            if len(variant) >= 3:
                assert variant not in everything, f"{raw!r} was drawn"


def test_masks_have_the_expected_form(rendered):
    out, _ = rendered
    post = (out / "weibo/deeds/planted/post.txt").read_text(encoding="utf-8")
    assert "139****5678" in post
    assert f"{ID[:6]}{'*' * 8}{ID[-4:]}" in post
    assert f"****{CARD[-4:]}" in post
    assert "皖D***45" in post
    assert "王某" in post and "欧阳某" in post and "张某" in post
    assert OFFICER in post  # officers keep their names


@pytest.mark.parametrize(("name", "masked"), [("王小明", "王某"), ("欧阳娜娜", "欧阳某"), ("司马光", "司马某"),
                                              ("李", "李某")])
def test_surname_masking(name, masked):
    assert masked_name(name) == masked


@pytest.mark.parametrize(("text", "kind"), [
    (f"身份证{ID}。", "id"), (f"身份证{ID.lower()}", "id"), (f"旧证{OLD_ID}", "id"), (f"电话{MOBILE}", "mobile"),
    ("电话 139-1234-5678", "mobile"), ("电话+8613912345678", "mobile"), (f"卡号{CARD}", "card"),
    (f"车牌{PLATE}", "plate"), (f"车牌{EV_PLATE}", "plate"), ("皖D·12345", "plate"), (f"邮箱{EMAIL}", "email"),
    (f"座机{LANDLINE}", "landline"), ("(0554)6612345", "landline"),
])
def test_detectors_find_each_kind(text, kind):
    assert [f.kind for f in pii.find(text)] == [kind]


LOOKALIKES = [
    "2021年4月8日", "2021-04-08", "20210408", "3050元", "12000元", "342人次", "找回走失群众17人",
    "拨打110报警", "反诈专线96110", "市民热线12345", "急救120", "火警119", "交通事故122",
    "案件编号20210408001", "身份证号340404198503121230",  # wrong check digit
    luhn_card()[:-1] + str((int(luhn_card()[-1]) + 1) % 10),  # fails Luhn
    "340404199913451234",  # impossible birth date
    "第12345678901号文件",  # 11 digits not starting with 1[3-9]
    "警号012345", "编号A12345", "版本v1.2.3", "3月1日以来刑事拘留13人",
]


@pytest.mark.parametrize("text", LOOKALIKES)
def test_lookalikes_raise_nothing(text):
    assert pii.find(text) == [], pii.find(text)


def test_the_demo_content_raises_nothing(cli):
    run = cli("check", "--site", REPO)
    assert run.code == 0, run.err
    assert "looks like" not in run.err


def test_undeclared_personal_information_is_an_error_at_its_place(site, cli):
    write(site / "content/deeds/leak.md",
          f"---\ntitle: 泄露\nkind: deed\ndate: 2021-04-01\nstatus: ready\n---\n\n报警人电话{MOBILE}，"
          f"身份证{ID}。\n")
    run = cli("build", "--site", "site", "--out", "out", "--jobs", "1", cwd=site.parent)
    assert run.code == 1
    assert "site/content/deeds/leak.md:8:6: error: looks like a mobile phone number (139****5678)" in run.err
    assert "site/content/deeds/leak.md:8:21: error: looks like an ID number" in run.err
    assert MOBILE not in run.err and ID not in run.err  # the message itself does not leak
    assert not (site.parent / "out/weibo/deeds/leak").exists()
    assert (site.parent / "out/weibo/deeds/found-elderly/post.txt").is_file()


def test_a_file_name_with_a_protected_name_or_a_number_is_refused(site, cli):
    """The id reaches output folders, LED playlists, preview pages and batch sheets unmasked."""
    story = ("---\ntitle: 走失获救\nkind: deed\ndate: 2021-04-01\nstatus: ready\nchannels: [weibo]\n"
             "people:\n  - {name: 王小明, role: 受害人}\n  - {name: 李军, role: 民警}\n---\n\n"
             "王小明走失，民警李军找到了他。\n")
    write(site / "content/deeds/wang-xiaoming-zoushi.md", story)
    write(site / f"content/deeds/zoushi-{MOBILE}.md", story.replace("王小明", "张三"))
    write(site / "content/deeds/lijun-zhaodao-laoren.md", story)  # an officer is published by name
    run = cli("build", "--site", "site", "--out", "out", "--jobs", "1", cwd=site.parent)
    assert run.code == 1
    assert ("site/content/deeds/wang-xiaoming-zoushi.md:8:6: error: the file name spells 王某's name "
            "(wangxiaoming)") in run.err
    assert f"site/content/deeds/zoushi-{MOBILE}.md:1:1: error: the file name holds personal information" in run.err
    assert "lijun-zhaodao-laoren.md" not in run.err
    out = site.parent / "out"
    assert not (out / "weibo/deeds/wang-xiaoming-zoushi").exists()
    assert not (out / f"weibo/deeds/zoushi-{MOBILE}").exists()
    assert (out / "weibo/deeds/lijun-zhaodao-laoren/post.txt").is_file()


def test_allowed_with_a_reason_is_published(site, cli):
    write(site / "content/deeds/duty.md",
          "---\ntitle: 值班电话\nkind: deed\ndate: 2021-04-01\nstatus: ready\nchannels: [weibo]\n"
          "pii:\n  - {value: \"0554-6612345\", allow: true, reason: 派出所值班电话}\n---\n\n值班电话0554-6612345。\n")
    run = cli("build", "--site", site, "--out", site / "out", "--jobs", "1")
    assert run.code == 0, run.err
    assert "0554-6612345" in (site / "out/weibo/deeds/duty/post.txt").read_text(encoding="utf-8")


def test_allow_without_reason_is_an_error(site, cli):
    write(site / "content/deeds/duty.md",
          "---\ntitle: 值班电话\nkind: deed\ndate: 2021-04-01\nstatus: ready\n"
          "pii:\n  - {value: \"0554-6612345\", allow: true}\n---\n\n值班电话0554-6612345。\n")
    run = cli("check", "--site", site)
    assert run.code == 1 and "allowing '0554-6612345' needs a reason" in run.err


def test_id_mask_drop(site, cli):
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[safety]\nid_mask = "drop"\n', encoding="utf-8")
    write(site / "content/deeds/id.md", f"---\ntitle: 证件\nkind: deed\ndate: 2021-04-01\nstatus: ready\n"
          f"channels: [weibo]\npii:\n  - {{value: \"{ID}\"}}\n---\n\n证件{ID}。\n")
    run = cli("build", "--site", site, "--out", site / "out", "--jobs", "1")
    assert run.code == 0, run.err
    post = (site / "out/weibo/deeds/id/post.txt").read_text(encoding="utf-8")
    assert "[身份证号已隐去]" in post and ID[:6] not in post


# -- wording ---------------------------------------------------------------------------------

def test_wording_warning_and_error_with_suggestion(site, cli):
    write(site / "content/deeds/words.md",
          "---\ntitle: 协警帮忙\nkind: deed\ndate: 2021-04-01\nstatus: ready\nchannels: [weibo]\n---\n\n"
          "犯罪嫌疑人落网。这个说法很残废。\n")
    run = cli("build", "--site", "site", "--out", "out", "--jobs", "1", cwd=site.parent)
    assert "site/content/deeds/words.md:2:8: warning: 「协警」 should be 「辅警」 (警务辅助人员统称辅警)" in run.err
    assert "words.md:9:14: error: 「残废」 should be 「残疾」" in run.err
    assert run.code == 1
    assert "犯罪嫌疑人" not in re.sub(r".*「犯罪分子」.*", "", run.err)


def test_site_wording_list_replaces_the_default(site, cli):
    write(site / "wording.toml", '[[rule]]\nfind = "帮忙"\nsuggest = "协助"\nlevel = "error"\n')
    write(site / "content/deeds/words.md",
          "---\ntitle: 协警帮忙\nkind: deed\ndate: 2021-04-01\nstatus: ready\n---\n\n正文\n")
    run = cli("check", "--site", site)
    assert run.code == 1 and "「帮忙」 should be 「协助」" in run.err and "协警" not in run.err


# -- review (三审) ----------------------------------------------------------------------------

def test_review_flow_in_order_and_edit_voids_approval(site, cli, tmp_path):
    story = "deeds/found-elderly"
    assert cli("review", "--site", site, story, "approve", "--stage", "复审", "--by", "张科长").code == 2
    assert cli("review", "--site", site, story, "approve", "--stage", "初审", "--by", "李编辑",
               "--note", "已核对").code == 0
    listed = cli("review", "--site", site, "list").out
    assert re.search(rf"{story}\s+ready\s+waiting for 复审", listed)
    assert cli("review", "--site", site, story, "approve", "--stage", "复审", "--by", "张科长").code == 0
    assert cli("review", "--site", site, story, "approve", "--stage", "终审", "--by", "王局长").code == 0
    assert re.search(rf"{story}\s+ready\s+approved", cli("review", "--site", site, "list").out)

    run = cli("build", "--site", site, "--out", tmp_path / "out", "--channel", "weibo")
    import json
    data = json.loads((tmp_path / "out/manifest.json").read_text(encoding="utf-8"))
    states = {r["story"]: r["review"] for r in data["renditions"]}
    assert states[story] == "approved" and states["deeds/toml-story"] == "waiting for 初审"
    assert run.code == 0

    path = site / "content/deeds/found-elderly.md"
    path.write_text(path.read_text(encoding="utf-8").replace("两小时后", "三小时后"), encoding="utf-8")
    assert re.search(rf"{story}\s+ready\s+changed after approval; waiting for 初审",
                     cli("review", "--site", site, "list").out)


def test_editing_an_image_voids_approval(site, cli):
    story = "officers/wang-wu"
    for stage, who in (("初审", "甲"), ("复审", "乙"), ("终审", "丙")):
        assert cli("review", "--site", site, story, "approve", "--stage", stage, "--by", who).code == 0
    from PIL import Image
    Image.new("RGB", (50, 50), "red").save(site / "content/officers/wang-wu/photo.png")
    assert "changed after approval" in cli("review", "--site", site, "list").out


def test_reject_needs_a_note_and_sends_back(site, cli):
    story = "deeds/found-elderly"
    assert cli("review", "--site", site, story, "reject", "--by", "张科长").code == 2
    cli("review", "--site", site, story, "approve", "--stage", "初审", "--by", "李编辑")
    assert cli("review", "--site", site, story, "reject", "--by", "张科长", "--note", "数字核实").code == 0
    listed = cli("review", "--site", site, "list").out
    assert re.search(rf"{story}\s+ready\s+rejected by 张科长 \(数字核实\); waiting for 初审", listed)


def test_review_log_csv(site, cli):
    cli("review", "--site", site, "deeds/found-elderly", "approve", "--stage", "初审", "--by", "李编辑",
        "--note", "好")
    run = cli("review", "--site", site, "log", "--csv")
    lines = run.out.strip().splitlines()
    assert lines[0] == "id,at,story,stage,event,user,os_user,note,content_hash,ip,via"
    assert re.search(r",deeds/found-elderly,初审,approve,李编辑,[^,]*,好,", lines[1])


def test_custom_stages(site, cli):
    config = site / "config.toml"
    text = re.sub(r"^reviewers = .*?\}\]\n", 'reviewers = [{name = "甲", stages = ["审核"], os_user = "tester"}]\n',
                  config.read_text(encoding="utf-8"), flags=re.S | re.M)
    config.write_text(text + '\n[safety]\nstages = ["审核"]\n', encoding="utf-8")
    assert cli("review", "--site", site, "deeds/found-elderly", "approve", "--stage", "审核", "--by", "甲").code == 0
    assert re.search(r"deeds/found-elderly\s+ready\s+approved", cli("review", "--site", site, "list").out)
