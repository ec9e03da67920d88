"""Rendering on a Dask distributed cluster (``[build] executor = "dask://HOST:PORT"``).

Workers render; only the build's own process writes the output folder. A worker renders a job
into a scratch folder on its own host (never the output, which it need not see) and sends back
every file the rendition made, as bytes, saying which of them are shared artifacts (the clip
Douyin and Kuaishou share). The build writes them into a staging folder beside the rendition and
swaps it in as it does a local one: the output lock, the journal, the manifest and the staging
rules hold whatever happens on the workers.

Workers read the site's inputs (stories, assets, templates) at the same path as the build: a
shared read-only folder. Every input a worker recorded is checked against the build's copy, so a
worker that saw another version of a file, or runs another version of publisher, fails the
rendition instead of delivering something stale.

A worker that dies mid-render leaves nothing behind in the output: its files were in its own
scratch. Dask's scheduler gives the task to another worker (``distributed.scheduler.allowed-failures``
times, 3 by default); after that the rendition is reported failed and the next build renders it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from publisher import __version__, atomic
from publisher.errors import Diagnostic, PublisherError
from publisher.i18n import _, language, set_language
from publisher.pipeline.build import Job, Outcome, fingerprint, render_job
from publisher.render import artifacts, inputs

SCRATCH_PREFIX = "publisher-worker-"
"""A build's scratch folder on a worker host: ``<temp>/publisher-worker-<build token>/``."""
SCRATCH_DAYS = 1
"""Scratch folders untouched this long are leftovers of builds that died; a worker removes them."""
CONNECT_SECONDS = 10
"""How long the build tries to reach the scheduler."""
WORKER_WAIT_SECONDS = 60
"""How long the build waits for the scheduler to have at least one worker."""

_one_at_a_time = threading.Lock()
"""A worker process renders one rendition at a time (start one process a core: ``--nthreads 1``)."""


@dataclass
class Parcel:
    """What a worker sends back: the outcome, and every file of the rendition as bytes."""

    outcome: Outcome
    files: dict[str, bytes] = field(default_factory=dict)
    """Each file of the rendition by its path inside the rendition folder."""
    artifacts: dict[str, str] = field(default_factory=dict)
    """Files that are shared artifacts: path in the rendition -> the artifact's name (``KEY.SUFFIX``)."""
    host: str = ""
    version: str = __version__


def run(todo: list[Job], scheduler: str, finish: Callable[[Job, Outcome], None], advance: Callable[[], None]) -> None:
    """Render ``todo`` on the cluster whose scheduler is at ``scheduler`` (``tcp://HOST:PORT``),
    handing each outcome to ``finish`` (in this process) as it arrives."""
    token = uuid.uuid4().hex
    with _connected(scheduler) as client:
        try:
            pool = client.get_executor(pure=False)  # a job is never "the same" as another: no deduplication
            futures = {pool.submit(render_remote, job, language(), token): job for job in todo}
            for future in as_completed(futures):
                # Forgotten once received: the worker frees the parcel (and, should it die later, does not
                # render the job again to bring back a result nobody needs).
                job = futures.pop(future)
                finish(job, _outcome(job, future))
                advance()
        except BaseException:
            for job in todo:  # received but never swapped in: nothing left behind
                if job.stage:
                    shutil.rmtree(job.stage, ignore_errors=True)
            raise
        finally:
            with contextlib.suppress(Exception):
                client.run(forget, token)


def _outcome(job: Job, future: Future) -> Outcome:
    try:
        parcel = future.result()
    except Exception as exc:  # the worker died, the scheduler went away, or the job never arrived
        return _lost(job, exc)
    return receive(job, parcel)


