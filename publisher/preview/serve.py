"""``publisher serve``: the preview over HTTP on 127.0.0.1, rebuilt when a source changes.

A watcher polls content/, templates/, assets/ and config.toml (cheap: stat calls), rebuilds
incrementally (only changed renditions render) and rewrites the preview; open pages poll
``version.json`` and reload when it changes, within about two seconds of a save.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from publisher.config import SiteConfig, load_config
from publisher.errors import PublisherError
from publisher.i18n import _
from publisher.preview import generate
from publisher.render.channel import channels

log = logging.getLogger("publisher")
WATCHED = ("content", "templates", "assets", "config.toml", "wording.toml")


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
    while not stop.wait(0.3):
        current = snapshot(site)
        if current == seen:
            continue
        seen = current
        started = time.perf_counter()
        try:
            config, _source = load_config(site)
            # Text and image channels first, so the page shows the edit at once; videos and LED
            # loops (seconds to encode) follow, and the page reloads again when they are ready.
            quick = [name for name, channel in channels(config).items() if channel.quick]
            if quick and len(quick) < len(config.channels):
                generate(site, config, out, channels=quick)
                log.info(_("text and images rebuilt in {seconds:.1f}s; now video and LED").format(
                    seconds=time.perf_counter() - started))
            generate(site, config, out)
            log.info(_("rebuilt in {seconds:.1f}s").format(seconds=time.perf_counter() - started))
        except PublisherError as exc:
            log.error(_("rebuild failed: {error}").format(error=exc))
        except Exception:
            log.exception(_("rebuild failed"))


class _QuietHandler(SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args) -> None:
        pass
