"""The review server in a real browser: ``publisher serve --review`` in a subprocess, driven by
Playwright in Debian's Chromium (skipped without it, except under CI), on a phone-sized screen.

The screenshot of 待我审核 on a 360 px wide phone is written to test-artifacts/review-queue.png (README's
docs/review-queue.png is a copy of it)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from reviewkit import PASSWORD, XSS_TITLE, build_template, copy_site
from test_preview import ARGS, ARTIFACTS, CHROMIUM, _free_port

from publisher import ledger as ledgers
from publisher.config import load_config
from publisher.safety import accounts

PHONE = {"width": 360, "height": 740}
STALE = "稿件已修改，请刷新后重新审核"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("review-browser")
    site = copy_site(build_template(root / "template"), root)
    config, _ = load_config(site)
    connection = ledgers.connect(site, config)
    accounts.add(connection, config, "锁定测试", ["初审"], PASSWORD)
    connection.close()
    port = _free_port()
    env = {**os.environ, "PUBLISHER_LANG": "zh_Hans"}
    process = subprocess.Popen([sys.executable, "-m", "publisher", "serve", "--review", "--site", str(site),
                                "--out", str(site / "out"), "--port", str(port)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    import urllib.request

    deadline = time.monotonic() + 180
    while True:
        try:
            urllib.request.urlopen(url + "/", timeout=1).read()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the review server did not start: {process.stdout.read()}")
            time.sleep(0.3)
    yield url, site
    process.terminate()
    process.wait(timeout=15)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def phone(browser):
    """A fresh phone (its own cookies); page errors, dialogs and blocked scripts are collected."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (page.problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("console", lambda m: page.problems.append(f"console: {m.text}") if m.type == "error" else None)
    yield page
    context.close()


def _sign_in(page, url: str, name: str, password: str = PASSWORD) -> None:
    page.goto(url + "/")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("load")


def _form_fields(page) -> dict[str, str]:
    return {"csrf": page.locator("input[name=csrf]").first.input_value(),
            "hash": page.locator("input[name=hash]").first.input_value()}


def test_sign_in_and_approve_at_the_first_stage(server, phone):
    url, _site = server
    phone.goto(url + "/")
    assert phone.get_by_role("button", name="登录").is_visible()
    _sign_in(phone, url, "初审员")
    assert phone.get_by_role("heading", name="待我审核（6）").is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing wider than the phone
    phone.evaluate("document.fonts.ready")
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "review-queue.png"))
    phone.get_by_role("link", name="民警帮走失老人回家").click()
    phone.wait_for_load_state("load")
    assert phone.locator("#channel-weibo img").count() >= 1
    phone.wait_for_function("[...document.querySelectorAll('#channel-weibo img')].every(i => i.complete)")
    assert phone.locator("#channel-weibo img").first.evaluate("i => i.naturalWidth") == 1080
    phone.get_by_role("button", name="通过").click()
    phone.wait_for_load_state("load")
    assert phone.locator("#state").inner_text() == "待复审"
    assert phone.get_by_role("button", name="通过").count() == 0
    assert "初审员" in phone.locator("#history").inner_text()
    assert phone.problems == []


def test_a_first_stage_reviewer_cannot_approve_the_second(server, phone):
    url, _site = server
    _sign_in(phone, url, "另一初审员")
    phone.goto(url + "/story/deeds/found-elderly")
    assert phone.locator("#state").inner_text() == "待复审"
    assert phone.get_by_role("button", name="通过").count() == 0
    assert phone.get_by_role("button", name="驳回").count() == 0
    fields = {"csrf": phone.locator("input[name=csrf]").first.input_value(),
              "hash": "0" * 64, "decision": "approve", "stage": "复审"}
    refused = phone.context.request.post(url + "/decide/deeds/found-elderly", form=fields, max_redirects=0)
    assert refused.status == 403
    phone.reload()
    assert phone.locator("#state").inner_text() == "待复审"


def test_reject_with_a_note(server, phone):
    url, _site = server
    _sign_in(phone, url, "初审员")
    phone.goto(url + "/story/officers/wang-wu")
    phone.get_by_role("button", name="驳回").click()  # the note is required: the browser keeps the form
    assert phone.locator("#history").count() == 0
    phone.get_by_label("驳回理由（必填）").fill("照片需要换一张")
    phone.get_by_role("button", name="驳回").click()
    phone.wait_for_load_state("load")
    history = phone.locator("#history").inner_text()
    assert "驳回" in history and "照片需要换一张" in history
    assert "退回（照片需要换一张）" in phone.locator("#state").inner_text()


def test_an_approval_of_a_changed_story_is_refused(server, phone):
    url, site = server
    _sign_in(phone, url, "初审员")
    phone.goto(url + "/story/antifraud/fake-police")
    story = site / "content/antifraud/fake-police.md"
    story.write_text(story.read_text(encoding="utf-8") + "\n又补充了一句。\n", encoding="utf-8")
    phone.get_by_role("button", name="通过").click()
    phone.wait_for_load_state("load")
    assert STALE in phone.locator("main").inner_text()
    phone.get_by_role("link", name="返回").click()
    assert phone.locator("#state").inner_text() == "待初审"


def test_a_post_without_the_form_token_is_refused(server, phone):
    url, _site = server
    _sign_in(phone, url, "初审员")
    phone.goto(url + "/story/deeds/toml-story")
    fields = _form_fields(phone)
    del fields["csrf"]
    refused = phone.context.request.post(url + "/decide/deeds/toml-story",
                                         form={**fields, "decision": "approve", "stage": "初审"}, max_redirects=0)
    assert refused.status == 403
    phone.reload()
    assert phone.locator("#state").inner_text() == "待初审"


def test_five_failed_sign_ins_lock_the_account(server, phone):
    url, _site = server
    for _attempt in range(5):
        _sign_in(phone, url, "锁定测试", "wrong password")
        assert "用户名或密码错误" in phone.locator("main").inner_text() or "锁定" in phone.locator("main").inner_text()
    _sign_in(phone, url, "锁定测试")  # the right password, too late
    assert "锁定" in phone.get_by_role("alert").inner_text()
    assert phone.get_by_role("button", name="登录").is_visible()


def test_a_script_in_a_title_is_shown_as_text(server, phone):
    url, _site = server
    _sign_in(phone, url, "初审员")
    assert phone.get_by_role("link", name=XSS_TITLE).is_visible()
    phone.get_by_role("link", name=XSS_TITLE).click()
    phone.wait_for_load_state("load")
    assert phone.locator("#title").inner_text() == XSS_TITLE
    assert phone.evaluate("document.querySelectorAll('script').length") == 0
    assert phone.problems == []


def test_path_traversal_is_refused(server, phone):
    url, _site = server
    _sign_in(phone, url, "初审员")
    for path in ("/out/..%2f..%2fconfig.toml", "/out/..%2f..%2f.publisher%2fledger.sqlite",
                 "/static/..%2f..%2f..%2fpyproject.toml"):
        response = phone.goto(url + path)
        assert response.status == 404
        assert "timezone" not in phone.content() and "SQLite" not in phone.content()


def test_sign_out(server, phone):
    url, _site = server
    _sign_in(phone, url, "复审员")
    assert phone.get_by_role("heading", name="待我审核（1）").is_visible()
    phone.get_by_role("button", name="退出登录").click()
    phone.wait_for_load_state("load")
    assert phone.get_by_role("button", name="登录").is_visible()
    phone.goto(url + "/story/deeds/found-elderly")
    assert phone.get_by_role("button", name="登录").is_visible()
