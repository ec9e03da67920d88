"""Simplified to Traditional conversion (OpenCC) for channels that ask for zh-Hant."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=8)
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


def localize(text: str, language: str, opencc_config: str = "s2t") -> str:
    """``text`` (written in Simplified Chinese) in ``language``."""
    if language == "zh-Hans" or not text:
        return text
    return _converter(opencc_config).convert(text)
