"""The build: read every story, plan its renditions, render what changed, write the manifest.

Two phases, as in Pelican: all stories are read and validated first, then renditions are
rendered (in parallel, through any ``concurrent.futures`` executor) and the manifest is
written once at the end.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from publisher import __version__, atomic
from publisher.config import SiteConfig, scheduler_address
from publisher.content.hashing import fresh_hash
from publisher.content.story import Story
from publisher.errors import ConfigError, ContentError, Diagnostic, PublisherError, TemplateError
from publisher.i18n import CHINESE, _, language, set_language
from publisher.ledger import connect as connect_ledger
from publisher.pipeline import manifest, readcache
from publisher.pipeline.check import drawn_config_problems, protected_photo_warnings
from publisher.pipeline.reader import read_site
from publisher.render import artifacts, inputs, linebreak, treatment
from publisher.render.channel import Channel, CollectiveUnit, RenderContext, StoryUnit, Unit, channels
from publisher.render.terms import unit_terms
from publisher.safety import access, review


@dataclass
class Job:
    """One rendition to make: picklable, so any executor can run it."""

    site: Path
    out: Path
    config: SiteConfig
    unit: Unit
    """What to render: a story, or a collective unit (a screen-day, a leaflet edition)."""
    channel: str
    plan: str
    """What the build knows before rendering (see :func:`plan_key`); the recorded inputs complete it."""
    progress: bool = False
    owner: int = field(default_factory=os.getpid)
    """The build's process: staging folders carry its PID, so they count as live while it runs."""
    stage: str = ""
    """The staging folder, made by the build before the job is handed to a worker (so the build
    can remove it when it stops the worker)."""
    protected: treatment.Protected = field(default_factory=treatment.Protected)
    """The site's photos whose faces are blurred in every story that shows them."""

    @property
    def key(self) -> str:
        return self.unit.key

    @property
    def shown_path(self) -> str:
        return self.unit.shown_path


@dataclass
class Outcome:
    story: str
    channel: str
    files: list[str] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)
    """Every file the rendition read, with its digest (recorded while rendering)."""
    stage: str = ""
    """The staging folder holding the finished rendition, for the build to swap in."""
    outputs: dict[str, list] = field(default_factory=dict)
    """Each file written: [SHA-256, size, mtime_ns] (a rename into place keeps size and time)."""
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class ChannelSummary:
    rendered: int = 0
    unchanged: int = 0
    failed: int = 0
    seconds: float = 0.0


@dataclass
class BuildResult:
    manifest: manifest.Manifest
    summary: dict[str, ChannelSummary]
    errors: list[Diagnostic]
    warnings: list[Diagnostic]
    stories: list[Story] = field(default_factory=list)
    """The valid stories the build worked from (after ``accept``)."""
    shown: dict[str, str] = field(default_factory=dict)
    """Each configured channel as the team calls it (微博, 抖音（douyin_county）…)."""

    @property
    def ok(self) -> bool:
        return not self.errors


class OutputError(PublisherError):
    """The output folder is somewhere the build must not write."""


def check_output(site: Path, out: Path) -> None:
    """The build deletes what it no longer needs inside the output folder, so that folder may not
    be the site, a folder above it, a folder holding stories, or one of the site's own folders."""
    try:
        site, out = site.resolve(), out.resolve()
    except (OSError, ValueError, RuntimeError):  # a NUL byte, a link loop, a name too long
        raise OutputError(_("output folder {out!r} is not a usable path; choose a folder").format(
            out=str(out))) from None
    if out == site or site.is_relative_to(out):
        raise OutputError(_("output folder {out} is the site or a folder above it; choose a folder of its own, "
                            "e.g. {example}").format(out=out, example=site / "output"))
    if out.exists() and not out.is_dir():
        raise OutputError(_("output folder {out} is a file; choose a folder").format(out=out))
    if out == site / ".publisher":
        raise OutputError(_("output folder {out} is the program's own folder; choose another folder").format(out=out))
    if (out / "content").is_dir() or (out / "config.toml").is_file():
        raise OutputError(_("output folder {out} holds a site (content/ or config.toml); choose another "
                            "folder").format(out=out))
    for own in ("content", "templates", "assets"):
        if out.is_relative_to(site / own):
            raise OutputError(_("output folder {out} is inside the site's {folder}/; choose another folder").format(
                out=out, folder=own))


