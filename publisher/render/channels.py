"""The channel registry: a channel type is one module with ``render(ctx) -> files``.

Adding a channel (douyin, led) is adding its module here and its config class in
:mod:`publisher.config`.
"""

from __future__ import annotations

from types import ModuleType

from publisher.render import douyin, led, wechat, weibo

CHANNELS: dict[str, ModuleType] = {
    "weibo": weibo,
    "wechat": wechat,
    "douyin": douyin,
    "led": led,
}


def module_for(channel_type: str) -> ModuleType:
    return CHANNELS[channel_type]
