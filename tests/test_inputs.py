"""Inputs are recorded, never listed: a rendition renders again exactly when a file it read
changes, and a story's approval is void exactly when its own content changes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from publisher import ledger
from publisher.config import load_config
from publisher.pipeline.build import build
from publisher.pipeline.reader import read_site
from publisher.render.inputs import ABSENT, PACKAGE
from publisher.safety import review

BODY_IMAGE_STORY = """---
title: 民警街头巡逻
kind: deed
date: 2021-04-08
status: ready
---

民警在街头巡逻。

![巡逻现场](images/banner.png)
"""


def _build(site: Path, out: Path):
    config, _ = load_config(site)
    return build(site, config, out, jobs=1, only=["weibo", "wechat"])


def _approve_everything(site: Path) -> None:
    config, _ = load_config(site)
    stories, _ = read_site(site, config)
    connection = ledger.connect(site, config)
    for story in stories:
        for stage, who in zip(config.safety.stages, ("李编辑", "张科长", "王局长"), strict=True):
            review.approve(connection, story, config, stage, who, "")
    connection.close()


def _states(site: Path) -> dict[str, bool]:
    config, _ = load_config(site)
    stories, _ = read_site(site, config)
    connection = ledger.connect(site, config)
    try:
        return {s.id: review.state(connection, s, config.safety.stages).approved for s in stories}
    finally:
        connection.close()


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """The fixture site with a body image from assets/, built once and approved."""
    root = tmp_path_factory.mktemp("base")
    site = root / "site"
    shutil.copytree(FIXTURES / "site", site)
    write(site / "content/deeds/patrol.md", BODY_IMAGE_STORY)
    assert _build(site, site / "out").ok
    _approve_everything(site)
    return site


def _copy(base: Path, tmp: Path) -> Path:
    site = tmp / "site"
    if site.exists():
        shutil.rmtree(site)
    shutil.copytree(base, site)
    return site


def test_replacing_an_asset_the_body_uses_voids_approval_and_renders_again(base, tmp_path):
    site = _copy(base, tmp_path)
    assert _states(site)["deeds/patrol"]
    Image.new("RGB", (64, 64), "red").save(site / "assets/images/banner.png")
    assert not _states(site)["deeds/patrol"]
    result = _build(site, site / "out")
    assert result.summary["wechat"].rendered == 1  # only the article that shows it
    body = site / "out/wechat/deeds/patrol/images/body-1.jpg"
    assert Image.open(body).convert("RGB").getpixel((5, 5))[0] > 200  # the new (red) image is in it


def test_editing_a_template_named_in_the_channel_renders_again(base, tmp_path):
    site = _copy(base, tmp_path)
    write(site / "templates/custom/post.txt.j2", "{{ story.title }}\n")
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'account = "测试公安在线"', 'account = "测试公安在线"\ntemplate = "custom/post.txt.j2"'), encoding="utf-8")
    _build(site, site / "out")
    assert _build(site, site / "out").summary["weibo"].rendered == 0
    write(site / "templates/custom/post.txt.j2", "{{ story.title }}！\n")
    result = _build(site, site / "out")
    assert result.summary["weibo"].unchanged == 0 and result.summary["weibo"].rendered >= 4
    post = (site / "out/weibo/deeds/found-elderly/post.txt").read_text(encoding="utf-8")
    assert post.strip().endswith("！")
    assert all(_states(site).values())  # a template change re-renders but voids no approval


def test_adding_a_site_override_of_a_packaged_template_renders_again(base, tmp_path):
    site = _copy(base, tmp_path)
    write(site / "templates/wechat/article.html.j2", "<html><body><p>{{ story.title }}（改版）</p></body></html>")
    result = _build(site, site / "out")
    assert result.summary["wechat"].unchanged == 0
    assert "改版" in (site / "out/wechat/deeds/patrol/article.html").read_text(encoding="utf-8")


def _read_files(site: Path) -> dict[str, list[tuple[str, str]]]:
    """Each site file some rendition read -> the (story, channel) renditions that read it."""
    data = json.loads((site / "out/manifest.json").read_text(encoding="utf-8"))
    readers: dict[str, list[tuple[str, str]]] = {}
    for rendition in data["renditions"]:
        for key, digest in rendition["inputs"].items():
            if not key.startswith(PACKAGE) and digest != ABSENT:
                readers.setdefault(key, []).append((rendition["story"], rendition["channel"]))
    return readers


def _own_files(site: Path) -> dict[str, str]:
    """Each file that is part of a story's own content -> that story."""
    config, _ = load_config(site)
    stories, _ = read_site(site, config)
    return {p.relative_to(site).as_posix(): s.id for s in stories for p in [s.path, *s.files]}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_changing_one_byte_of_any_recorded_input_renders_its_renditions_again(base, tmp_path, data):
    site = _copy(base, tmp_path)
    readers = _read_files(site)
    own = _own_files(site)
    before = {(r["story"], r["channel"]): r["hash"]
              for r in json.loads((site / "out/manifest.json").read_text(encoding="utf-8"))["renditions"]}
    name = data.draw(st.sampled_from(sorted(readers)), label="file")
    path = site / name
    content = bytearray(path.read_bytes())
    offset = data.draw(st.integers(0, len(content) - 1), label="offset")
    content[offset] ^= data.draw(st.integers(1, 255), label="xor")
    path.write_bytes(bytes(content))

    _build(site, site / "out")
    after = {(r["story"], r["channel"]): r["hash"]
             for r in json.loads((site / "out/manifest.json").read_text(encoding="utf-8"))["renditions"]}
    for key in readers[name]:
        assert after.get(key) != before[key], f"{key} read {name} but was kept"
    # Everything else stays as it was (a story's own file is part of all its renditions' plan).
    untouched = {key for key in before if key not in readers[name] and key[0] != own.get(name)}
    assert all(after.get(key) == before[key] for key in untouched)
    if name in own:
        assert not _states(site).get(own[name], False), f"approval of {own[name]} survived a change to {name}"


def test_changing_a_file_no_rendition_read_renders_nothing(base, tmp_path):
    site = _copy(base, tmp_path)
    write(site / "templates/douyin/caption.txt.j2", "not used by weibo or wechat\n")
    write(site / "assets/images/unused.txt", "nobody reads this\n")
    Image.new("RGB", (10, 10), "blue").save(site / "assets/images/unused.png")
    result = _build(site, site / "out")
    assert sum(s.rendered for s in result.summary.values()) == 0
    assert all(_states(site).values())
