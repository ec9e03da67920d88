"""The review server over HTTP (Starlette's TestClient against the real app, ledger and output):
who may decide, what a decision is bound to, and each of its defences."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import time

import pytest
from reviewkit import (
    PASSWORD,
    XSS_TITLE,
    build_template,
    content_hash_on,
    copy_site,
    form_token,
    sign_in,
)
from starlette.testclient import TestClient

from publisher.cli import main
from publisher.config import load_config
from publisher.safety import accounts
from publisher.web.app import create_app

STORY = "deeds/found-elderly"
STALE = "稿件已修改，请刷新后重新审核"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_template(tmp_path_factory.mktemp("review-template"))


@pytest.fixture
def site(template, tmp_path):
    return copy_site(template, tmp_path)


def _client(site, ip: str = "10.1.2.3", secure: bool = False) -> TestClient:
    config, _ = load_config(site)
    return TestClient(create_app(site, config, site / "out", secure_cookies=secure), client=(ip, 50000))


@pytest.fixture
def client(site):
    return _client(site)


def _decisions(site) -> list[tuple]:
    connection = sqlite3.connect(site / ".publisher/ledger.sqlite")
    try:
        return connection.execute("SELECT story, stage, decision, reviewer, content_hash FROM reviews "
                                  "ORDER BY id").fetchall()
    finally:
        connection.close()


def _decide(client, story: str, decision: str, **fields):
    page = client.get(f"/story/{story}")
    data = {"csrf": form_token(page.text), "hash": content_hash_on(page.text), "decision": decision, **fields}
    return client.post(f"/decide/{story}", data=data, follow_redirects=False)


def _hash_of(site, story: str) -> str:
    from publisher.content.hashing import content_hash
    from publisher.pipeline.reader import read_site

    config, _ = load_config(site)
    return content_hash(next(s for s in read_site(site, config)[0] if s.id == story))


# -- signing in -------------------------------------------------------------------------------

def test_the_front_page_is_the_sign_in_form_then_what_waits_for_me(client):
    page = client.get("/")
    assert page.status_code == 200
    assert re.search(r'<label for="name">用户名</label>', page.text)
    assert re.search(r'<label for="password">密码</label>', page.text)
    assert re.search(r'<button type="submit">登录</button>', page.text)
    assert "待我审核" not in page.text
    signed = sign_in(client, "初审员")
    assert signed.status_code == 303
    cookie = signed.headers["set-cookie"]
    assert "publisher_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie
    queue = client.get("/")
    assert "待我审核" in queue.text
    mine = queue.text.split('id="mine"')[1].split("</ul>")[0]
    assert f'href="/story/{STORY}"' in mine and "民警帮走失老人回家" in mine


def test_cookies_are_secure_behind_tls(site):
    signed = sign_in(_client(site, secure=True), "初审员")
    assert "Secure" in signed.headers["set-cookie"]


def test_a_wrong_password_is_refused_and_recorded_without_the_password(site, client):
    refused = sign_in(client, "初审员", "not the password")
    assert refused.status_code == 401 and "待我审核" not in refused.text
    assert "publisher_session" not in refused.headers.get("set-cookie", "")
    data = (site / ".publisher/ledger.sqlite").read_bytes()
    assert b"not the password" not in data and PASSWORD.encode() not in data
    rows = sqlite3.connect(site / ".publisher/ledger.sqlite").execute(
        "SELECT event, user, ip FROM audit WHERE event LIKE 'sign-in%'").fetchall()
    assert rows == [("sign-in-failed", "初审员", "10.1.2.3")]


def test_five_failures_lock_the_account_for_fifteen_minutes(site, client, monkeypatch):
    for _attempt in range(5):
        assert sign_in(client, "初审员", "wrong").status_code == 401
    locked = sign_in(client, "初审员")  # the right password, now refused
    assert locked.status_code == 401 and "publisher_session" not in locked.headers.get("set-cookie", "")
    assert "locked" in locked.text
    later = time.time() + 14 * 60
    monkeypatch.setattr(accounts.time, "time", lambda: later)
    assert sign_in(_client(site, "10.9.9.9"), "初审员").status_code == 401
    later = time.time() + 15 * 60 + 5
    monkeypatch.setattr(accounts.time, "time", lambda: later)
    assert sign_in(_client(site, "10.9.9.9"), "初审员").status_code == 303


def test_failed_sign_ins_from_one_address_are_rate_limited(site):
    client = _client(site, "10.0.0.66")
    codes = [sign_in(client, f"nobody{i}", "wrong").status_code for i in range(12)]
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
    assert sign_in(client, "初审员").status_code == 429  # not even the right password, for a minute
    assert sign_in(_client(site, "10.0.0.67"), "初审员").status_code == 303  # another address is not slowed
    busy = _client(site, "10.0.0.68")  # successful sign-ins (an office behind one address) are not limited
    codes = []
    for _reviewer in range(12):
        busy.cookies.clear()
        codes.append(sign_in(busy, "初审员").status_code)
    assert codes == [303] * 12


def test_a_session_expires_when_idle_and_at_sign_out(site, client, monkeypatch):
    assert sign_in(client, "初审员").status_code == 303
    assert "待我审核" in client.get("/").text
    later = time.time() + 31 * 60
    monkeypatch.setattr(accounts.time, "time", lambda: later)
    assert "待我审核" not in client.get("/").text and "登录" in client.get("/").text
    monkeypatch.undo()
    assert sign_in(client, "初审员").status_code == 303
    token = form_token(client.get("/").text)
    out = client.post("/logout", data={"csrf": token}, follow_redirects=False)
    assert out.status_code == 303 and 'publisher_session=""' in out.headers["set-cookie"]
    assert "待我审核" not in client.get("/").text


def test_a_stolen_cookie_is_useless_after_sign_out(site, client):
    sign_in(client, "初审员")
    stolen = client.cookies.get("publisher_session")
    client.post("/logout", data={"csrf": form_token(client.get("/").text)})
    thief = _client(site, "10.6.6.6")
    thief.cookies.set("publisher_session", stolen)
    assert "待我审核" not in thief.get("/").text


def test_disabling_an_account_ends_its_sessions(site, client):
    sign_in(client, "初审员")
    assert "待我审核" in client.get("/").text
    config, _ = load_config(site)
    connection = sqlite3.connect(site / ".publisher/ledger.sqlite")
    connection.row_factory = sqlite3.Row
    accounts.set_disabled(connection, config, "初审员", True)
    assert "待我审核" not in client.get("/").text
    assert sign_in(client, "初审员").status_code == 401


# -- deciding -----------------------------------------------------------------------------------

def test_approving_at_the_first_stage_binds_the_hash_that_was_shown(site, client):
    sign_in(client, "初审员")
    page = client.get(f"/story/{STORY}")
    assert re.search(r'<button type="submit" class="approve">通过</button>', page.text)
    assert re.search(r'<button type="submit" class="reject">驳回</button>', page.text)
    shown = content_hash_on(page.text)
    assert shown == _hash_of(site, STORY)
    done = _decide(client, STORY, "approve", stage="初审")
    assert done.status_code == 303 and done.headers["location"] == f"/story/{STORY}"
    assert _decisions(site) == [(STORY, "初审", "approve", "初审员", shown)]
    after = client.get(f"/story/{STORY}").text
    assert "待复审" in after and "通过</button>" not in after
    history = after.split('id="history"')[1].split("</table>")[0]
    assert "初审员" in history and "通过" in history


def test_a_first_stage_reviewer_cannot_approve_the_second(site, client):
    sign_in(client, "初审员")
    assert _decide(client, STORY, "approve", stage="初审").status_code == 303
    other = _client(site, "10.1.2.4")
    sign_in(other, "另一初审员")
    page = other.get(f"/story/{STORY}").text
    assert "通过</button>" not in page and "驳回</button>" not in page and "待复审" in page
    refused = other.post(f"/decide/{STORY}", data={"csrf": form_token(page), "hash": _hash_of(site, STORY),
                                                   "decision": "approve", "stage": "复审"}, follow_redirects=False)
    assert refused.status_code == 403
    assert len(_decisions(site)) == 1


def test_the_final_stage_only_from_its_holder_in_order(site):
    first, second, final = (_client(site, f"10.0.1.{i}") for i in range(3))
    sign_in(final, "终审员")
    assert "通过</button>" not in final.get(f"/story/{STORY}").text
    assert _decide(final, STORY, "approve", stage="终审").status_code in (400, 403)
    for who, stage, client in (("初审员", "初审", first), ("复审员", "复审", second)):
        sign_in(client, who)
        assert _decide(client, STORY, "approve", stage=stage).status_code == 303
    page = final.get(f"/story/{STORY}").text
    assert "通过</button>" in page
    assert _decide(final, STORY, "approve", stage="终审").status_code == 303
    assert [row[1] for row in _decisions(site)] == ["初审", "复审", "终审"]
    assert "已通过审核" in final.get(f"/story/{STORY}").text


def test_a_rejection_needs_a_note(site, client):
    sign_in(client, "初审员")
    assert _decide(client, STORY, "reject", note="  ").status_code == 400
    assert _decisions(site) == []
    assert _decide(client, STORY, "reject", note="数字请核实").status_code == 303
    assert _decisions(site)[0][:4] == (STORY, "初审", "reject", "初审员")
    assert "数字请核实" in client.get(f"/story/{STORY}").text


def test_withdrawal_is_for_final_stage_holders(site):
    editor, leader = _client(site, "10.0.2.1"), _client(site, "10.0.2.2")
    sign_in(editor, "初审员")
    sign_in(leader, "终审员")
    assert "撤稿</button>" not in editor.get(f"/story/{STORY}").text
    assert _decide(editor, STORY, "withdraw", note="当事人要求").status_code == 403
    assert "撤稿</button>" in leader.get(f"/story/{STORY}").text
    done = _decide(leader, STORY, "withdraw", note="当事人要求")
    assert done.status_code == 200 and "已撤稿" in done.text
    assert _decisions(site)[-1][2:4] == ("withdraw", "终审员")


def test_an_approval_of_a_changed_story_is_refused(site, client, chinese):
    sign_in(client, "初审员")
    page = client.get(f"/story/{STORY}").text
    shown = content_hash_on(page)
    path = site / f"content/{STORY}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("民警帮走失老人回家", "民警连夜帮走失老人回家"),
                    encoding="utf-8")
    refused = client.post(f"/decide/{STORY}", data={"csrf": form_token(page), "hash": shown, "decision": "approve",
                                                    "stage": "初审"}, follow_redirects=False)
    assert refused.status_code == 409 and STALE in refused.text
    assert _decisions(site) == []
    # Reloaded (pages look at the site once a second), the page shows the new version but offers no
    # decision until its renditions are made again.
    time.sleep(1.1)
    again = client.get(f"/story/{STORY}").text
    assert "民警连夜帮走失老人回家" in again and "通过</button>" not in again and "正在按最新稿件重新生成" in again


def test_a_post_without_the_form_token_changes_nothing(site, client):
    sign_in(client, "初审员")
    page = client.get(f"/story/{STORY}").text
    fields = {"hash": content_hash_on(page), "decision": "approve", "stage": "初审"}
    assert client.post(f"/decide/{STORY}", data=fields).status_code == 403
    assert client.post(f"/decide/{STORY}", data={**fields, "csrf": "forged"}).status_code == 403
    assert client.post("/logout", data={}).status_code == 403
    assert "待我审核" in client.get("/").text  # still signed in
    assert client.post("/login", data={"name": "初审员", "password": PASSWORD}).status_code == 403
    assert _decisions(site) == []


def test_nothing_changes_on_a_get(site, client):
    sign_in(client, "初审员")
    assert client.get(f"/decide/{STORY}?decision=approve&stage=初审").status_code == 405
    assert client.get("/logout").status_code == 405
    assert client.get("/login?name=初审员").status_code == 405
    assert _decisions(site) == []
    assert "待我审核" in client.get("/").text


def test_a_decision_without_a_session_is_refused(site, client):
    page = client.get("/").text
    refused = client.post(f"/decide/{STORY}", data={"csrf": form_token(page), "hash": _hash_of(site, STORY),
                                                    "decision": "approve", "stage": "初审"})
    assert refused.status_code == 403 and _decisions(site) == []


# -- what the page shows, and how ------------------------------------------------------------------

def test_the_story_page_shows_every_rendition_and_the_masked_items(client):
    sign_in(client, "初审员")
    page = client.get("/story/deeds/xss").text
    assert '<base href="/out/preview/stories/">' in page
    assert 'id="channel-weibo"' in page and 'id="channel-wechat"' in page
    assert 'src="../../weibo/deeds/xss/card-1.png"' in page
    assert 'src="../../wechat/deeds/xss/article.html"' in page
    masked = page.split('id="masked"')[1].split("</table>")[0]
    assert "受害人" in masked and "王某" in masked and "138****5678" in masked
    assert "王小明" not in page and "13812345678" not in page  # the raw values stay in the story file
    card = client.get("/out/weibo/deeds/xss/card-1.png")
    assert card.status_code == 200 and card.content.startswith(b"\x89PNG")


def test_a_script_in_a_title_is_shown_as_text(client):
    sign_in(client, "初审员")
    for page in (client.get("/").text, client.get("/story/deeds/xss").text):
        assert XSS_TITLE not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<script" not in page


def test_every_response_carries_the_security_headers(client):
    for response in (client.get("/"), client.get("/static/review.css"), client.get("/nowhere")):
        policy = response.headers["content-security-policy"]
        script = re.search(r"script-src ([^;]+)", policy).group(1)
        assert "unsafe-inline" not in script and "unsafe-eval" not in script
        assert "frame-ancestors 'none'" in policy
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "server" not in response.headers
    assert client.get("/").headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", ["/out/..%2f..%2fconfig.toml", "/out/../config.toml", "/out/%2e%2e/config.toml",
                                  "/out/weibo/..%2f..%2f..%2fconfig.toml", "/out/.publisher/ledger.sqlite",
                                  "/out//etc/passwd", "/out/%2fetc%2fpasswd", "/static/..%2f..%2fconfig.py",
                                  "/fonts/..%2f..%2fmanifest.json", "/out/weibo/deeds/xss"])
def test_files_are_served_only_from_inside_the_output_folder(site, client, path):
    (site / "out/.publisher").mkdir(exist_ok=True)
    (site / "out/.publisher/ledger.sqlite").write_text("secret")
    sign_in(client, "初审员")
    response = client.get(path)
    assert response.status_code == 404
    for secret in ("Asia/Shanghai", "renditions", "secret", "root:", "from __future__"):
        assert secret not in response.text


def test_the_output_is_for_signed_in_reviewers_only(client):
    assert client.get("/out/weibo/deeds/xss/card-1.png").status_code == 403
    assert client.get("/story/deeds/xss", follow_redirects=False).status_code == 303


# -- the audit trail ------------------------------------------------------------------------------

def test_the_audit_trail_exports_sign_ins_and_decisions_with_address_and_hash(site, client, capsys):
    sign_in(client, "初审员", "wrong")
    sign_in(client, "初审员")
    _decide(client, STORY, "approve", stage="初审")
    capsys.readouterr()
    assert main(["review", "--site", str(site), "log", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    events = [(r["event"], r["user"], r["ip"], r["via"]) for r in rows if r["event"] != "user-add"]
    assert events == [("sign-in-failed", "初审员", "10.1.2.3", "web"), ("sign-in", "初审员", "10.1.2.3", "web"),
                      ("approve", "初审员", "10.1.2.3", "web")]
    approval = rows[-1]
    assert approval["story"] == STORY and approval["stage"] == "初审"
    assert approval["content_hash"] == _hash_of(site, STORY)
    assert all(PASSWORD not in value for row in rows for value in row.values())


def test_a_name_typed_at_sign_in_cannot_become_a_spreadsheet_formula(site, client, capsys):
    sign_in(client, '=HYPERLINK("http://evil.example","x")', "wrong")
    capsys.readouterr()
    main(["review", "--site", str(site), "log", "--csv"])
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[-1]["user"] == '\'=HYPERLINK("http://evil.example","x")'


def test_oversized_requests_are_refused_before_they_are_read(site, client):
    sign_in(client, "初审员")
    page = client.get(f"/story/{STORY}").text
    fields = {"csrf": form_token(page), "hash": content_hash_on(page), "decision": "reject"}
    assert client.post(f"/decide/{STORY}", data={**fields, "note": "长" * 501}).status_code == 400
    huge = client.post(f"/decide/{STORY}", data={**fields, "note": "x" * 70000})
    assert huge.status_code == 413 and huge.headers["x-frame-options"] == "DENY"
    assert _decisions(site) == []
