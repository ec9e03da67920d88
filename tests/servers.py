"""Real servers on loopback for the publisher's tests: FTP (pyftpdlib) and HTTP webhooks."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class Webhook:
    """Records every POST: path, query, JSON body. ``delay`` seconds before answering; ``status``."""

    def __init__(self, delay: float = 0.0, status: int = 200, answer: dict | None = None, log: Path | None = None):
        self.requests: list[dict] = []
        self.delay, self.status, self.answer = delay, status, answer or {"errcode": 0, "errmsg": "ok"}
        self.log = log
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length).decode("utf-8"))
                parsed = urllib.parse.urlparse(self.path)
                record = {"path": parsed.path, "query": dict(urllib.parse.parse_qsl(parsed.query)), "body": body}
                owner.requests.append(record)
                if owner.log is not None:  # survives the test process's view of a killed daemon
                    with owner.log.open("a", encoding="utf-8") as handle:
                        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                time.sleep(owner.delay)
                data = json.dumps(owner.answer).encode()
                try:
                    self.send_response(owner.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client was killed mid-request: exactly what the crash test does

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Ftp:
    """pyftpdlib on loopback; counts completed renames (files put in place) per path. ``delay``
    seconds before each command: a slow LED controller (the crash test kills mid-upload)."""

    def __init__(self, root: Path, user: str = "led", password: str = "secret", delay: float = 0.0):
        from pyftpdlib.authorizers import DummyAuthorizer
        from pyftpdlib.handlers import FTPHandler
        from pyftpdlib.servers import ThreadedFTPServer

        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self.placed: Counter = Counter()
        owner = self
        authorizer = DummyAuthorizer()
        authorizer.add_user(user, password, str(root), perm="elradfmwMT")

        class Handler(FTPHandler):
            def pre_process_command(self, line, cmd, arg):
                if delay:
                    time.sleep(delay)  # a thread per connection: only this client waits
                return super().pre_process_command(line, cmd, arg)

            def ftp_RNTO(self, path: str):
                result = super().ftp_RNTO(path)
                owner.placed[str(Path(path).relative_to(owner.root.resolve()))] += 1
                return result

        Handler.authorizer = authorizer
        Handler.banner = "test ftp"
        from pyftpdlib.ioloop import IOLoop

        # A private loop: servers of earlier tests must not share (and close) this one's.
        class Server(ThreadedFTPServer):  # pyftpdlib shares its stop flag between all servers of a class
            _lock = threading.Lock()
            _exit = threading.Event()

        self.server = Server(("127.0.0.1", 0), Handler, ioloop=IOLoop())
        self.port = self.server.address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"timeout": 0.2}, daemon=True).start()

    def close(self) -> None:
        self.server.close_all()
