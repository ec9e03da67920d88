"""Chinese wording of states the code keeps in English (review states, story kinds), for what
people read: the preview and notices."""

from __future__ import annotations

import re

from publisher.content.story import KIND_LABELS

KINDS = KIND_LABELS


def review(label: str) -> str:
    """``changed after approval; waiting for 初审`` → 审核后已修改；待初审 (and rejections)."""
    if not label:
        return ""
    if label == "approved":
        return "已通过审核"
    text = label.replace("changed after approval", "审核后已修改")
    text = re.sub(r"withdrawn by (.+?) \((.*?)\)", r"\1撤稿（\2）", text)
    text = re.sub(r"rejected by (.+?) \((.*?)\)", r"\1退回（\2）", text)
    text = re.sub(r"waiting for (\S+)", r"待\1", text)
    return text.replace("; ", "；")
