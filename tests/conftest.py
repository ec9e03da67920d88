"""Shared fixtures: a copy of the small fixture site, and the CLI run in-process.

Tests speak English (they match message text): ``PUBLISHER_LANG=en`` outranks the fixture site's
``language = "zh-Hans"`` and the machine's LANG, here and in every subprocess. A test that wants Chinese
takes the ``chinese`` fixture (or passes ``--lang zh-Hans`` to the CLI)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from servers import Ftp, Webhook

from publisher import i18n
from publisher.cli import main

os.environ[i18n.ENV] = "en"
FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent


@pytest.fixture(autouse=True)
def english(monkeypatch):
    """Every test starts in English and leaves the process in English (even after ``--lang zh-Hans``)."""
    monkeypatch.setenv(i18n.ENV, "en")
    i18n.set_language("en")
    yield
    i18n.set_language("en")


_REAL_OS_ACCOUNT = None


@pytest.fixture(autouse=True, scope="session")
def local_reviewer():
    """The tests run as the operating-system account ``tester``: the fixture site's reviewers name it as
    their ``os_user`` (``publisher review --by`` works for them), also in module-scoped fixtures.
    ``real_os_account`` gives the real one back (tests/test_review_access.py checks it is what counts)."""
    from publisher.safety import access

    global _REAL_OS_ACCOUNT
    _REAL_OS_ACCOUNT = access.os_account
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(access, "os_account", lambda: "tester")
        yield


@pytest.fixture
def real_os_account(monkeypatch):
    """This test runs as the real operating-system account."""
    from publisher.safety import access

    monkeypatch.setattr(access, "os_account", _REAL_OS_ACCOUNT)
    return _REAL_OS_ACCOUNT


@pytest.fixture
def chinese(monkeypatch):
    """This test speaks Simplified Chinese: messages, CLI runs in-process and subprocesses alike."""
    monkeypatch.setenv(i18n.ENV, "zh_Hans")
    i18n.set_language("zh_Hans")
    return i18n


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A private copy of tests/fixtures/site."""
    target = tmp_path / "site"
    shutil.copytree(FIXTURES / "site", target)
    return target


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run ``publisher ARGS`` in-process from the site's parent folder; returns code, stdout, stderr."""

    def run(*args: str, cwd: Path | None = None) -> Run:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def built(site, cli) -> Path:
    """The fixture site built (serially) into ``site/out``."""
    run = cli("build", "--site", site, "--out", site / "out", "--jobs", "1")
    assert run.code == 0, run.err
    return site / "out"


def ink_mask(path: Path, background: str) -> np.ndarray:
    """True where a pixel differs from the background colour (beyond JPEG/AA noise)."""
    image = np.asarray(Image.open(path).convert("RGB")).astype(int)
    bg = np.array(Image.new("RGB", (1, 1), background).getpixel((0, 0)))
    return np.abs(image - bg).sum(axis=2) > 24


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def servers(tmp_path, monkeypatch):
    """A WeCom-style robot and an FTP server on loopback, with their secrets in the environment."""
    robot = Webhook()
    ftp = Ftp(tmp_path / "ftp-root")
    monkeypatch.setenv("TEST_ROBOT_URL", robot.url + "/cgi-bin/webhook/send?key=SECRET")
    monkeypatch.setenv("TEST_FTP_PASSWORD", "secret")
    yield robot, ftp
    robot.close()
    ftp.close()
