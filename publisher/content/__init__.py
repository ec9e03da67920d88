"""Reading content: story files, their front matter, their Markdown, validated."""

from publisher.content.reader import read_site, read_story
from publisher.content.story import Story

__all__ = ["Story", "read_site", "read_story"]
