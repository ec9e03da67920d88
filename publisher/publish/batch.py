"""The weekly batch: next week's posting slots filled with ready, approved stories not yet
posted on the channel (urgent first, then oldest), written as a copy-ready package.

``batches/<channel>/<ISO-week>/``: one folder per post (its text, images or video, cover),
``batch.csv``, ``batch.json`` and ``batch.ics`` (one calendar event per slot).

A post's folder is named by its place, day, time and title in pinyin:
``02-thu-2000-nuanxin-minjing-song-milu-laoren-huijia``. Pinyin, not the Chinese title: the
folder also goes to FTP servers (many speak only ASCII or GBK), zip files and USB sticks, where a
Chinese name can arrive garbled; ``batch.csv`` and ``batch.json`` carry the title beside it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from publisher import atomic
from publisher.content import slugs
from publisher.content.story import Story
from publisher.i18n import _
from publisher.render.channel import Message
from publisher.timing import slot_times

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Day names in folder names (never the machine's locale: a folder name must not change with it)."""
TITLE_IN_FOLDER = 40
"""At most this many characters of the title's pinyin in a post's folder name."""


@dataclass
class Post:
    slot: dt.datetime
    story: Story
    folder: str = ""
    """The post's folder inside the week folder."""
    files: list[str] | None = None
    text: str = ""


def in_window(story: Story, moment: dt.datetime) -> bool:
    meta = story.meta
    for bound, after in ((meta.publish_after, True), (meta.expire_after, False)):
        if bound is None:
            continue
        if isinstance(bound, dt.datetime):
            edge = bound if bound.tzinfo else bound.replace(tzinfo=moment.tzinfo)
            if (moment < edge) if after else (moment > edge):
                return False
        elif (moment.date() < bound) if after else (moment.date() > bound):
            return False
    return True


def fill(stories: list[Story], channel: str, slots: list[str], week: str, tz: dt.tzinfo,
         already: set[str]) -> tuple[list[Post], list[dt.datetime]]:
    """(posts, slots left empty). A story fills at most one slot and only inside its window."""
    candidates = [s for s in stories if channel in s.channels and s.id not in already
                  and s.meta.status == "ready"]
    candidates.sort(key=lambda s: (not s.meta.urgent, s.meta.date, s.id))
    posts, empty = [], []
    for slot in slot_times(slots, week, tz):
        chosen = next((s for s in candidates if in_window(s, slot)), None)
        if chosen is None:
            empty.append(slot)
            continue
        candidates.remove(chosen)
        posts.append(Post(slot, chosen))
    return posts, empty


def write(posts: list[Post], channel: str, week: str, rendered: Path, folder: Path, account: str,
          message: Callable[[Path], Message]) -> Path:
    """Write the week's package atomically (staged, then swapped into place)."""
    final = folder / channel / week
    with atomic.staged_folder(final) as stage:
        rows = []
        for number, post in enumerate(posts, start=1):
            source = rendered / channel / post.story.id
            post.folder = folder_name(number, post)
            shutil.copytree(source, stage / post.folder)
            said = message(stage / post.folder)
            copied = sorted(str(p.relative_to(stage / post.folder)) for p in (stage / post.folder).rglob("*")
                            if p.is_file())
            # What the post carries (the channel says: the text, its images or video), delivered and
            # listed; the package keeps everything the rendition made, for people posting by hand.
            post.files = [name for name in said.files if name in copied] or copied
            post.text = said.text
            rows.append({"slot": post.slot.isoformat(), "story": post.story.id, "title": post.story.meta.title,
                         "folder": post.folder, "files": post.files, "text": post.text,
                         "urgent": post.story.meta.urgent})
        (stage / "batch.json").write_text(json.dumps({"channel": channel, "week": week, "account": account,
                                                      "posts": rows}, ensure_ascii=False, indent=2),
                                          encoding="utf-8")
        (stage / "batch.csv").write_text(_csv(rows), encoding="utf-8-sig")  # BOM: Excel opens it as UTF-8
        (stage / "batch.ics").write_text(_ics(rows, channel, week, account), encoding="utf-8")
    return final


def folder_name(number: int, post: Post) -> str:
    """``02-thu-2000-nuanxin-minjing-song-milu-laoren-huijia`` (the story's id when its title has
    nothing to spell)."""
    title = slugs.from_title(post.story.meta.title, TITLE_IN_FOLDER) or post.story.id.replace("/", "-").lower()
    return f"{number:02d}-{DAYS[post.slot.weekday()]}-{post.slot:%H%M}-{title}"


def _csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["slot", "story", "title", "folder", "files", "text"])
    for row in rows:
        writer.writerow([row["slot"], row["story"], row["title"], row["folder"], " ".join(row["files"]), row["text"]])
    return buffer.getvalue()


def _ics(rows: list[dict], channel: str, week: str, account: str) -> str:
    """iCalendar (RFC 5545): one 15-minute event per slot, with the post text as description."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//publisher//batch//ZH", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{_escape(f'{account} {channel} {week}')}"]
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for row in rows:
        start = dt.datetime.fromisoformat(row["slot"]).astimezone(dt.UTC)
        end = start + dt.timedelta(minutes=15)
        lines += ["BEGIN:VEVENT", f"UID:{channel}-{week}-{row['story'].replace('/', '-')}@publisher",
                  f"DTSTAMP:{stamp}", f"DTSTART:{start:%Y%m%dT%H%M%SZ}", f"DTEND:{end:%Y%m%dT%H%M%SZ}",
                  "SUMMARY:" + _escape(_("Post ({channel}): {title}").format(channel=channel, title=row["title"])),
                  "DESCRIPTION:" + _escape(row["text"][:1500] + "\n" + _("Folder: {folder}").format(
                      folder=row["folder"])),
                  "BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT10M", f"DESCRIPTION:{_escape(row['title'])}",
                  "END:VALARM", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (RFC 5545 3.1), never inside a character."""
    out, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode("utf-8"))
            current = b""
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)