@contextlib.contextmanager
def _connected(scheduler: str) -> Iterator:
    try:
        from distributed import Client
    except ImportError:
        raise PublisherError(_("rendering on a Dask cluster needs the cluster extra: pip install "
                               "'publisher[cluster]'")) from None
    quiet = logging.getLogger("distributed")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # Dask's own notes (in English) are for the workers' logs, not the team
    try:
        try:
            client = Client(scheduler, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise PublisherError(_("cannot reach the Dask scheduler at {address} ({problem}); start it with "
                                   "`dask scheduler` (README, \"Rendering on a cluster\")").format(
                address=scheduler, problem=exc.__class__.__name__)) from None
        try:
            try:
                client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
            except (OSError, TimeoutError):
                raise PublisherError(_("the Dask scheduler at {address} has no workers after {seconds} s; start "
                                       "some with `dask worker {address}`").format(
                    address=scheduler, seconds=WORKER_WAIT_SECONDS)) from None
            yield client
        finally:
            client.close()
    finally:
        quiet.setLevel(level)


def render_remote(job: Job, speaking: str, token: str) -> Parcel:
    """Render one job on a worker, into the worker's scratch; returns every file as bytes."""
    set_language(speaking)
    host = socket.gethostname()
    if not (job.site / "config.toml").is_file():
        message = _("the Dask worker on {host} does not see the site at {site}; workers read the site's files at "
                    "the same path as the build (README, \"Rendering on a cluster\")").format(host=host,
                                                                                             site=job.site)
        return Parcel(Outcome(job.key, job.channel, errors=[Diagnostic(job.shown_path, 1, 1, message)]), host=host)
    with _one_at_a_time:
        scratch = _scratch(token)
        here = dataclasses.replace(job, out=scratch, stage="", owner=os.getpid(), progress=False)
        outcome = render_job(here)
        if outcome.errors:
            return Parcel(outcome, host=host)
        stage = Path(outcome.stage)
        try:
            files, shared = _pack(stage, scratch / artifacts.FOLDER)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
    outcome.stage, outcome.outputs = "", {}
    return Parcel(outcome, files, shared, host)


def _scratch(token: str) -> Path:
    """This build's scratch folder on this host (workers on one host share it, and so share
    artifacts: the clip two platforms use is encoded once a host). Old leftovers are removed."""
    root = Path(tempfile.gettempdir())
    scratch = root / f"{SCRATCH_PREFIX}{token}"
    scratch.mkdir(exist_ok=True)
    os.utime(scratch)
    deadline = time.time() - SCRATCH_DAYS * 86400
    for old in root.glob(f"{SCRATCH_PREFIX}*"):
        with contextlib.suppress(OSError):
            if old != scratch and old.is_dir() and not old.is_symlink() and old.stat().st_mtime < deadline:
                shutil.rmtree(old, ignore_errors=True)
    return scratch


def forget(token: str) -> None:
    """The build is over: remove its scratch folder on this host (run on every worker)."""
    shutil.rmtree(Path(tempfile.gettempdir()) / f"{SCRATCH_PREFIX}{token}", ignore_errors=True)


def _pack(stage: Path, shared_folder: Path) -> tuple[dict[str, bytes], dict[str, str]]:
    """Every file under ``stage`` as bytes, and which of them are links to a shared artifact."""
    made: dict[tuple[int, int], str] = {}
    if shared_folder.is_dir():
        for path in shared_folder.iterdir():
            if path.suffix != ".lock" and path.is_file() and not path.name.startswith(atomic.TEMP_PREFIX):
                stat = path.stat()
                made[(stat.st_dev, stat.st_ino)] = path.name
    files: dict[str, bytes] = {}
    shared: dict[str, str] = {}
    for path in sorted(stage.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        name = path.relative_to(stage).as_posix()
        files[name] = path.read_bytes()
        stat = path.stat()
        if (stat.st_dev, stat.st_ino) in made:
            shared[name] = made[(stat.st_dev, stat.st_ino)]
    return files, shared


def receive(job: Job, parcel: Parcel) -> Outcome:
    """Write what a worker sent into a staging folder beside the rendition (this process alone
    writes the output); the build swaps it in."""
    outcome = parcel.outcome
    if outcome.errors:
        return outcome
    problem = _mismatch(job, parcel)
    if problem:
        outcome.errors = [Diagnostic(job.shown_path, 1, 1, problem)]
        return outcome
    stage = atomic.new_stage(job.out / job.channel / job.key, job.owner)
    job.stage = str(stage)
    try:
        for name, data in parcel.files.items():
            target = stage / name
            if not _plain(name) or not atomic.confined(stage, target):
                raise PublisherError(_("the worker on {host} sent a file named {name!r}; refused").format(
                    host=parcel.host, name=name))
            target.parent.mkdir(parents=True, exist_ok=True)
            artifact = parcel.artifacts.get(name)
            if artifact is not None and "/" not in artifact and _plain(artifact):
                artifacts.link(artifacts.receive(job.out, artifact, data), target)
            else:
                target.write_bytes(data)
        outcome.stage = str(stage)
        outcome.outputs = {name: fingerprint(stage / name) for name in outcome.files}
    except PublisherError as exc:
        shutil.rmtree(stage, ignore_errors=True)
        outcome.errors = [Diagnostic(job.shown_path, 1, 1, str(exc))]
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return outcome


def _plain(name: str) -> bool:
    parts = name.split("/")
    return bool(name) and all(part and not part.startswith(".") and "\0" not in part for part in parts)


def _mismatch(job: Job, parcel: Parcel) -> str | None:
    """Why the worker's rendition cannot be trusted here (another version, another site), if so."""
    if parcel.version != __version__:
        return _("the Dask worker on {host} runs publisher {theirs}, this machine {ours}; install the same "
                 "version on every worker").format(host=parcel.host, theirs=parcel.version, ours=__version__)
    different = inputs.changed(parcel.outcome.inputs, job.site)
    if different is not None:
        return _("the Dask worker on {host} read {file} other than it is here; workers must read the site at "
                 "{site} as the build sees it (a shared folder, up to date), and run the same packages").format(
            host=parcel.host, file=different, site=job.site)
    return None


def _lost(job: Job, exc: Exception) -> Outcome:
    """The outcome of a job whose worker never answered: nothing of it was written."""
    tries = getattr(exc, "allowed_failures", None)
    if tries is not None:  # distributed.KilledWorker
        message = _("{channel}: the Dask workers rendering it died {count} time(s) (a crash, or out of memory: see "
                    "the workers' logs); nothing of it was written, the next build tries again").format(
            channel=job.channel, count=tries + 1)
    else:
        message = _("{channel}: rendering on the Dask cluster failed ({error}); nothing of it was written, the "
                    "next build tries again").format(channel=job.channel, error=f"{exc.__class__.__name__}: {exc}")
    return Outcome(job.key, job.channel, errors=[Diagnostic(job.shown_path, 1, 1, message)])
