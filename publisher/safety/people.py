"""People named in a story: everyone but officers is published as surname + 某."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from publisher.content.story import FrontMatter

COMPOUND_SURNAMES = {
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "令狐",
    "夏侯", "端木", "澹台", "轩辕", "呼延", "南宫", "西门", "独孤", "百里", "东郭", "申屠", "闻人", "万俟",
    "完颜", "拓跋", "钟离", "赫连", "太史", "公冶", "濮阳", "淳于", "单于", "宗政", "仲孙", "司空", "亓官",
    "司寇", "子车", "颛孙", "巫马", "公西", "漆雕", "乐正", "壤驷", "公良", "谷梁", "宰父", "羊舌", "微生",
}


def surname(name: str) -> str:
    """王小明 → 王; 欧阳娜娜 → 欧阳 (two-character surnames are kept whole)."""
    name = name.strip()
    return name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[:1]


def masked_name(name: str) -> str:
    """王小明 → 王某; 欧阳娜娜 → 欧阳某."""
    return f"{surname(name)}某"




def hidden_people(meta: FrontMatter) -> dict[str, str]:
    """Name → role of everyone published as surname + 某 (all but officers and consented names)."""
    return {p.name.strip(): p.role for p in meta.people if p.role != "officer" and not p.publish and p.name.strip()}


def kept_names(meta: FrontMatter) -> list[str]:
    """Names published as written (officers, consented names), longest first; a name that is part
    of a hidden one (officer 王五, victim 王五一) is not kept, so it cannot shield it."""
    hidden = hidden_people(meta)
    kept = {p.name.strip() for p in meta.people if p.role == "officer" or p.publish}
    if meta.officer:
        kept.add(meta.officer.name.strip())
    return sorted((k for k in kept if k and not any(k in name for name in hidden)), key=len, reverse=True)
