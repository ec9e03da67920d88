"""The safety area in Chinese: personal information, wording and name warnings, and 三审 (review list, log,
approve, reject, withdraw) say what is wrong and what to do in the team's words; the ``path:line:col:``
prefix stays as it is."""

from __future__ import annotations

import re

import pytest
from conftest import write

from publisher.i18n import _
from publisher.safety import names, pii
from publisher.safety.review import ReviewState

MOBILE = "13912345678"
STORY = "deeds/found-elderly"
STAGES = ["初审", "复审", "终审"]


def _errors(run) -> list[str]:
    return run.err.strip().splitlines()


# -- personal information ---------------------------------------------------------------------------

def test_undeclared_phone_number_in_chinese_keeps_the_prefix(site, cli, chinese):
    write(site / "content/deeds/leak.md",
          f"---\ntitle: 泄露\nkind: deed\ndate: 2021-04-01\nstatus: ready\n---\n\n报警人电话{MOBILE}。\n")
    run = cli("check", "--site", "site", cwd=site.parent)
    assert run.code == 1
    assert ("site/content/deeds/leak.md:8:6: error: 疑似手机号（139****5678）：个人信息不得发布。请改为打码形式，"
            "或在 pii: 中声明（全部渠道自动打码，或 allow: true 并写明理由）") in _errors(run)
    assert MOBILE not in run.err and "looks like" not in run.err


def test_each_kind_of_personal_information_is_named_in_chinese(chinese):
    kinds = {"id": "身份证号", "mobile": "手机号", "landline": "固定电话", "card": "银行卡号", "plate": "车牌号",
             "email": "电子邮箱"}
    assert {kind: pii.Finding(kind, 0, 1, "x").description for kind in kinds} == kinds


def test_unmaskable_values_and_names_in_chinese(site, cli, chinese):
    write(site / "content/deeds/split.md",
          "---\ntitle: 测试\nkind: deed\ndate: 2021-04-01\nstatus: ready\npii:\n  - {value: \"13812341234\"}\n"
          "  - {value: \"幸福路8号\"}\npeople:\n  - {name: 王小明, role: victim}\n---\n\n"
          "电话138**1234**1234，住幸**福路8号**，受害人王**小明**。\n")
    run = cli("check", "--site", "site", cwd=site.parent)
    assert run.code == 1
    markup = "在稿件中的写法无法自动打码（例如被加粗、链接、注释等排版标记隔开）：请写成连续的普通文字"
    errors = _errors(run)
    assert "site/content/deeds/split.md:13:3: error: 手机号（138****1234）已在 pii: 中声明，但稿件中的写法无法" \
           "自动打码（例如被加粗、链接、注释等排版标记隔开）：请写成连续的普通文字" in errors
    assert f"site/content/deeds/split.md:13:20: error: pii: 中声明的内容（***）{markup}" in errors
    assert f"site/content/deeds/split.md:13:33: error: 受害人的姓名（王某）{markup}" in errors


# -- wording and names --------------------------------------------------------------------------------

def test_wording_warning_and_error_in_chinese(site, cli, chinese):
    write(site / "content/deeds/words.md",
          "---\ntitle: 协警帮忙\nkind: deed\ndate: 2021-04-01\nstatus: ready\nchannels: [weibo]\n---\n\n"
          "这个说法很残废。\n")
    run = cli("check", "--site", "site", cwd=site.parent)
    assert "site/content/deeds/words.md:2:8: warning: 「协警」应改为「辅警」（警务辅助人员统称辅警）" in _errors(run)
    assert "site/content/deeds/words.md:9:6: error: 「残废」应改为「残疾」" in _errors(run)
    assert "should be" not in run.err


def test_forbidden_word_and_a_bad_wording_file_in_chinese(site, cli, chinese):
    write(site / "wording.toml", '[[rule]]\nfind = "帮忙"\nlevel = "error"\n')
    write(site / "content/deeds/words.md", "---\ntitle: 协警帮忙\nkind: deed\ndate: 2021-04-01\n---\n\n正文\n")
    run = cli("check", "--site", "site", cwd=site.parent)
    assert "site/content/deeds/words.md:2:10: error: 「帮忙」不得使用" in _errors(run)
    write(site / "wording.toml", '[[rule]]\nfind = "帮忙"\nlevel = "severe"\n')
    run = cli("check", "--site", site)
    assert run.code == 2
    assert run.err.startswith(f"{site / 'wording.toml'}:1:1: error: 第 1 条规则写法有误：须有 find")


