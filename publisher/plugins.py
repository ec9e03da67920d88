"""Channel types are plugins: entry points in the group ``publisher.channels``.

Each entry point names a channel class (``weibo = "publisher.channels.weibo:WeiboChannel"``);
the built-in channels register the same way in pyproject.toml as a bureau's own package would
in its own. They are loaded on first use, so this module sits below everything that uses them.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import metadata

from publisher.errors import ConfigError, Diagnostic
from publisher.i18n import _

GROUP = "publisher.channels"


@lru_cache(maxsize=1)
def channel_types() -> dict[str, type]:
    """Every installed channel type by the ``type`` written in config.toml."""
    found: dict[str, type] = {}
    for entry in sorted(metadata.entry_points(group=GROUP), key=lambda e: e.name):
        try:
            loaded = entry.load()
        except Exception as exc:  # a broken plugin must say which one it is
            raise ConfigError(Diagnostic(f"entry point {entry.name} = {entry.value}", 1, 1, _(
                "the channel plugin could not be loaded: {error}").format(
                error=f"{exc.__class__.__name__}: {exc}"))) from None
        if getattr(loaded, "type", None) != entry.name or getattr(loaded, "Settings", None) is None:
            raise ConfigError(Diagnostic(f"entry point {entry.name} = {entry.value}", 1, 1, _(
                "a channel plugin must be a Channel class whose type is {name!r}").format(name=entry.name)))
        found[entry.name] = loaded
    return found


def by_type() -> dict[str, type]:
    """Channel classes by every ``type`` they read, older names (``douyin``) included."""
    return {alias: cls for cls in channel_types().values() for alias in (cls.type, *getattr(cls, "aliases", ()))}
