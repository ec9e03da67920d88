"""What every channel renderer receives and returns.

A rendition is a pure function of its inputs (story, images, templates, channel config,
site config, package version): :func:`publisher.build.plan` hashes them, and a renderer
only writes into the folder it is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from publisher.config import ChannelBase, SiteConfig
from publisher.content.story import Story
from publisher.errors import ContentError, Diagnostic
from publisher.i18n import _
from publisher.render import chinese, fonts
from publisher.sourcepos import shown_path


@dataclass
class RenderContext:
    site: Path
    config: SiteConfig
    story: Story
    channel: str
    """The channel's name in config.toml (``[channels.NAME]``)."""
    folder: Path
    """Where this rendition writes its files (a staging folder, swapped in on success)."""
    warnings: list[Diagnostic] = field(default_factory=list)
    progress: bool = False
    """Show a per-rendition progress bar (long renders such as video) on the terminal."""

    @property
    def channel_config(self) -> ChannelBase:
        return self.config.channels[self.channel]

    @property
    def language(self) -> str:
        return self.config.language_of(self.channel)

    @property
    def account(self) -> str:
        return self.channel_config.account or self.config.name

    def localize(self, text: str) -> str:
        return chinese.localize(text, self.language, self.channel_config.opencc)

    def error(self, message: str, *key: str | int) -> ContentError:
        """A content error for this story, at ``key`` in its front matter (or line 1)."""
        line, col = self.story.position(*key) if key else (1, 1)
        return ContentError(Diagnostic(self.shown_path, line, col, message))

    def error_at(self, needle: str, message: str) -> ContentError:
        """A content error at the first place ``needle`` appears in the story file."""
        line, col = self.story.locate(needle)
        return ContentError(Diagnostic(self.shown_path, line, col, message))

    def warn(self, message: str, *key: str | int) -> None:
        line, col = self.story.position(*key) if key else (1, 1)
        self.warnings.append(Diagnostic(self.shown_path, line, col, message, "warning"))

    @property
    def shown_path(self) -> str:
        return shown_path(self.story.path)

    def require_glyphs(self, text: str) -> None:
        """Refuse to draw a character the font lacks (it would be an empty box)."""
        missing = fonts.missing_glyphs(text, self.language)
        if missing:
            ch = missing[0]
            line, col = self.story.locate(ch)
            raise ContentError(Diagnostic(self.shown_path, line, col,
                                          _("the font has no glyph for {char!r} (U+{code:04X}) in story {story} "
                                            "on channel {channel}").format(char=ch, code=ord(ch), story=self.story.id,
                                                                           channel=self.channel)))


def template_context(ctx: RenderContext, **more: object) -> dict[str, object]:
    """What every channel template can use (documented in README, "Templates")."""
    story = ctx.story
    return {
        "story": story.meta,
        "story_id": story.id,
        "body_html": story.body.html,
        "body_text": story.body.text,
        "quotes": story.body.quotes,
        "account": ctx.account,
        "site": ctx.config,
        "channel": ctx.channel_config,
        "channel_name": ctx.channel,
        **more,
    }