def test_undeclared_name_warning_in_chinese(site, cli, chinese):
    write(site / "content/deeds/draft-names.md",
          "---\ntitle: 社区民警帮老人找到儿子\nkind: deed\ndate: 2021-04-08\n---\n\n"
          "八十岁的刘桂兰老人在菜市场走失，民警李军带着她找到了儿子张建国。\n")
    run = cli("check", "--site", "site", cwd=site.parent)
    assert run.code == 0  # a warning, not an error
    line = next(x for x in _errors(run) if "刘桂兰" in x)
    assert line.startswith("site/content/deeds/draft-names.md:7:5: warning: 「刘桂兰」可能是人名：如是，请在 people: "
                           "中声明此人，role 填 victim, witness, minor, suspect, officer, public 之一")
    assert "受害人" in line and "可不理会" in line
    assert names.suggestion("张建国").startswith("「张建国」可能是人名")
    assert "李军" not in run.err and "may be a person" not in run.err


# -- 三审 -----------------------------------------------------------------------------------------------

def _state(**kwargs) -> ReviewState:
    return ReviewState("deeds/x", "hash", list(STAGES), **kwargs)


def test_review_states_in_chinese(chinese):
    assert _state(passed=list(STAGES), approvers=["甲", "乙", "丙"]).label == "已通过三审"
    assert _state().label == "待初审"
    assert _state(passed=["初审"], approvers=["甲"]).label == "待复审"
    assert _state(rejected={"reviewer": "王局长", "note": "数字有误"}).label == "被王局长退回（数字有误），待初审"
    assert _state(changed_after_approval=True).label == "审核通过后稿件被修改，待初审"
    assert _state(withdrawn={"reviewer": "王局长", "note": "当事人要求撤下"}).label == \
        "已被王局长撤稿（当事人要求撤下），待初审"


def test_the_stored_review_state_is_english_in_any_language(chinese):
    """manifest.json keeps ``label_source`` (compared with "approved", worded in Chinese by the preview)."""
    assert _state(passed=list(STAGES), approvers=["甲", "乙", "丙"]).label_source == "approved"
    assert _state(rejected={"reviewer": "王局长", "note": "数字有误"}, changed_after_approval=True).label_source == \
        "changed after approval; rejected by 王局长 (数字有误); waiting for 初审"


def test_review_states_stay_english_in_english():
    assert _state(passed=list(STAGES), approvers=["甲", "乙", "丙"]).label == "approved"
    assert _state(rejected={"reviewer": "王局长", "note": "数字有误"}).label == \
        "rejected by 王局长 (数字有误); waiting for 初审"


def test_review_approve_reject_list_and_log_in_chinese(site, cli, chinese):
    run = cli("review", "--site", site, STORY, "approve", "--stage", "初审", "--by", "李编辑", "--note", "已核对")
    assert (run.code, run.out.strip()) == (0, f"{STORY}：待复审")
    run = cli("review", "--site", site, STORY, "reject", "--by", "王局长", "--note", "数字有误")
    assert (run.code, run.out.strip()) == (0, f"{STORY}：被王局长退回（数字有误），待初审")

    listed = cli("review", "--site", site, "list").out
    assert re.search(rf"^{STORY} +定稿   被王局长退回（数字有误），待初审  《[^》]+》$", listed, re.M)
    assert re.search(r"^deeds/draft-story +草稿   待初审  《[^》]+》$", listed, re.M)
    assert "waiting for" not in listed and "ready" not in listed

    log = cli("review", "--site", site, "log").out.strip().splitlines()
    title = "《民警帮走失老人回家》"  # next to the id, for people (#15)
    assert re.fullmatch(rf"\S+  {STORY} {title}  初审  通过  李编辑( \(.*\))?  已核对", log[0])
    assert re.fullmatch(rf"\S+  {STORY} {title}  复审  退回  王局长( \(.*\))?  数字有误", log[1])
    csv = cli("review", "--site", site, "log", "--csv").out  # an export: the ledger's own words
    assert ",approve," in csv and ",reject," in csv


def test_review_withdraw_in_chinese(site, cli, chinese):
    for stage, who in zip(STAGES, ("李编辑", "张科长", "王局长"), strict=True):
        assert cli("review", "--site", site, STORY, "approve", "--stage", stage, "--by", who).code == 0
    assert re.search(rf"^{STORY} +定稿   已通过三审  《[^》]+》$", cli("review", "--site", site, "list").out, re.M)
    run = cli("review", "--site", site, STORY, "withdraw", "--by", "王局长", "--note", "当事人要求撤下")
    assert run.code == 0
    assert run.out.splitlines()[0] == f"{STORY}：已撤稿；重新通过三审之前不会再投递"
    assert re.search(rf"^{STORY} +定稿   已被王局长撤稿（当事人要求撤下），待初审  《[^》]+》$",
                     cli("review", "--site", site, "list").out, re.M)
    log = cli("review", "--site", site, "log").out
    assert re.search(rf"  {STORY} 《民警帮走失老人回家》  终审  撤稿  王局长( \(.*\))?  当事人要求撤下$", log, re.M)


