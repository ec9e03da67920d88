"""``ftp`` target: upload to an FTP server (LED players and signage boxes often take FTP).

Each file is uploaded under a temporary name and renamed into place, so a player never sees a
half-written file, and a redo after a crash simply replaces what is there.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ftplib
import io
import json
import os
import posixpath
from pathlib import Path

from publisher.config import FtpTarget as FtpSettings
from publisher.publish.queue import Delivery
from publisher.publish.targets import MARKER, DeliveryError, destination, source_files


class FtpTarget:
    idempotent = True

    def __init__(self, name: str, settings: FtpSettings, site: Path):
        self.name, self.settings = name, settings

    def _connect(self) -> ftplib.FTP:
        password = os.environ.get(self.settings.password_env, "") if self.settings.password_env else ""
        if self.settings.password_env and not password:
            raise DeliveryError(f"environment variable {self.settings.password_env} (the FTP password) is not set")
        ftp = ftplib.FTP(timeout=self.settings.timeout, encoding="utf-8")
        ftp.connect(self.settings.host, self.settings.port)
        ftp.login(self.settings.user, password)
        return ftp

    def deliver(self, delivery: Delivery) -> str:
        remote = posixpath.join(self.settings.directory, destination(delivery))
        try:
            ftp = self._connect()
            try:
                _makedirs(ftp, remote)
                held = _read_marker(ftp, posixpath.join(remote, MARKER))
                if delivery.hash in held.get("hashes", []):
                    return "already there"
                for source, name in source_files(delivery):
                    path = posixpath.join(remote, name)
                    if _size(ftp, path) == source.stat().st_size:
                        continue  # uploaded before an interruption: not sent twice
                    _makedirs(ftp, posixpath.dirname(path))
                    with source.open("rb") as handle:
                        _put(ftp, handle, path)
                held = {"hashes": [*held.get("hashes", []), delivery.hash][-20:],
                        "files": delivery.payload.get("files", []), "key": delivery.key}
                _put(ftp, io.BytesIO(json.dumps(held, ensure_ascii=False).encode()), posixpath.join(remote, MARKER))
            finally:
                try:
                    ftp.quit()
                except ftplib.all_errors:
                    ftp.close()
        except DeliveryError:
            raise
        except (*ftplib.all_errors, OSError) as exc:
            raise DeliveryError(f"ftp://{self.settings.host}:{self.settings.port}{remote}: {exc or repr(exc)}") from exc
        return f"{len(delivery.payload.get('files', []))} files to ftp://{self.settings.host}{remote}"

    def notify(self, title: str, text: str) -> None:
        return None

    def prune(self, today: dt.date) -> list[str]:
        removed: list[str] = []
        cutoff = today - dt.timedelta(days=self.settings.keep_days)
        try:
            ftp = self._connect()
        except (*ftplib.all_errors, OSError, DeliveryError):
            return removed
        try:
            for screen in _list(ftp, self.settings.directory):
                for day in _list(ftp, screen):
                    try:
                        date = dt.date.fromisoformat(posixpath.basename(day))
                    except ValueError:
                        continue
                    if date < cutoff:
                        _remove_tree(ftp, day)
                        removed.append(day)
        finally:
            ftp.quit()
        return removed


def _put(ftp: ftplib.FTP, handle, path: str) -> None:
    temp = posixpath.join(posixpath.dirname(path), f".tmp-{posixpath.basename(path)}")
    ftp.storbinary(f"STOR {temp}", handle)
    try:
        ftp.rename(temp, path)
    except ftplib.error_perm:  # some servers refuse to rename over an existing file
        with contextlib.suppress(ftplib.error_perm):
            ftp.delete(path)
        ftp.rename(temp, path)


def _size(ftp: ftplib.FTP, path: str) -> int | None:
    try:
        ftp.voidcmd("TYPE I")
        return ftp.size(path)
    except ftplib.error_perm:
        return None


def _makedirs(ftp: ftplib.FTP, path: str) -> None:
    current = ""
    for part in [p for p in path.split("/") if p]:
        current += "/" + part
        with contextlib.suppress(ftplib.error_perm):  # it exists
            ftp.mkd(current)


def _read_marker(ftp: ftplib.FTP, path: str) -> dict:
    buffer = io.BytesIO()
    try:
        ftp.retrbinary(f"RETR {path}", buffer.write)
        return json.loads(buffer.getvalue().decode("utf-8"))
    except (ftplib.error_perm, ValueError):
        return {}


def _list(ftp: ftplib.FTP, path: str) -> list[str]:
    try:
        return [posixpath.join(path, posixpath.basename(n)) for n in ftp.nlst(path)]
    except ftplib.error_perm:
        return []


def _remove_tree(ftp: ftplib.FTP, path: str) -> None:
    for entry in _list(ftp, path):
        try:
            ftp.delete(entry)
        except ftplib.error_perm:
            _remove_tree(ftp, entry)
    ftp.rmd(path)