def build(site: Path, config: SiteConfig, out: Path, *, only: Iterable[str] = (), drafts: bool = False,
          jobs: int | None = None, executor: Executor | None = None, progress: bool = False,
          day: dt.date | None = None, accept: Callable[[Story], bool] | None = None,
          cluster: str | None = None) -> BuildResult:
    """Render every ready story (and drafts if asked) for each of its channels into ``out``, and
    each LED screen's programme for ``day`` (default: today in the site's time zone).
    ``accept`` narrows the stories (the publisher passes its review gate). One build writes to
    an output folder at a time; a second one waits. Renditions render in ``executor`` when given,
    else where ``cluster`` says (``local`` or ``dask://HOST:PORT``; default: ``[build] executor``)."""
    site, out = site.resolve(), out.resolve()
    check_output(site, out)
    drawn = drawn_config_problems(site, config)
    if drawn:
        raise ConfigError(*drawn)
    where = cluster or config.build.executor
    scheduler = None if executor is not None or where == "local" else scheduler_address(where)
    with atomic.output_lock(out), readcache.remembered_digests(site, config):
        return _build(site, config, out, set(only), drafts, jobs, executor, progress, day, accept, scheduler)


def _build(site: Path, config: SiteConfig, out: Path, only: set[str], drafts: bool, jobs: int | None,
           executor: Executor | None, progress: bool, day: dt.date | None,
           accept: Callable[[Story], bool] | None, scheduler: str | None) -> BuildResult:
    # Leftovers of killed runs, only where this program writes: the output's own files and the
    # folders of configured channels and of the preview (never a user's folders beside them).
    atomic.remove_stale(out, depth=1)
    for folder in [*config.channels, "preview", artifacts.FOLDER]:
        atomic.remove_stale(out / folder, depth=3)
    stories, problems = read_site(site, config)
    registry = channels(config)
    problems += [d for name, channel in registry.items() if not only or name in only
                 for d in channel.site_problems(stories, site)]
    refused: list[Story] = []
    protected = treatment.protected_photos(stories)  # every story read, approved or not
    problems += protected_photo_warnings(stories, protected)
    if accept is not None:
        judged = [(story, accept(story)) for story in stories]
        refused = [story for story, ok in judged if not ok]
        stories = [story for story, ok in judged if ok]
    errors = [d for d in problems if d.severity == "error"]
    early_warnings = [d for d in problems if d.severity != "error"]
    previous = manifest.load(out)
    summary: dict[str, ChannelSummary] = defaultdict(ChannelSummary)
    kept: list[manifest.Rendition] = []
    todo: list[Job] = []
    planned: set[tuple[str, str]] = set()

    day = day or dt.datetime.now(ZoneInfo(config.timezone)).date()
    for name, channel in registry.items():
        if only and name not in only:
            continue
        for unit in channel.plan(stories, day, drafts, refused):
            planned.add((unit.key, name))
            key = plan_key(config, name, unit.key, unit.content() + protected.signature(unit.stories))
            old = previous.find(unit.key, name)
            if _still_current(old, key, site, out):
                kept.append(old)
                summary[name].unchanged += 1
            else:
                todo.append(Job(site, out, config, unit, name, key, progress, protected=protected))

    journal = manifest.Journal(out)
    try:
        # Renditions from the last build that are no longer wanted: gone stories and channels, and
        # stories that now fail. Those outside a --channel filter are kept as they were.
        by_id = {s.id: s for s in stories}
        for old in previous.renditions:
            if (old.key, old.channel) in planned:
                continue
            channel = registry.get(old.channel)
            filtered_out = bool(only) and old.channel not in only
            if old.unit:  # a collective unit not planned now (another day's loop): the channel decides
                keep = channel is not None and (filtered_out or channel.keeps(old.unit))
            else:
                story = by_id.get(old.story)
                keep = filtered_out and story is not None and channel is not None and old.channel in story.channels
            if keep:
                kept.append(old)
            else:
                _remove(out, old.folder)
                journal.drop(old.key, old.channel)

        fresh: list[manifest.Rendition] = []
        warnings: list[Diagnostic] = early_warnings + [w for story in stories for w in story.warnings]

        def finish(job: Job, outcome: Outcome) -> None:
            """Swap one finished rendition in, journaled before and after (runs in this process)."""
            nonlocal errors, warnings
            summary[job.channel].seconds += outcome.seconds
            warnings += outcome.warnings
            if outcome.errors:
                summary[job.channel].failed += 1
                errors += outcome.errors
                _remove(out, f"{job.channel}/{job.key}")  # removed first, then forgotten: a kill in between
                journal.drop(job.key, job.channel)       # leaves it listed, and the next build retries
                return
            journal.drop(job.key, job.channel)
            atomic.replace_folder(Path(outcome.stage), out / job.channel / job.key)
            summary[job.channel].rendered += 1
            rendition = _rendition(job, outcome, config)
            journal.put(rendition)
            fresh.append(rendition)

        refused = [job for job in todo if not atomic.confined(out, out / job.channel / job.key)]
        for job in refused:
            message = _("{folder} in the output is, or lies under, a symbolic link; refused (remove the link from "
                        "{out})").format(folder=f"{job.channel}/{job.key}", out=out)
            finish(job, Outcome(job.key, job.channel, errors=[Diagnostic(job.shown_path, 1, 1, message)]))
        refused_ids = {id(job) for job in refused}
        todo = [job for job in todo if id(job) not in refused_ids]
        _run(todo, 1 if _few_and_quick(todo, registry) else jobs, executor, progress, finish, scheduler)
        reviews_before = [r.review for r in previous.renditions]
        _mark_review_state(site, config, stories, kept + fresh)
        result = manifest.Manifest(
            renditions=sorted(kept + fresh, key=lambda r: (r.channel, r.key)),
            errors=[d.to_json() for d in errors], warnings=[d.to_json() for d in warnings])
        if journal.found or journal.written or not _same_manifest(previous, reviews_before, result):
            result.save(out)
        else:  # nothing changed: the manifest on disk says it all already
            journal.close()
            (out / manifest.JOURNAL).unlink(missing_ok=True)
        artifacts.prune(out)
    finally:
        journal.close()
    return BuildResult(result, dict(summary), errors, warnings, stories,
                       {name: channel.shown for name, channel in registry.items()})


