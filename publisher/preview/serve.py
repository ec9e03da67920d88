"""``publisher serve``: the preview over HTTP on 127.0.0.1, rebuilt when a source changes.

A watcher polls content/, templates/, assets/ and config.toml (cheap: stat calls), rebuilds
incrementally (only changed renditions render) and rewrites the preview; open pages poll
``version.json`` and reload when it changes: a text edit shows in the open page about half a
second after the save.

Text and image channels are rendered here, at once. Videos and LED loops (seconds to encode)
follow in a child ``publisher preview``, which the next save stops (a stopped build leaves the
output as it was: see "Safety of your files" in README) so that save is shown at once too.
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from publisher.config import SiteConfig, load_config
from publisher.errors import PublisherError
from publisher.i18n import _, language
from publisher.preview import generate
from publisher.render.channel import channels

log = logging.getLogger("publisher")
WATCHED = ("content", "templates", "assets", "config.toml", "wording.toml")
POLL_SECONDS = 0.1
"""How often the sources are looked at (a stat of each file: a site of 500 stories takes ~10 ms)."""


def snapshot(site: Path) -> dict[str, tuple[int, int]]:
    state = {}
    for name in WATCHED:
        path = site / name
        files = [path] if path.is_file() else (p for p in path.rglob("*") if p.is_file()) if path.is_dir() else []
        for file in files:
            try:
                stat = file.stat()
            except OSError:
                continue
            state[str(file)] = (stat.st_mtime_ns, stat.st_size)
    return state


def serve(site: Path, config: SiteConfig, out: Path, port: int) -> int:
    site, out = site.resolve(), out.resolve()
    generate(site, config, out)
    handler = functools.partial(_QuietHandler, directory=str(out))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise PublisherError(_("cannot serve on 127.0.0.1:{port}: {reason} (try --port)").format(
            port=port, reason=exc.strerror)) from None
    stop = threading.Event()
    threading.Thread(target=watch, args=(site, config, out, stop), daemon=True).start()
    log.info(_("preview at {url} (Ctrl+C stops)").format(
        url=f"http://127.0.0.1:{server.server_address[1]}/preview/index.html"))
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
    return 0


def watch(site: Path, config: SiteConfig, out: Path, stop: threading.Event) -> None:
    """Rebuild the preview whenever a watched file changes, until ``stop`` is set."""
    seen = snapshot(site)
    slow = _SlowPass(site, out)
    try:
        while not stop.wait(POLL_SECONDS):
            slow.report()
            current = snapshot(site)
            if current == seen:
                continue
            changed = {path for path in current.keys() | seen.keys() if current.get(path) != seen.get(path)}
            seen = current
            slow.stop()
            started = time.perf_counter()
            try:
                config, _source = load_config(site)
                quick = [name for name, channel in channels(config).items() if channel.quick]
                if quick:
                    generate(site, config, out, channels=quick, jobs=_jobs(site, changed))
                if len(quick) < len(config.channels):
                    log.info(_("text and images rebuilt in {seconds:.1f}s; now video and LED").format(
                        seconds=time.perf_counter() - started))
                    slow.start()
                else:
                    log.info(_("rebuilt in {seconds:.1f}s").format(seconds=time.perf_counter() - started))
            except PublisherError as exc:
                log.error(_("rebuild failed: {error}").format(error=exc))
            except Exception:
                log.exception(_("rebuild failed"))
    finally:
        slow.stop()


class _SlowPass:
    """The whole preview (videos and LED loops too) in a child process, stopped by the next save."""

    def __init__(self, site: Path, out: Path):
        self.site, self.out = site, out
        self.process: subprocess.Popen | None = None
        self.started = 0.0

    def start(self) -> None:
        env = {**os.environ, "PUBLISHER_LANG": language()}
        self.process = subprocess.Popen([sys.executable, "-m", "publisher", "preview", "--site", str(self.site),
                                         "--out", str(self.out)], env=env, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.started = time.perf_counter()

    def report(self) -> None:
        """Say so when the child has finished."""
        if self.process is not None and self.process.poll() is not None:
            if self.process.returncode in (0, 1):  # 1: some story has an error, shown on the pages
                log.info(_("rebuilt in {seconds:.1f}s").format(seconds=time.perf_counter() - self.started))
            else:
                log.error(_("rebuild failed: {error}").format(error=f"exit {self.process.returncode}"))
            self.process = None

    def stop(self) -> None:
        """Stop the child as Ctrl+C would (it stops at once, leaving the output intact)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def _jobs(site: Path, changed: set[str]) -> int | None:
    """One or two stories saved: render them in this process (starting worker processes takes
    longer than drawing a post's cards, and this process has everything loaded); anything wider
    (a template, the config, many files) goes to the worker processes."""
    content = str(site / "content")
    return 1 if len(changed) <= 2 and all(path.startswith(content) for path in changed) else None


class _QuietHandler(SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        # Pages change in place, more than once a second: never cached. The fonts (megabytes, each
        # named by what it holds) are only checked again, so a reload does not fetch them again.
        fonts = "/fonts/" in self.path and self.path.endswith(".otf")
        self.send_header("Cache-Control", "no-cache" if fonts else "no-store")
        super().end_headers()

    def log_message(self, *args) -> None:
        pass
