"""``ftp`` target: upload to an FTP server (LED players and signage boxes often take FTP).

Each file is uploaded under a temporary name and renamed into place, so a player never sees a
half-written file. The folder's marker keeps the SHA-256 of every file the server received: a file
is sent when its content differs from that (never judged by its size), and only once, even when a
crash interrupts a delivery. Per file: upload ``.tmp-<sha>-<name>``, record the hash in the marker,
rename into place; a redo finds the recorded hash and only finishes a rename left undone.
"""

from __future__ import annotations

import contextlib
import ftplib
import io
import json
import logging
import os
import posixpath
from pathlib import Path

from publisher.config import FtpTarget as FtpSettings
from publisher.i18n import _
from publisher.publish.queue import Delivery
from publisher.publish.targets.base import (
    MARKER,
    DeliveryError,
    destination,
    file_hash,
    marker_files,
    marker_hashes,
    relative_path,
    source_files,
)

log = logging.getLogger("publisher")


class FtpTarget:
    idempotent = True

    def __init__(self, name: str, settings: FtpSettings, site: Path):
        self.name, self.settings = name, settings

    def _connect(self) -> ftplib.FTP:
        password = os.environ.get(self.settings.password_env, "") if self.settings.password_env else ""
        if self.settings.password_env and not password:
            raise DeliveryError(_("environment variable {name} (the FTP password) is not set").format(
                name=self.settings.password_env))
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
                    return _("already there")
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
            return _("already there")
        return _("{sent} of {count} files to {place}").format(sent=sent, count=len(names),
                                                              place=f"ftp://{self.settings.host}{remote}")

    def notify(self, title: str, text: str) -> bool:
        return False

    def prune(self, destinations: list[str]) -> list[str]:
        """Remove these delivered folders, each only if it holds the marker, and in it only the files
        the marker lists (a file a person added keeps the folder). Returns the folders removed."""
        places = []
        for place in destinations:
            try:
                places.append(relative_path(place))
            except ValueError as exc:
                log.warning(_("{target}: not pruned: {error}").format(target=self.name, error=exc))
        removed: list[str] = []
        if not places:
            return removed
        try:
            ftp = self._connect()
        except (*ftplib.all_errors, OSError, DeliveryError) as exc:
            log.warning(_("{target}: not pruned: {error}").format(target=self.name, error=exc))
            return removed
        try:
            listed: dict[str, set[str]] = {}  # one listing per screen folder, not one command per day
            for place in places:
                remote = posixpath.join(self.settings.directory, place)
                parent = posixpath.dirname(remote)
                if parent not in listed:
                    listed[parent] = {posixpath.basename(entry) for entry in _list(ftp, parent)}
                if posixpath.basename(remote) not in listed[parent]:
                    continue
                held = _read_marker(ftp, posixpath.join(remote, MARKER))
                if held is None:
                    continue  # not a folder the publisher delivered
                if _remove_delivered(ftp, remote, held):
                    removed.append(place)
                else:
                    log.warning(_("{target}: kept {folder}: it holds files the publisher did not deliver").format(
                        target=self.name, folder=remote))
        except (*ftplib.all_errors, OSError) as exc:
            log.warning(_("{target}: pruning stopped: {error}").format(target=self.name, error=exc))
        finally:
            try:
                ftp.quit()
            except ftplib.all_errors:
                ftp.close()
        return removed


def _remove_delivered(ftp: ftplib.FTP, remote: str, held: dict) -> bool:
    """Delete the files the marker lists, temporary files, the marker last, then empty folders.
    True when the folder is gone."""
    names = []
    for name in marker_files(held):
        with contextlib.suppress(ValueError):
            names.append(relative_path(name))
    folders = {posixpath.join(remote, *name.split("/")[:n]) for name in names for n in range(1, name.count("/") + 1)}
    for name in names:
        with contextlib.suppress(ftplib.error_perm):  # already gone
            ftp.delete(posixpath.join(remote, name))
    for folder in [remote, *folders]:
        for entry in _list(ftp, folder):
            if posixpath.basename(entry).startswith(".tmp-"):
                with contextlib.suppress(ftplib.error_perm):
                    ftp.delete(entry)
    ftp.delete(posixpath.join(remote, MARKER))
    for folder in [*sorted(folders, key=lambda f: f.count("/"), reverse=True), remote]:
        try:
            ftp.rmd(folder)
        except ftplib.error_perm:  # not empty: someone else's files are in it
            if folder == remote:
                return False
    return True


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
