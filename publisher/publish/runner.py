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

from publisher import ledger
from publisher.config import SiteConfig
from publisher.content.hashing import content_hash, fresh_hash
from publisher.content.story import Story
from publisher.i18n import _
from publisher.pipeline.build import build
from publisher.publish import batch, posts, queue, targets
from publisher.publish.gate import Gate, checksums
from publisher.render.channel import channels
from publisher.safety import access, review
from publisher.timing import iso_week, last_due, next_due, slot_times

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
        self.channels = channels(config)
        self.stopping = False
        self._silences_logged: set[tuple[str, dt.datetime]] = set()

    def now(self) -> dt.datetime:
        return self.clock().astimezone(self.tz)

    # -- the gate ----------------------------------------------------------------------------
    def approved(self, story: Story) -> bool:
        """Only stories approved at every review stage, for their current content, go out."""
        return review.state(self.ledger, story, self.config.safety.stages,
                            access.holders(self.config, self.ledger)).approved

    def render(self, channels: Iterable[str], day: dt.date | None = None):
        result = build(self.site, self.config, self.out, only=channels, jobs=self.jobs, day=day or self.now().date(),
                       accept=self.approved)
        for problem in result.errors:
            log.warning(_("render: {problem}").format(problem=problem))
        return result

    # -- jobs --------------------------------------------------------------------------------
    def start(self) -> None:
        """What a (re)start resolves: claims left behind by a crash."""
        idempotent = {name: target.idempotent for name, target in self.targets.items()}
        for item, state in queue.recover(self.ledger, idempotent):
            log.warning(_("recovered {delivery}: interrupted delivery is now {state}").format(
                delivery=item.label, state=state))
            if state == "unconfirmed":
                self.notice(item.channel, _("Delivery unconfirmed"),
                            _("{delivery}: the delivery was interrupted; it cannot be known whether it arrived. "
                              "Check, then run publisher resolve {number}").format(delivery=item.label,
                                                                                   number=item.id))

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
            if self.channels[name].scheduled == "units":
                self.unit_job(name, now.date())
            else:
                self.weekly_job(name, iso_week(due.date() + dt.timedelta(days=7)))
            queue.job_ran(self.ledger, job, due)

    def unit_job(self, channel: str, day: dt.date) -> list[str]:
        """Render the channel's collective units for ``day`` (each screen's loop) and queue each for
        its targets."""
        result = self.render([channel], day)
        by_id = {story.id: story for story in result.stories}
        queued, wanted = [], 0
        units = [r for r in result.manifest.renditions
                 if r.channel == channel and r.unit and r.day in ("", day.isoformat())]
        for rendition in units:
            folder = self.out / rendition.folder
            files = [f.removeprefix(rendition.folder + "/") for f in rendition.files]
            payload = {"folder": str(folder), "files": files, "checksums": checksums(folder, files),
                       "stories": {s: content_hash(by_id[s]) for s in rendition.stories if s in by_id},
                       "destination": self.channels[channel].destination(rendition.unit), "title": rendition.title,
                       "day": rendition.day, "text": self.channels[channel].message(folder).text,
                       "facts": self.channels[channel].facts(folder, [by_id[s] for s in rendition.stories
                                                                      if s in by_id])}
            for target in rendition.targets:
                wanted += 1
                if queue.enqueue(self.ledger, channel, target, rendition.unit, rendition.hash, "loop", self.now(),
                                 payload):
                    queued.append(rendition.unit)
                    log.info(_("queued {channel} {unit} → {target}").format(
                        channel=channel, unit=rendition.unit, target=target))
        log.info(_("{channel} {day}: {queued} queued, {already} already delivered or queued").format(
            channel=channel, day=day, queued=len(queued), already=wanted - len(queued)))
        for target in sorted({t for r in units for t in r.targets}):
            if target in self.targets:
                for removed in self.targets[target].prune(targets.expired_loops(self.ledger, self.targets[target],
                                                                                day)):
                    log.info(_("pruned {folder} from {target}").format(folder=removed, target=target))
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
                log.error(_("batch {channel}: {folder} was changed after it was rendered; left out").format(
                    channel=channel, folder=rendition.folder))
                self.notice(channel, _("Rendered files changed"),
                            _("{title} ({folder}) was changed after it was rendered and is not in the batch. "
                              "Run publisher build again, then write the batch again.").format(
                                title=rendition.title, folder=rendition.folder))
        stories = [s for s in result.stories if s.id in rendered]  # the build kept only approved ones
        by_id = {s.id: s for s in stories}
        # Slots already given out (an earlier run of this week's batch) keep their story, unless it may
        # no longer go out: its posts are held now, with the gate's reason, so status and the batch
        # agree, and its slot is free again.
        given = queue.week_posts(self.ledger, channel, week, self.tz)
        gate = Gate(self.site, self.config, self.ledger, self.out)
        for item in given:
            if item.key not in by_id or item.key not in rendered:
                reason = gate.reason(item, self.now()) or _("left out of the week's batch when it was written again "
                                                           "(not approved for its current content)")
                for held in queue.hold_post(self.ledger, channel, item.key, reason):
                    log.warning(_("held {delivery}: {reason}").format(delivery=held.label, reason=reason))
        taken = [(item.due_at.astimezone(self.tz), item.key) for item in given
                 if item.key in by_id and item.key in rendered]
        kept = [batch.Post(slot, by_id[key]) for slot, key in taken]
        used = Counter(slot for slot, _key in taken)  # several slots may share a time (one WeChat mass send)
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
        folder = batch.write(posts, channel, week, self.out, self.site / self.config.publish.batches, account,
                             self.channels[channel].message)
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
                queue.delivered(self.ledger, item, self.now(), _("in the weekly batch"))
        log.info(_("batch {channel} {week}: {posts} posts, {empty} empty slots → {folder}").format(
            channel=channel, week=week, posts=len(posts), empty=len(empty), folder=folder))
        digest = [f"- {p.slot:%m-%d %a %H:%M}　{p.story.meta.title}" for p in posts]
        digest += [f"- {slot:%m-%d %a %H:%M}　" + _("(empty: no approved story)") for slot in empty]
        self.notice(channel, _("{account}: {count} posts for next week ({week})").format(
            account=account, count=len(posts), week=week), "\n".join(digest) or _("nothing to post this week"))
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
                log.warning(_("missed {delivery}: slot {slot} passed; not posted late").format(
                    delivery=late.label, slot=f"{late.due_at.astimezone(self.tz):%Y-%m-%d %H:%M}"))
                self.notice(late.channel, _("Posting time missed"),
                            _("{title} was due at {slot}; the grace period has passed and it was not posted late. "
                              "Decide whether to post it (publisher resolve {number} --retry).").format(
                                title=late.payload.get("title", late.key), slot=late.payload.get("slot", ""),
                                number=late.id))
        done, remade = 0, False
        gate = Gate(self.site, self.config, self.ledger, self.out)
        for item in queue.due(self.ledger, now, channels):
            if self.stopping:
                break
            reason = gate.reason(item, self.now())
            if dry_run:
                due = f"{item.due_at.astimezone(self.tz):%Y-%m-%d %H:%M}"
                if reason:
                    print(_("would hold {delivery} (due {due}): {reason}").format(delivery=item.label, due=due,
                                                                                 reason=reason))
                else:
                    print(_("would deliver {delivery} (due {due})").format(delivery=item.label, due=due))
                continue
            if reason:
                self._hold(item, reason)
                if item.kind != "post":
                    self.unit_job(item.channel, _day_of(item, self.now().date()))
                    remade = True
                continue
            if not queue.claim(self.ledger, item, self.now()):
                continue
            target = self.targets.get(item.target)
            try:
                if target is None:
                    raise targets.DeliveryError(_("target {target!r} is not in config.toml").format(
                        target=item.target))
                note = target.deliver(item)
            except targets.UnknownOutcome as exc:
                queue.unconfirmed(self.ledger, item.id, str(exc))
                log.error(_("unconfirmed {delivery}: {error}").format(delivery=item.label, error=exc))
                self.notice(item.channel, _("Delivery unconfirmed"),
                            _("{delivery}: {error}. Check, then run publisher resolve {number}").format(
                                delivery=item.label, error=exc, number=item.id))
                continue
            except targets.DeliveryError as exc:
                state = queue.failed_attempt(self.ledger, item, self.now(), str(exc))
                if state == "scheduled":
                    text = _("failed {delivery} (attempt {attempt}): {error}; will retry")
                else:
                    text = _("failed {delivery} (attempt {attempt}): {error}; giving up")
                log.error(text.format(delivery=item.label, attempt=item.attempts + 1, error=exc))
                if state == "failed":
                    self.notice(item.channel, _("Delivery failed"),
                                _("{delivery} still fails after several retries: {error}").format(
                                    delivery=item.label, error=exc))
                continue
            queue.delivered(self.ledger, item, self.now(), note)
            done += 1
            log.info(_("delivered {delivery}: {note}").format(delivery=item.label, note=note))
            if item.kind != "post":
                self.notice(item.channel, _("Delivered: {title}").format(title=item.payload.get("title", item.key)),
                            f"{item.payload.get('title', item.key)} → {item.target}")
        return done, remade

    def _hold(self, item: queue.Delivery, reason: str) -> None:
        queue.held(self.ledger, item.id, reason)
        log.warning(_("held {delivery}: {reason}").format(delivery=item.label, reason=reason))
        title = _("Held back: {title}").format(title=item.payload.get("title", item.key)) if item.kind != "post" \
            else _("Post held back")
        self.notice(item.channel, title, _("{title} ({target}): {reason}").format(
            title=item.payload.get("title", item.key), target=item.target, reason=reason))

    def _intact(self, rendition) -> bool:
        """Every file of a rendition still holds what the build wrote (read now, no cache)."""
        for name in rendition.files:
            recorded = rendition.outputs.get(name)
            path = self.out / name
            if recorded is None or not path.is_file() or fresh_hash(path) != recorded[0]:
                return False
        return True

    def withdraw(self, story: str, reason: str | None = None) -> list[str]:
        """After 撤稿: hold everything still to come that carries the story, make today's LED loops
        again without it and deliver them at once; return what people must take down by hand."""
        reason = reason or _("withdrawn (撤稿)")
        for item in queue.hold_story(self.ledger, story, _("{story}: {problem}").format(story=story, problem=reason)):
            log.warning(_("held {delivery}: withdrawn").format(delivery=item.label))
        today = self.now().date()
        for name, channel in self.channels.items():
            if channel.scheduled == "units" and (channel.settings.schedule or queue.rows(
                    self.ledger, "channel = ? AND kind != 'post' AND state = 'delivered'", (name,), limit=1)):
                self.unit_job(name, today)  # made again without the story, and sent at once
                self.deliver_due({name})
        lines = []
        for _story, item in take_down(self.ledger, {story}):
            lines.append(_("take down by hand: {channel} {destination} → {target} ({title})").format(
                channel=item.channel, destination=item.payload.get("destination", item.key), target=item.target,
                title=item.payload.get("title", item.key)))
        return lines

    def notice(self, channel: str, title: str, text: str) -> bool:
        """Tell the channel's ``notify`` target; True when it was sent."""
        settings = self.config.channels.get(channel)
        name = settings.notify if settings else ""
        if name and name in self.targets:
            return self.targets[name].notify(title, f"### {title}\n\n{text}")
        return False

    def tick(self) -> None:
        """One pass of the daemon: due jobs, then due deliveries, then the accounts' keep-alive."""
        self.run_due_jobs()
        self.deliver_due()
        self.keep_alive()

    def keep_alive(self) -> list[str]:
        """Tell each account's ``notify`` target, once per silence, when it has gone ``quiet_days -
        keep_alive_days`` days without a confirmed post (government new-media inspections fail an
        account silent for two weeks). An account never confirmed is silent from its first batch slot.
        Returns the channels told."""
        now = self.now()
        settings = self.config.publish
        limit = dt.timedelta(days=settings.quiet_days - settings.keep_alive_days)
        told = []
        for name, channel in self.channels.items():
            if not channel.posted_by_hand or not channel.settings.slots:
                continue
            last = posts.last_posted(self.ledger, name, now) or posts.in_use_since(self.ledger, name)
            if last is None or now - last < limit:
                continue
            job = f"keep-alive:{name}"
            noticed = queue.job_last_run(self.ledger, job)
            if noticed is not None and noticed >= last:
                continue  # already told about this silence
            days = (now - last).days
            deadline = last + dt.timedelta(days=settings.quiet_days)
            if (name, last) not in self._silences_logged:  # the log says it once; the notice is tried each tick
                self._silences_logged.add((name, last))
                log.warning(_("{channel}: no post confirmed for {days} days").format(channel=name, days=days))
                if not self.config.channels[name].notify:
                    log.warning(_("{channel}: no notify target is configured, so nobody is told; set notify in "
                                  "[channels.{channel}]").format(channel=name))
            sent = self.notice(
                name, _("{account}: {days} days without an update").format(account=channel.account, days=days),
                _("{account} ({channel}) has published nothing confirmed since {last}. Accounts silent for "
                  "two weeks fail government new-media inspections: post before {deadline} and record it "
                  "with publisher posted.").format(account=channel.account, channel=channel.shown,
                                                  last=f"{last.astimezone(self.tz):%Y-%m-%d %H:%M}",
                                                  deadline=f"{deadline.astimezone(self.tz):%Y-%m-%d}"))
            if not sent:
                continue  # told nobody: try again on the next tick
            queue.job_ran(self.ledger, job, now)
            told.append(name)
        return told

    # -- status ------------------------------------------------------------------------------
    def next_due_times(self) -> list[tuple[str, dt.datetime]]:
        now = self.now()
        return sorted(((name, next_due(c.schedule, now)) for name, c in self.config.channels.items()
                       if c.schedule), key=lambda pair: pair[1])


