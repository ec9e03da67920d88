"""Who may decide: accounts made with ``publisher user``, and ``publisher review --by`` bound to the
operating-system account config.toml names, under the one set of rules (publisher.safety.access)."""

from __future__ import annotations

import io
import sqlite3
import sys

import pytest

from publisher import ledger as ledgers
from publisher.config import load_config
from publisher.safety import access, accounts, review

STORY = "deeds/found-elderly"


@pytest.fixture
def stdin(monkeypatch):
    def feed(text: str) -> None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    return feed


def _ledger(site) -> sqlite3.Connection:
    config, _ = load_config(site)
    return ledgers.connect(site, config)


def test_user_add_reads_the_password_from_standard_input(site, cli, stdin):
    stdin("long enough pass\n")
    run = cli("user", "--site", site, "add", "赵科长", "--stages", "初审,复审")
    assert run.code == 0 and "赵科长" in run.out
    stored = _ledger(site).execute("SELECT password, stages FROM users WHERE name = '赵科长'").fetchone()
    assert stored["password"].startswith("$argon2id$") and "long enough pass" not in stored["password"]
    assert stored["stages"] == '["初审", "复审"]'
    config, _ = load_config(site)
    assert accounts.authenticate(_ledger(site), config, "赵科长", "long enough pass", "127.0.0.1").stages == (
        "初审", "复审")
    listed = cli("user", "--site", site, "list")
    assert "赵科长" in listed.out and "active" in listed.out


@pytest.mark.parametrize(("args", "password", "message"), [
    (("add", "赵科长", "--stages", "初审"), "short\n", "at least 8"),
    (("add", "赵科长", "--stages", "四审"), "long enough pass\n", "unknown stage"),
    (("add", "赵科长"), "long enough pass\n", "--stages"),
    (("add", "李編輯", "--stages", "初审"), "long enough pass\n", "written differently"),
    (("passwd", "无此人"), "long enough pass\n", "no account"),
])
def test_user_add_refuses_what_it_cannot_keep(site, cli, stdin, args, password, message):
    stdin(password)
    run = cli("user", "--site", site, *args)
    assert run.code == 2 and message in run.err and "Traceback" not in run.err


def test_passwd_and_disable_sign_the_account_out_and_disable_voids_its_approvals(site, cli, stdin):
    stdin("first password\n")
    assert cli("user", "--site", site, "add", "赵编辑", "--stages", "初审").code == 0
    config, _ = load_config(site)
    ledger = _ledger(site)
    account = accounts.authenticate(ledger, config, "赵编辑", "first password", "10.0.0.1")
    token = accounts.open_session(ledger, account, "10.0.0.1")
    stdin("second password\n")
    assert cli("user", "--site", site, "passwd", "赵编辑").code == 0
    assert accounts.session(ledger, config.review_server, token) is None
    with pytest.raises(accounts.SignInRefused):
        accounts.authenticate(ledger, config, "赵编辑", "first password", "10.0.0.1")
    from publisher.pipeline.reader import read_site

    story = next(s for s in read_site(site, config)[0] if s.id == STORY)
    person = access.web_person(accounts.authenticate(ledger, config, "赵编辑", "second password", "10.0.0.1"), "")
    assert review.approve(ledger, story, config, "初审", person, "").passed == ["初审"]
    assert cli("user", "--site", site, "disable", "赵编辑").code == 0
    assert review.state(ledger, story, config.safety.stages, access.holders(config, ledger)).passed == []
    assert "disabled" in cli("user", "--site", site, "list").out


def test_the_cli_reviewer_must_be_the_operating_system_account_config_names(site, cli, monkeypatch,
                                                                           real_os_account):
    monkeypatch.setenv("USER", "tester")  # anyone can set this: it must not count
    monkeypatch.setenv("LOGNAME", "tester")
    real = access.os_account()
    assert real and real != "tester"
    run = cli("review", "--site", site, STORY, "approve", "--stage", "初审", "--by", "李编辑")
    assert run.code == 2 and f"only the operating-system account tester may act as 李编辑 here (this is {real})" \
        in run.err
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        '{name = "李编辑", stages = ["初审"], os_user = "tester"}', f'{{name = "李编辑", stages = ["初审"], '
        f'os_user = "{real}"}}'), encoding="utf-8")
    assert cli("review", "--site", site, STORY, "approve", "--stage", "初审", "--by", "李编辑").code == 0


