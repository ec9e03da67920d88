"""The review server's test site: the fixture site built once (previewed, drafts included), copied for
each test, with reviewers' accounts; and signing in through the real sign-in form."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from conftest import FIXTURES, write

from publisher import ledger as ledgers
from publisher.config import load_config
from publisher.preview import generate
from publisher.safety import accounts

PASSWORD = "correct horse 7"
XSS_TITLE = "<script>alert(1)</script>"
USERS = {"初审员": ["初审"], "复审员": ["复审"], "终审员": ["终审"], "另一初审员": ["初审"]}
"""Accounts of every test site (password ``PASSWORD``)."""


def build_template(root: Path) -> Path:
    """The fixture site with a story whose title is a script, rendered into ``site/out``."""
    site = root / "site"
    shutil.copytree(FIXTURES / "site", site)
    write(site / "content/deeds/xss.md", f"---\ntitle: \"{XSS_TITLE}\"\nkind: deed\ndate: 2021-04-02\n"
          "status: ready\npeople:\n  - {name: 王小明, role: victim}\npii:\n  - {value: \"13812345678\"}\n---\n\n"
          "王小明的电话 13812345678 已打码。\n")
    config, _ = load_config(site)
    generate(site, config, site / "out")
    return site


def copy_site(template: Path, target: Path) -> Path:
    """A private copy of the built site, with the reviewers' accounts in a fresh ledger."""
    site = target / "site"
    shutil.copytree(template, site, ignore=shutil.ignore_patterns(".publisher"))
    config, _ = load_config(site)
    connection = ledgers.connect(site, config)
    for name, stages in USERS.items():
        accounts.add(connection, config, name, stages, PASSWORD)
    connection.close()
    return site


def form_token(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def content_hash_on(html: str) -> str:
    return re.search(r'name="hash" value="([0-9a-f]+)"', html).group(1)


def sign_in(client, name: str, password: str = PASSWORD):
    """Through the sign-in form, as a browser would (its token from the page and the cookie)."""
    page = client.get("/")
    return client.post("/login", data={"csrf": form_token(page.text), "name": name, "password": password},
                       follow_redirects=False)