def _few_and_quick(todo: list[Job], registry: dict[str, Channel]) -> bool:
    """A story or two for text and image channels: rendered in this process, since starting worker
    processes (each importing the renderers afresh) takes longer than drawing a post's cards."""
    return len(todo) <= QUICK_IN_PROCESS and all(registry[job.channel].quick for job in todo)


QUICK_IN_PROCESS = 4
"""At most this many renditions of quick channels are rendered without worker processes."""


def _same_manifest(previous: manifest.Manifest, reviews_before: list[str], result: manifest.Manifest) -> bool:
    """The new manifest is the one on disk: the same renditions (each still with the review state
    it had), errors and warnings."""
    return (result.renditions == previous.renditions
            and reviews_before == [r.review for r in previous.renditions]
            and result.errors == previous.errors and result.warnings == previous.warnings)


def _rendition(job: Job, outcome: Outcome, config: SiteConfig) -> manifest.Rendition:
    files = [f"{job.channel}/{job.key}/{f}" for f in outcome.files]
    common = {"channel": job.channel, "type": _channel(job).type, "files": files,
              "hash": rendition_hash(job.plan, outcome.inputs), "title": job.unit.title, "plan": job.plan,
              "inputs": outcome.inputs, "outputs": _prefixed(job, outcome.outputs)}
    unit = job.unit
    if isinstance(unit, StoryUnit):
        return manifest.Rendition(story=unit.story.id, status=unit.story.meta.status, path=unit.story.rel_path,
                                  **common)
    assert isinstance(unit, CollectiveUnit)
    return manifest.Rendition(story="", unit=unit.key, unit_kind=unit.kind,
                              day=unit.day.isoformat() if unit.day else "", targets=list(unit.targets),
                              stories=[s.id for s in unit.stories], **common)


def _channel(job: Job) -> Channel:
    return channels(job.config)[job.channel]


def _prefixed(job: Job, outputs: dict[str, list]) -> dict[str, list]:
    return {f"{job.channel}/{job.key}/{name}": value for name, value in outputs.items()}


def _remove(out: Path, relative: str) -> None:
    """Delete a rendition folder, only when it really lies inside the output (a manifest is a
    file anyone can edit: ``../../victim`` is refused)."""
    try:
        target = out / relative
        if not atomic.confined(out, target) or target == out:
            return
    except (OSError, ValueError):  # a NUL byte, a name too long: not a folder of ours
        return
    shutil.rmtree(target, ignore_errors=True)