def take_down(ledger, stories: set[str]) -> list[tuple[str, queue.Delivery]]:
    """(story, delivery) for what of ``stories`` went out and is still out there: posts (to a team
    folder, a robot, or by hand from a batch), and the latest delivery of each collective unit that
    is not tied to a day (a leaflet edition at the print shop; a day's LED loop is replaced in the
    morning). After a withdrawal a person must take them down."""
    if not stories:
        return []
    marks = ", ".join("?" * len(stories))
    found = [(item.key, item) for item in queue.rows(
        ledger, f"kind = 'post' AND state = 'delivered' AND key IN ({marks})", tuple(sorted(stories)), limit=1000)]
    latest: dict[tuple[str, str, str], queue.Delivery] = {}
    for item in queue.rows(ledger, "kind != 'post' AND state = 'delivered'", limit=5000):
        place = (item.channel, item.target, item.key)
        if place not in latest or item.id > latest[place].id:
            latest[place] = item
    for item in latest.values():
        if not item.payload.get("day"):
            found += [(story, item) for story in sorted(stories & set(item.payload.get("stories", {})))]
    return found


def _slot_time(slot: str, week: str, tz: ZoneInfo) -> dt.datetime:
    return slot_times([slot], week, tz)[0]


def _day_of(item: queue.Delivery, today: dt.date) -> dt.date:
    """The day a queued unit is for (deliveries queued before units said so name it in their key)."""
    text = item.payload.get("day") or item.key.rsplit("/", 1)[-1]
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return today