@pytest.mark.parametrize(("args", "message"), [
    ((STORY,), "错误：请写明操作：approve（通过）、reject（退回）或 withdraw（撤稿），"
               "例如 publisher review 稿件编号 approve --stage 初审 --by 姓名"),
    ((STORY, "approve", "--by", "李编辑"), "错误：通过审核时须用 --stage 写明审核环节（如 --stage 初审）"),
    ((STORY, "approve", "--stage", "复审", "--by", "张科长"),
     f"错误：{STORY} 现在还不能做复审：稿件正在等待初审（三审须依次进行）"),
    ((STORY, "approve", "--stage", "三审", "--by", "张科长"),
     "错误：没有 '三审' 这一审核环节（现有环节：初审、复审、终审）"),
    ((STORY, "approve", "--stage", "初审", "--by", "王局长"), "错误：王局长负责的是终审，不能做初审"),
    ((STORY, "approve", "--stage", "初审", "--by", "无名"),
     "错误：无名不是 config.toml 中登记的审核人（现有审核人：李编辑、张科长、王局长、甲、乙、丙）；"
     "如需增加，请在 config.toml 中添加 [[reviewers]]，写明 name（姓名）和 stages（负责的审核环节）"),
    ((STORY, "approve", "--stage", "初审"),
     "错误：--by：请写明由谁审核（须是 config.toml 的 [[reviewers]] 中登记的姓名）"),
    ((STORY, "reject", "--by", "王局长"), "错误：退回稿件须用 --note 写明要修改的地方"),
    ((STORY, "withdraw", "--by", "王局长"), "错误：撤稿须用 --note 写明理由"),
    ((STORY, "withdraw", "--by", "张科长", "--note", "x"), "错误：只有负责终审的审核人才能撤稿"),
    (("deeds/nope", "approve", "--stage", "初审", "--by", "李编辑"),
     "错误：找不到稿件 'deeds/nope'（请写稿件编号，如 deeds/huzheng-365，或稿件文件的路径）"),
    (("deeds/nope", "withdraw", "--by", "王局长", "--note", "x"),
     "错误：找不到稿件 'deeds/nope'（请写稿件编号，如 deeds/huzheng-365，或稿件文件的路径）"),
])
def test_review_errors_in_chinese(site, cli, chinese, args, message):
    run = cli("review", "--site", site, *args)
    assert run.code in (1, 2)
    assert run.err.strip() == message


def test_one_reviewer_per_stage_and_late_rejection_in_chinese(site, cli, chinese):
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        '{name = "李编辑", stages = ["初审"]', '{name = "李编辑", stages = ["初审", "复审"]'), encoding="utf-8")
    assert cli("review", "--site", site, STORY, "approve", "--stage", "初审", "--by", "李编辑").code == 0
    run = cli("review", "--site", site, STORY, "approve", "--stage", "复审", "--by", "李编辑")
    assert run.err.strip() == "错误：李编辑已对这一版稿件做过初审；三审的每一审须由不同的人完成，请换一位审核人"
    assert cli("review", "--site", site, STORY, "approve", "--stage", "复审", "--by", "张科长").code == 0
    run = cli("review", "--site", site, STORY, "reject", "--by", "张科长", "--note", "x")
    assert run.err.strip() == "错误：张科长负责的是复审，而稿件正在等待终审：只有负责终审或之后环节的审核人才能退回"
    assert cli("review", "--site", site, STORY, "approve", "--stage", "终审", "--by", "王局长").code == 0
    run = cli("review", "--site", site, STORY, "approve", "--stage", "终审", "--by", "丙")
    assert run.err.strip() == f"错误：{STORY} 已通过三审，无需再审"


def test_a_broken_story_is_not_reviewed_in_chinese(site, cli, chinese):
    path = site / "content/deeds/found-elderly.md"
    path.write_text(path.read_text(encoding="utf-8") + f"\n电话{MOBILE}\n", encoding="utf-8")
    run = cli("review", "--site", site, STORY, "approve", "--stage", "初审", "--by", "李编辑")
    assert run.code == 1
    assert "疑似手机号" in run.err
    assert run.err.strip().splitlines()[-1] == f"错误：请先改正稿件 {STORY} 的上述错误，再进行审核"
    assert _("approved") == "已通过三审"