def _run(todo: list[Job], jobs: int | None, executor: Executor | None, progress: bool,
         finish: Callable[[Job, Outcome], None], scheduler: str | None = None) -> None:
    """Render ``todo`` (in worker processes when there is more than one, or on the Dask cluster
    whose scheduler is at ``scheduler``), handing each outcome to ``finish`` as it arrives.
    Ctrl+C cancels what has not started and stops the workers at once."""
    if not todo:
        return
    jobs = jobs or os.cpu_count() or 1
    bar = _progress_bar(len(todo)) if progress else None
    if scheduler is not None:
        from publisher.pipeline import cluster  # Dask is imported only when a build uses it

        cluster.run(todo, scheduler, finish, bar.update if bar else lambda: None)
    elif executor is None and (jobs == 1 or len(todo) == 1):
        for job in todo:
            finish(job, render_job(job))
            if bar:
                bar.update()
    else:
        own = executor is None
        # Workers are started afresh (spawn), never forked: a fork copies locks other threads hold
        # (Typst's and ffmpeg readers' threads after an in-process render, as ``serve`` does).
        pool = executor or ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                                               initializer=_start_worker, initargs=(os.getpid(), language()))
        try:  # Ctrl+C may come while workers start (spawning takes a moment): stages are made inside
            for job in todo:
                job.stage = str(atomic.new_stage(job.out / job.channel / job.key, job.owner))
            with _workers_ignore_ctrl_c():
                futures = {pool.submit(render_job, job): job for job in todo}
            for future in as_completed(futures):
                finish(futures[future], future.result())
                if bar:
                    bar.update()
        except BaseException:
            if own:
                _stop_workers(pool)
            pool.shutdown(wait=False, cancel_futures=True)
            for job in todo:  # unfinished, or finished but never swapped in: nothing left behind
                if job.stage:
                    shutil.rmtree(job.stage, ignore_errors=True)
            raise
        finally:
            if own:
                pool.shutdown()
    if bar:
        bar.close()


