"""Stories: their front matter, their Markdown, their identity (content hash)."""

from publisher.content.story import Story

__all__ = ["Story"]
