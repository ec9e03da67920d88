"""Chinese wording of states the code keeps in English (review states, why an item is off a
screen), for what people read: the preview and notices."""

from __future__ import annotations

import re

CHANNEL_TYPES = {"weibo": "微博", "wechat": "微信公众号", "douyin": "抖音", "led": "LED 屏"}
KINDS = {"officer": "民警风采", "deed": "为民服务", "antifraud": "反诈宣传"}
DAYS = {"mon": "周一", "tue": "周二", "wed": "周三", "thu": "周四", "fri": "周五", "sat": "周六", "sun": "周日"}


def channel(name: str, kind: str) -> str:
    """A channel as the team calls it: 微博 for the channel ``weibo`` of type weibo; a channel named
    otherwise keeps its name beside its type (``微博（weibo_county）``)."""
    label = CHANNEL_TYPES.get(kind)
    if label is None:
        return name
    return label if name == kind else f"{label}（{name}）"


def review(label: str) -> str:
    """``changed after approval; waiting for 初审`` → 审核后已修改；待初审 (and rejections)."""
    if not label:
        return ""
    if label == "approved":
        return "已通过审核"
    text = label.replace("changed after approval", "审核后已修改")
    text = re.sub(r"rejected by (.+?) \((.*?)\)", r"\1退回（\2）", text)
    text = re.sub(r"waiting for (\S+)", r"待\1", text)
    return text.replace("; ", "；")


def reason(text: str) -> str:
    """Why a story is not in a screen's loop, in Chinese."""
    if text == "draft":
        return "草稿"
    if match := re.fullmatch(r"screens: only (.+)", text):
        return f"只在 {match.group(1)} 屏播放"
    if match := re.fullmatch(r"publish_after (.+)", text):
        return f"{match.group(1)} 起才播放"
    if match := re.fullmatch(r"expired after (.+)", text):
        return f"{match.group(1)} 后已过期"
    if match := re.fullmatch(r"days: only (.+)", text):
        return "只在" + "、".join(DAYS.get(d.strip(), d.strip()) for d in match.group(1).split(",")) + "播放"
    return text