def test_a_reviewer_without_an_os_user_decides_in_the_browser_only(site, cli):
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        '{name = "王局长", stages = ["终审"], os_user = "tester"}', '{name = "王局长", stages = ["终审"]}'),
        encoding="utf-8")
    assert cli("review", "--site", site, STORY, "approve", "--stage", "初审", "--by", "李编辑").code == 0
    assert cli("review", "--site", site, STORY, "approve", "--stage", "复审", "--by", "张科长").code == 0
    run = cli("review", "--site", site, STORY, "approve", "--stage", "终审", "--by", "王局长")
    assert run.code == 2 and "reviews in the browser only" in run.err
    run = cli("review", "--site", site, STORY, "withdraw", "--by", "王局长", "--note", "撤")
    assert run.code == 2 and "reviews in the browser only" in run.err


def test_one_set_of_rules_for_the_browser_and_the_command(site, cli, stdin):
    """A person who approved 初审 at the command cannot approve 复审 of the same version in the browser."""
    stdin("long enough pass\n")
    assert cli("user", "--site", site, "add", "李编辑", "--stages", "初审,复审").code == 0
    assert cli("review", "--site", site, STORY, "approve", "--stage", "初审", "--by", "李编辑").code == 0
    config, _ = load_config(site)
    ledger = _ledger(site)
    from publisher.pipeline.reader import read_site

    story = next(s for s in read_site(site, config)[0] if s.id == STORY)
    person = access.web_person(accounts.get(ledger, "李编辑"), "10.0.0.2")
    with pytest.raises(review.Forbidden, match="different reviewer"):
        review.approve(ledger, story, config, "复审", person, "")


def test_an_old_ledger_keeps_its_decisions_in_the_audit_trail(site, cli):
    path = site / ".publisher/ledger.sqlite"
    path.parent.mkdir(parents=True)
    old = sqlite3.connect(path)
    old.executescript("""
        CREATE TABLE reviews (id INTEGER PRIMARY KEY, story TEXT NOT NULL, stage TEXT NOT NULL,
            decision TEXT NOT NULL CHECK (decision IN ('approve', 'reject', 'withdraw')), reviewer TEXT NOT NULL,
            os_user TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '', content_hash TEXT NOT NULL,
            at TEXT NOT NULL);
        CREATE TABLE deliveries (id INTEGER PRIMARY KEY, channel TEXT NOT NULL, target TEXT NOT NULL,
            key TEXT NOT NULL, hash TEXT NOT NULL, kind TEXT NOT NULL, due_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'scheduled', attempts INTEGER NOT NULL DEFAULT 0, next_try_at TEXT,
            claimed_at TEXT, delivered_at TEXT, last_error TEXT NOT NULL DEFAULT '', payload TEXT NOT NULL,
            UNIQUE (channel, target, key, hash));
        CREATE TABLE jobs (name TEXT PRIMARY KEY, last_run TEXT NOT NULL);
        INSERT INTO reviews (story, stage, decision, reviewer, os_user, content_hash, at)
            VALUES ('deeds/found-elderly', '初审', 'approve', '李编辑', 'editor', 'abc', '2021-04-01T09:00:00+08:00');
        PRAGMA user_version = 1;
    """)
    old.close()
    run = cli("review", "--site", site, "log", "--csv")
    assert run.code == 0
    assert ",deeds/found-elderly,初审,approve,李编辑,editor,,abc,,cli" in run.out


def test_a_port_in_use_is_said_plainly_before_anything_is_built(site, cli):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        run = cli("serve", "--review", "--site", site, "--port", busy.getsockname()[1])
    assert run.code == 2 and "cannot serve on 127.0.0.1" in run.err and "Traceback" not in run.err
    assert not (site / "output").exists()
    run = cli("serve", "--site", site, "--host", "0.0.0.0")
    assert run.code == 2 and "--host and --secure-cookies go with --review" in run.err
