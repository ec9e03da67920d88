"""The publisher's work, one pass at a time: run the channel jobs that are due (the daily LED
loops, the weekly batches), then every delivery that is due, with retries and notices.

The daemon (:mod:`publisher.publish.daemon`) calls :meth:`Publisher.tick` once a minute; the
``publish`` and ``batch`` commands call the same methods by hand.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from zoneinfo import ZoneInfo

from publisher.build import build
from publisher.config import SiteConfig
from publisher.content.hashing import content_hash, fresh_hash
from publisher.content.story import Story
from publisher.publish import batch, ledger, queue, targets
from publisher.publish.gate import Gate, checksums
from publisher.publish.timing import iso_week, last_due, next_due
from publisher.safety import review

log = logging.getLogger("publisher")
BATCH_ONLY = "(batch)"
"""The pseudo-target of posts on a channel without ``deliver`` targets: the batch is the delivery."""


class Publisher:
    def __init__(self, site: Path, config: SiteConfig, clock: Callable[[], dt.datetime] | None = None,
                 jobs: int | None = None):
        self.site, self.config = site.resolve(), config
        self.tz = ZoneInfo(config.timezone)
        self.clock = clock or (lambda: dt.datetime.now(self.tz))
        self.ledger = ledger.connect(self.site, config)
        self.out = self.site / config.publish.output
        self.jobs = jobs
        self.targets = {name: targets.build(name, self.site, config) for name in config.targets}
        self.stopping = False

    def now(self) -> dt.datetime:
        return self.clock().astimezone(self.tz)

    # -- the gate ----------------------------------------------------------------------------
    def approved(self, story: Story) -> bool:
        """Only stories approved at every review stage, for their current content, go out."""
        return review.state(self.ledger, story, self.config.safety.stages, self.config.reviewers).approved

    def render(self, channels: Iterable[str], day: dt.date | None = None):
        result = build(self.site, self.config, self.out, only=channels, jobs=self.jobs, day=day or self.now().date(),
                       accept=self.approved)
        for problem in result.errors:
            log.warning("render: %s", problem)
        return result

    # -- jobs --------------------------------------------------------------------------------
    def start(self) -> None:
        """What a (re)start resolves: claims left behind by a crash."""
        idempotent = {name: target.idempotent for name, target in self.targets.items()}
        for item, state in queue.recover(self.ledger, idempotent):
            log.warning("recovered %s: interrupted delivery is now %s", item.label, state)
            if state == "unconfirmed":
                self.notice(item.channel, "投递结果待确认",
                            f"{item.label} 投递中断，无法确认是否已送达。请核实后运行 publisher resolve {item.id}")

    def run_due_jobs(self, channels: set[str] | None = None) -> None:
        """Every channel job whose time has come since it last ran (catch-up after downtime)."""
        now = self.now()
        for name, channel in self.config.channels.items():
            if not channel.schedule or (channels and name not in channels):
                continue
            job = f"{name}:{channel.schedule}"
            due = last_due(channel.schedule, now)
            last = queue.job_last_run(self.ledger, job)
            if last is not None and last >= due:
                continue
            if channel.type == "led":
                self.led_job(name, now.date())
            else:
                self.weekly_job(name, iso_week(due.date() + dt.timedelta(days=7)))
            queue.job_ran(self.ledger, job, due)

    def led_job(self, channel: str, day: dt.date) -> list[str]:
        """Render each screen's loop for ``day`` and queue it for the screen's target."""
        result = self.render([channel], day)
        by_id = {story.id: story for story in result.stories}
        queued = []
        for rendition in result.manifest.renditions:
            if rendition.channel != channel or not rendition.stories or not rendition.story.endswith(day.isoformat()):
                continue
            screen = self.config.screen(rendition.story.split("/", 1)[0])
            if screen is None or not screen.deliver:
                continue
            folder = self.out / rendition.folder
            files = [f.split("/", 3)[3] for f in rendition.files]
            payload = {"folder": str(folder), "files": files, "checksums": checksums(folder, files),
                       "stories": {s: content_hash(by_id[s]) for s in rendition.stories if s in by_id},
                       "destination": rendition.story, "title": f"{screen.title or screen.name} {day} 循环节目"}
            if queue.enqueue(self.ledger, channel, screen.deliver, rendition.story, rendition.hash, "loop",
                             self.now(), payload):
                queued.append(rendition.story)
                log.info("queued %s loop %s → %s", channel, rendition.story, screen.deliver)
        log.info("led %s: %d screen loops queued, %d already delivered or queued", day, len(queued),
                 len([s for s in self.config.screens if s.deliver]) - len(queued))
        for target in {s.deliver for s in self.config.screens if s.deliver}:
            for removed in self.targets[target].prune(targets.expired_loops(self.ledger, self.targets[target], day)):
                log.info("pruned %s from %s", removed, target)
        return queued

    def weekly_job(self, channel: str, week: str) -> list[batch.Post]:
        """Fill ``week``'s slots, write the batch package and queue each post for its slot."""
        settings = self.config.channels[channel]
        result = self.render([channel])
        rendered = set()
        for rendition in result.manifest.renditions:
            if rendition.channel != channel:
                continue
            if self._intact(rendition):
                rendered.add(rendition.story)
            else:
                log.error("batch %s: %s was changed after it was rendered; left out", channel, rendition.folder)
                self.notice(channel, "渲染结果被改动", f"{rendition.title}（{rendition.folder}）在生成后被改动，"
                                                   f"未排入批次。请重新运行 publisher build 后再生成批次。")
        stories = [s for s in result.stories if s.id in rendered]  # the build kept only approved ones
        by_id = {s.id: s for s in stories}
        # Slots already given out (an earlier run of this week's batch) keep their story.
        taken = [(item.due_at.astimezone(self.tz), item.key)
                 for item in queue.week_posts(self.ledger, channel, week, self.tz)]
        kept = [batch.Post(slot, by_id[key]) for slot, key in taken if key in by_id and key in rendered]
        used = Counter(slot for slot, _ in taken)  # several slots may share a time (one WeChat mass send)
        free = []
        for slot in settings.slots:
            moment = _slot_time(slot, week, self.tz)
            if used[moment]:
                used[moment] -= 1
            else:
                free.append(slot)
        new, empty = batch.fill(stories, channel, free, week, self.tz, queue.posted(self.ledger, channel))
        posts = sorted(kept + new, key=lambda p: p.slot)
        account = settings.account or self.config.name
        folder = batch.write(posts, channel, week, self.out, self.site / self.config.publish.batches, account)
        for post in posts:
            digest = next(r.hash for r in result.manifest.renditions
                          if r.channel == channel and r.story == post.story.id)
            payload = {"folder": str(folder / post.folder), "files": post.files,
                       "checksums": checksums(folder / post.folder, post.files or []),
                       "stories": {post.story.id: content_hash(post.story)},
                       "destination": f"{channel}/{week}/{post.folder}", "title": post.story.meta.title,
                       "text": post.text, "slot": f"{post.slot:%Y-%m-%d %H:%M}"}
            for target in settings.deliver:
                queue.enqueue(self.ledger, channel, target, post.story.id, digest, "post", post.slot, payload)
            # Without targets the batch itself is the delivery (the team posts by hand): remember the
            # story is taken, so next week's batch does not offer it again.
            if not settings.deliver and queue.enqueue(self.ledger, channel, BATCH_ONLY, post.story.id, digest,
                                                      "post", post.slot, payload):
                item = queue.rows(self.ledger, "channel = ? AND target = ? AND key = ?",
                                  (channel, BATCH_ONLY, post.story.id), limit=1)[0]
                queue.delivered(self.ledger, item, self.now(), "in the weekly batch")
        log.info("batch %s %s: %d posts, %d empty slots → %s", channel, week, len(posts), len(empty), folder)
        digest = [f"- {p.slot:%m-%d %a %H:%M}　{p.story.meta.title}" for p in posts]
        digest += [f"- {slot:%m-%d %a %H:%M}　（空缺：没有已审核的稿件）" for slot in empty]
        self.notice(channel, f"{account} 下周待发 {len(posts)} 条（{week}）", "\n".join(digest) or "本周无待发稿件")
        return posts

    # -- deliveries --------------------------------------------------------------------------
    def deliver_due(self, channels: set[str] | None = None, dry_run: bool = False) -> int:
        """Send what is due, each item through the gate first. A loop held back because a story
        in it may no longer play is made again without that story and sent in the same pass."""
        done, remade = self._deliver_pass(channels, dry_run)
        if remade and not dry_run:
            done += self._deliver_pass(channels, dry_run)[0]
        return done

    def _deliver_pass(self, channels: set[str] | None, dry_run: bool) -> tuple[int, bool]:
        now = self.now()
        if not dry_run:
            for late in queue.missed(self.ledger, now, dt.timedelta(minutes=self.config.publish.grace_minutes)):
                log.warning("missed %s: slot %s passed; not posted late", late.label, late.due_at)
                self.notice(late.channel, "错过发布时间",
                            f"{late.payload.get('title', late.key)} 原定 {late.payload.get('slot', '')} 发布，"
                            f"已超过宽限时间，未补发。请人工决定是否发布（publisher resolve {late.id} --retry）。")
        done, remade = 0, False
        gate = Gate(self.site, self.config, self.ledger, self.out)
        for item in queue.due(self.ledger, now, channels):
            if self.stopping:
                break
            reason = gate.reason(item, self.now())
            if dry_run:
                print(f"would {'hold' if reason else 'deliver'} {item.label} (due {item.due_at:%Y-%m-%d %H:%M})"
                      f"{': ' + reason if reason else ''}")
                continue
            if reason:
                self._hold(item, reason)
                if item.kind == "loop":
                    self.led_job(item.channel, dt.date.fromisoformat(item.key.rsplit("/", 1)[-1]))
                    remade = True
                continue
            if not queue.claim(self.ledger, item, self.now()):
                continue
            target = self.targets.get(item.target)
            try:
                if target is None:
                    raise targets.DeliveryError(f"target {item.target!r} is not in config.toml")
                note = target.deliver(item)
            except targets.UnknownOutcome as exc:
                queue.unconfirmed(self.ledger, item.id, str(exc))
                log.error("unconfirmed %s: %s", item.label, exc)
                self.notice(item.channel, "投递结果待确认",
                            f"{item.label}：{exc}。请核实后运行 publisher resolve {item.id}")
                continue
            except targets.DeliveryError as exc:
                state = queue.failed_attempt(self.ledger, item, self.now(), str(exc))
                log.error("failed %s (attempt %d): %s; %s", item.label, item.attempts + 1, exc,
                          "will retry" if state == "scheduled" else "giving up")
                if state == "failed":
                    self.notice(item.channel, "投递失败", f"{item.label} 多次重试仍失败：{exc}")
                continue
            queue.delivered(self.ledger, item, self.now(), note)
            done += 1
            log.info("delivered %s: %s", item.label, note)
            if item.kind == "loop":
                self.notice(item.channel, "LED 节目已投递", f"{item.payload.get('title', item.key)} → {item.target}")
        return done, remade

    def _hold(self, item: queue.Delivery, reason: str) -> None:
        queue.held(self.ledger, item.id, reason)
        log.warning("held %s: %s", item.label, reason)
        what = "LED 节目" if item.kind == "loop" else "待发稿件"
        self.notice(item.channel, f"{what}已暂停投递",
                    f"{item.payload.get('title', item.key)}（{item.target}）：{reason}")

    def _intact(self, rendition) -> bool:
        """Every file of a rendition still holds what the build wrote (read now, no cache)."""
        for name in rendition.files:
            recorded = rendition.outputs.get(name)
            path = self.out / name
            if recorded is None or not path.is_file() or fresh_hash(path) != recorded[0]:
                return False
        return True

    def withdraw(self, story: str, reason: str = "已撤稿") -> list[str]:
        """After 撤稿: hold everything still to come that carries the story, make today's LED loops
        again without it and deliver them at once; return what people must take down by hand."""
        for item in queue.hold_story(self.ledger, story, f"{story}：{reason}"):
            log.warning("held %s: withdrawn", item.label)
        today = self.now().date()
        for name, channel in self.config.channels.items():
            if channel.type == "led" and channel.schedule:
                self.led_job(name, today)
                self.deliver_due({name})
        lines = []
        for item in take_down(self.ledger, {story}):
            lines.append(f"请人工撤下：{item.channel} {item.payload.get('destination', item.key)} → {item.target}"
                         f"（{item.payload.get('title', item.key)}）")
        return lines

    def notice(self, channel: str, title: str, text: str) -> None:
        settings = self.config.channels.get(channel)
        name = settings.notify if settings else ""
        if name and name in self.targets:
            self.targets[name].notify(title, f"### {title}\n\n{text}")

    def tick(self) -> None:
        """One pass of the daemon: due jobs, then due deliveries."""
        self.run_due_jobs()
        self.deliver_due()

    # -- status ------------------------------------------------------------------------------
    def next_due_times(self) -> list[tuple[str, dt.datetime]]:
        now = self.now()
        return sorted(((name, next_due(c.schedule, now)) for name, c in self.config.channels.items()
                       if c.schedule), key=lambda pair: pair[1])


def take_down(ledger, stories: set[str]) -> list[queue.Delivery]:
    """Posts of ``stories`` that went out (to a team folder, a robot, or by hand from a batch):
    after a withdrawal a person must take them down on the platform."""
    if not stories:
        return []
    marks = ", ".join("?" for _ in stories)
    return queue.rows(ledger, f"kind = 'post' AND state = 'delivered' AND key IN ({marks})", tuple(sorted(stories)),
                      limit=1000)


def _slot_time(slot: str, week: str, tz: ZoneInfo) -> dt.datetime:
    from publisher.publish.timing import slot_times

    return slot_times([slot], week, tz)[0]
