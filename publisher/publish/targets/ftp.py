"""``ftp`` target: upload to an FTP server (LED players and signage boxes often take FTP).

Each file is uploaded under a temporary name and renamed into place, so a player never sees a
half-written file. The folder's marker keeps the SHA-256 of every file the server received: a file
is sent when its content differs from that (never judged by its size), and only once, even when a
crash interrupts a delivery. Per file: upload ``.tmp-<sha>-<name>``, record the hash in the marker,
rename into place; a redo finds the recorded hash and only finishes a rename left undone.
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
from publisher.publish.targets import (
    MARKER,
    DeliveryError,
    destination,
    file_hash,
    marker_files,
    marker_hashes,
    relative_path,
    source_files,
)


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
        try:
            remote = posixpath.join(self.settings.directory, relative_path(destination(delivery)))
            names = [(source, relative_path(name)) for source, name in source_files(delivery)]
        except ValueError as exc:
            raise DeliveryError(f"ftp://{self.settings.host}:{self.settings.port}: {exc}") from exc
        marker = posixpath.join(remote, MARKER)
        try:
            ftp = self._connect()
            try:
                folders = _Folders(ftp)
                folders.make(remote)
                held = _read_marker(ftp, marker) or {}
                files = marker_files(held)
                sent = 0
                for source, name in names:
                    path = posixpath.join(remote, name)
                    digest = file_hash(source)
                    temp = posixpath.join(posixpath.dirname(path), f".tmp-{digest[:16]}-{posixpath.basename(path)}")
                    if files.get(name) == digest:
                        if _exists(ftp, temp):  # interrupted between the marker and the rename
                            _rename(ftp, temp, path)
                            continue
                        if _exists(ftp, path):
                            continue  # the server has this content: not sent twice
                        del files[name]  # someone removed it: forget it before sending it again
                        _write_marker(ftp, marker, {**held, "files": files})
                    folders.make(posixpath.dirname(path))
                    with source.open("rb") as handle:
                        ftp.storbinary(f"STOR {temp}", handle)
                    files[name] = digest  # recorded before the rename, so a redo never uploads it again
                    _write_marker(ftp, marker, {**held, "files": files})
                    _rename(ftp, temp, path)
                    sent += 1
                if not sent and marker_hashes(held)[-1:] == [delivery.hash]:
                    return "already there"
                _write_marker(ftp, marker, {"hashes": marker_hashes(held, delivery.hash), "files": files,
                                            "key": delivery.key})
                for folder in folders.made:  # temporary files of interrupted uploads of other content
                    for entry in _list(ftp, folder):
                        if posixpath.basename(entry).startswith(".tmp-"):
                            with contextlib.suppress(ftplib.error_perm):
                                ftp.delete(entry)
            finally:
                try:
                    ftp.quit()
                except ftplib.all_errors:
                    ftp.close()
        except DeliveryError:
            raise
        except (*ftplib.all_errors, OSError) as exc:
            raise DeliveryError(f"ftp://{self.settings.host}:{self.settings.port}{remote}: {exc or repr(exc)}") from exc
        if not sent:
            return "already there"
        return f"{sent} of {len(names)} files to ftp://{self.settings.host}{remote}"

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
    _rename(ftp, temp, path)


def _rename(ftp: ftplib.FTP, temp: str, path: str) -> None:
    try:
        ftp.rename(temp, path)
    except ftplib.error_perm:  # some servers refuse to rename over an existing file
        with contextlib.suppress(ftplib.error_perm):
            ftp.delete(path)
        ftp.rename(temp, path)


def _exists(ftp: ftplib.FTP, path: str) -> bool:
    """Whether a file is there (its size is never used to decide what to send)."""
    try:
        ftp.voidcmd("TYPE I")
        return ftp.size(path) is not None
    except ftplib.error_perm:
        return False


class _Folders:
    """Creates remote folders once per connection; remembers them (for cleaning temporary files)."""

    def __init__(self, ftp: ftplib.FTP):
        self.ftp, self.made = ftp, []

    def make(self, path: str) -> None:
        if path not in self.made:
            _makedirs(self.ftp, path)
            self.made.append(path)


def _makedirs(ftp: ftplib.FTP, path: str) -> None:
    current = ""
    for part in [p for p in path.split("/") if p]:
        current += "/" + part
        with contextlib.suppress(ftplib.error_perm):  # it exists
            ftp.mkd(current)


def _read_marker(ftp: ftplib.FTP, path: str) -> dict | None:
    """The marker's content; None when there is none ({} when it cannot be read)."""
    buffer = io.BytesIO()
    try:
        ftp.retrbinary(f"RETR {path}", buffer.write)
    except ftplib.error_perm:
        return None
    try:
        held = json.loads(buffer.getvalue().decode("utf-8"))
    except ValueError:
        return {}
    return held if isinstance(held, dict) else {}


def _write_marker(ftp: ftplib.FTP, path: str, held: dict) -> None:
    _put(ftp, io.BytesIO(json.dumps(held, ensure_ascii=False).encode("utf-8")), path)


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
