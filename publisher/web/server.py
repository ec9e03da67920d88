"""``publisher serve --review``: the review application on uvicorn, with the preview's watcher.

The site is built (drafts too) before the first request, and again whenever a story, a template,
an asset or the config changes, as under ``publisher serve``; a story page offers decisions only
when every rendition shown was made from the story as it is now.
"""

from __future__ import annotations

import logging
import socket
import threading
from pathlib import Path

import uvicorn

from publisher.config import SiteConfig
from publisher.errors import PublisherError
from publisher.i18n import _
from publisher.preview import generate
from publisher.preview.serve import watch
from publisher.web.app import create_app

log = logging.getLogger("publisher")


def serve_review(site: Path, config: SiteConfig, out: Path, host: str, port: int,
                 secure_cookies: bool = False) -> int:
    site, out = site.resolve(), out.resolve()
    try:  # bound here, so that a port in use is said plainly, before anything is served
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        listening = socket.create_server((host, port), family=family)
    except OSError as exc:
        raise PublisherError(_("cannot serve on {host}:{port}: {reason} (try --port)").format(
            host=host, port=port, reason=exc.strerror or exc)) from None
    stop = threading.Event()
    try:
        generate(site, config, out)
        app = create_app(site, config, out, secure_cookies)
        trusted = config.review_server.trusted_proxies
        server = uvicorn.Server(uvicorn.Config(
            app, host=host, port=port, log_level="warning", access_log=False, server_header=False,
            proxy_headers=bool(trusted), forwarded_allow_ips=trusted or None, lifespan="off"))
        threading.Thread(target=watch, args=(site, config, out, stop), daemon=True).start()
        shown = f"[{host}]" if ":" in host else host
        log.info(_("review at {url} (Ctrl+C stops)").format(url=f"http://{shown}:{port}/"))
        server.run(sockets=[listening])
    finally:
        stop.set()
        listening.close()
    return 0