@contextlib.contextmanager
def _workers_ignore_ctrl_c() -> Iterator[None]:
    """Workers are started with Ctrl+C ignored (a spawned interpreter keeps an ignored SIGINT), so
    a Ctrl+C while they start stops the build, not them halfway through their imports."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _start_worker(parent: int, speaking: str) -> None:
    """Worker start-up: speak the build's language, and die when the build that started it dies
    (even by SIGKILL), so no orphan swaps folders into the output afterwards."""
    set_language(speaking)
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Kill the workers and wait until they are gone: a worker still writing into its staging
    folder while the build removes it would leave the folder behind."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public API for this
    for process in processes:
        process.kill()
    for process in processes:
        process.join(timeout=5)


def _progress_bar(total: int):
    from tqdm import tqdm

    return tqdm(total=total, unit=_("rendition"), desc=_("rendering"), file=sys.stderr, leave=False,
                dynamic_ncols=True)


def render_job(job: Job) -> Outcome:
    """Render one rendition into a staging folder (worker entry point). The build swaps the folder
    in (:func:`_build`'s ``finish``), so what is in the output always matches the manifest."""
    started = time.perf_counter()
    outcome = Outcome(job.key, job.channel)
    stage = Path(job.stage) if job.stage else atomic.new_stage(job.out / job.channel / job.key, job.owner)
    try:
        with inputs.recording(job.site) as recorder, treatment.applying(job.unit.stories, job.protected):
            for story in job.unit.stories:
                recorder.record(story.path)
            for source in job.protected.sources(job.unit.stories):  # another story's edit may unblur
                recorder.record(source)
            ctx = RenderContext(job.site, job.config, job.unit, job.channel, stage, progress=job.progress,
                                out=job.out)
            with linebreak.keeping(unit_terms(job.site, job.unit.stories, ctx.localize)):
                outcome.files = _channel(job).render(ctx)
            outcome.warnings = ctx.warnings
            outcome.inputs = dict(sorted(recorder.files.items()))
        outcome.stage = str(stage)
        outcome.outputs = {name: fingerprint(stage / name) for name in outcome.files}
    except BaseException as exc:
        shutil.rmtree(stage, ignore_errors=True)
        if not isinstance(exc, Exception):
            raise
        _describe_failure(job, outcome, exc)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _describe_failure(job: Job, outcome: Outcome, exc: Exception) -> None:
    try:
        raise exc
    except ContentError as exc:
        outcome.errors = exc.diagnostics
    except TemplateError as exc:
        outcome.errors = [Diagnostic(job.shown_path, 1, 1, _("{error} (rendering {channel})").format(
            error=exc, channel=job.channel))]
    except PublisherError as exc:
        outcome.errors = [Diagnostic(job.shown_path, 1, 1, str(exc))]
    except Exception as exc:  # a bug must not stop the other renditions; say where it happened
        outcome.errors = [Diagnostic(job.shown_path, 1, 1, _(
            "internal error rendering {channel} {key}: {error} (please report this)").format(
            channel=job.channel, key=job.key, error=f"{exc.__class__.__name__}: {exc}"))]


def _mark_review_state(site: Path, config: SiteConfig, stories: list[Story],
                       renditions: list[manifest.Rendition]) -> None:
    """Every story rendition says where it stands in review (build renders regardless)."""
    connection = connect_ledger(site, config, create=False)
    try:
        found = review.states(connection, stories, config.safety.stages, access.holders(config, connection))
        labels = {story_id: state.label_source for story_id, state in found.items()}
    finally:
        if connection is not None:
            connection.close()
    for rendition in renditions:
        if not rendition.unit:
            rendition.review = labels.get(rendition.story, "")


def plan_key(config: SiteConfig, channel: str, unit: str, content: str) -> str:
    """What a rendition is made from that the build knows before rendering it: the package
    version, the channel's config section, the site's settings and theme, and the unit's content
    (a story's content hash, or what a screen-day plays)."""
    digest = hashlib.sha256()
    digest.update(f"publisher {__version__}\0{channel}\0{unit}\0{content}\0".encode())
    # Where it renders ([build]) is not what it is made from: a local and a cluster build make the same
    # files; the work report ([report]) is written from the ledger, never from a rendition.
    digest.update(config.model_dump_json(exclude={"channels", "kinds", "build", "report"}).encode())
    digest.update(config.channels[channel].model_dump_json().encode())
    return digest.hexdigest()


def rendition_hash(plan: str, recorded: dict[str, str]) -> str:
    """Identity of a rendition: its plan key and every input it recorded while rendering."""
    digest = hashlib.sha256(plan.encode())
    for key, value in sorted(recorded.items()):
        digest.update(f"\0{key}\0{value}".encode())
    return digest.hexdigest()


def _still_current(old: manifest.Rendition | None, plan: str, site: Path, out: Path) -> bool:
    """The last build's rendition can stay: same plan, every recorded input unchanged, and every
    file it wrote still there as written (same size and modification time)."""
    root = str(out)
    return (old is not None and old.plan == plan and bool(old.inputs) and bool(old.outputs)
            and inputs.current(old.inputs, site)
            and all(_unchanged(os.path.join(root, f), old.outputs.get(f)) for f in old.files))


def fingerprint(path: Path) -> list:
    """What the manifest keeps of a file written: [SHA-256, size, mtime_ns]."""
    stat = path.stat()
    return [fresh_hash(path), stat.st_size, stat.st_mtime_ns]


def _unchanged(path: str, recorded: list | None) -> bool:
    try:
        stat = os.stat(path)
    except (OSError, ValueError):
        return False
    return recorded is not None and [stat.st_size, stat.st_mtime_ns] == recorded[1:]


def format_summary(result: BuildResult) -> list[str]:
    """One line a channel: ``weibo: 15 rendered, 0 unchanged, 0 failed, 5.8s`` (in Chinese the channel
    by the team's name for it: ``微博：渲染 15，未变 0，失败 0，用时 5.8 秒``)."""
    lines = []
    for channel, s in sorted(result.summary.items()):
        shown = result.shown.get(channel, channel) if language() == CHINESE else channel
        lines.append(_("{channel}: {rendered} rendered, {unchanged} unchanged, {failed} failed, {seconds:.1f}s").format(
            channel=shown, rendered=s.rendered, unchanged=s.unchanged, failed=s.failed, seconds=s.seconds))
    if not lines:
        lines.append(_("nothing to build (no ready stories; --drafts builds drafts too)"))
    return lines

