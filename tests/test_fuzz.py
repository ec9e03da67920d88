"""Hostile and broken input: every input yields a story or ``path:line:col: error: message``
diagnostics at a plausible position; never a traceback, never "internal error", within a time bound.

Property tests (hypothesis, derandomized: CI is reproducible) over front matter (YAML built from
recursive values, TOML, raw text mutations), Markdown bodies, config.toml and images, then
hand-written regression cases. Generators and the oracle live in tests/fuzzkit.py, shared with
benchmarks/bench_fuzz.py. Cases that fail today are ``xfail(strict=False)``: the suite stays
green and the list stays visible (``pytest -ra`` prints them).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
import sys
import time
import warnings
from pathlib import Path

import fuzzkit
import numpy as np
import pytest
from conftest import write
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from PIL import Image

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None, print_blob=False,
                phases=[Phase.explicit, Phase.generate],  # no shrinking: bounded time in CI
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
PER_EXAMPLE_SECONDS = 5.0


@pytest.fixture(scope="module")
def fsite(tmp_path_factory) -> fuzzkit.FuzzSite:
    """One reduced copy of the fixture site per module; each example resets it cheaply."""
    return fuzzkit.FuzzSite(tmp_path_factory.mktemp("fuzz") / "site")


@pytest.fixture(autouse=True)
def _quiet_pillow():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        yield


def assert_promise(site: fuzzkit.FuzzSite, what: object) -> fuzzkit.Outcome:
    outcome = fuzzkit.examine(site, limit=PER_EXAMPLE_SECONDS, hard=3 * PER_EXAMPLE_SECONDS)
    assert not outcome.problems, f"input: {fuzzkit.describe(what, 400)}\n{outcome}"
    assert outcome.seconds < PER_EXAMPLE_SECONDS
    return outcome


# --- strategies ----------------------------------------------------------------------------------------------

texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
control_texts = st.text(st.characters(max_codepoint=0x2030, exclude_categories=("Cs",)), max_size=12)
scalars = st.one_of(
    st.sampled_from(fuzzkit.SCALARS), texts, control_texts,
    st.integers(), st.integers(min_value=-(10**400), max_value=10**400),
    st.integers(1, 4000).map(lambda digits: int("9" * digits)),
    st.floats(allow_nan=True, allow_infinity=True), st.dates(),
    st.datetimes(timezones=st.none() | st.builds(dt.timezone, st.timedeltas(min_value=dt.timedelta(hours=-23),
                                                                             max_value=dt.timedelta(hours=23)))),
    st.booleans(), st.none())
keys = st.one_of(st.sampled_from(fuzzkit.REAL_KEYS), st.sampled_from(fuzzkit.ODD_KEYS), texts)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
                      max_leaves=12)
base_meta = st.fixed_dictionaries({}, optional={"title": scalars | st.just("坏故事"),
                                                "kind": st.sampled_from(["deed", "officer", "antifraud", "news"]),
                                                "date": st.dates() | scalars, "status": st.sampled_from(
                                                    ["ready", "draft", "READY", ""])})
metas = st.builds(lambda base, more: {**base, **more}, base_meta,
                  st.dictionaries(st.sampled_from(fuzzkit.REAL_KEYS) | keys, values, max_size=6))
bodies = st.lists(st.sampled_from(fuzzkit.BODY_PIECES) | texts, max_size=40).map("".join)


# --- properties ----------------------------------------------------------------------------------------------


@FUZZ
@given(meta=metas, style=st.sampled_from(["block", "flow", "raw"]), body=bodies)
def test_yaml_front_matter(fsite, meta, style, body):
    fsite.reset()
    front = {"block": lambda m: fuzzkit.dump_yaml(m, False), "flow": lambda m: fuzzkit.dump_yaml(m, True),
             "raw": fuzzkit.dump_yaml_raw}[style](meta)
    text = fuzzkit.story_text(front, body)
    fsite.write_story(text)
    assert_promise(fsite, text)


@FUZZ
@given(meta=metas, body=bodies)
def test_toml_front_matter(fsite, meta, body):
    fsite.reset()
    text = fuzzkit.story_text(fuzzkit.dump_toml(meta), body, toml=True)
    fsite.write_story(text)
    assert_promise(fsite, text)


@settings(FUZZ, max_examples=150)
@given(rng=st.randoms(use_true_random=False), seed=st.sampled_from([fuzzkit.KNOWN_STORY, fuzzkit.KNOWN_TOML_STORY]),
       count=st.integers(1, 6))
def test_mutated_story(fsite, rng, seed, count):
    fsite.reset()
    text = fuzzkit.mutate_text(rng, seed, count)
    fsite.write_story(text)
    assert_promise(fsite, text)


@FUZZ
@given(body=bodies)
def test_markdown_body(fsite, body):
    fsite.reset()
    text = fuzzkit.KNOWN_STORY.split("---\n\n", 1)[0] + "---\n\n" + body + "\n"
    fsite.write_story(text)
    assert_promise(fsite, text)


@settings(FUZZ, max_examples=100)
@given(rng=st.randoms(use_true_random=False))
def test_config_toml(fsite, rng):
    fsite.reset()
    data = fuzzkit.random_config(rng, fsite.config_text)
    fsite.write_config(data)
    assert_promise(fsite, data)


@FUZZ
@given(kind=st.sampled_from(fuzzkit.IMAGE_KINDS), where=st.sampled_from(["images", "body"]),
       rng=st.randoms(use_true_random=False))
def test_images(fsite, kind, where, rng):
    fsite.reset()
    suffix, data = fuzzkit.make_image(kind, rng)
    fsite.add_file(f"content/deeds/odd{suffix}", data)
    text = fuzzkit.KNOWN_STORY
    if where == "images":
        text = text.replace("images: [photo.png]", f"images: [odd{suffix}]")
    else:
        text = text.replace("![现场](photo.png)", f"![现场](odd{suffix})")
    fsite.write_story(text)
    assert_promise(fsite, f"{kind} {suffix} in {where}")


FORBIDDEN = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\ufffe", "\uffff", "\x9b"]
POSITIONED_STORY = """---
title: 民警帮走失老人回家
kind: deed
date: 2021-04-08
summary: 情指中心协助派出所找回走失群众17人。
topics: [平安测试]
status: ready
extra: {备注: 老人姓李}
---

正文。
"""


@settings(FUZZ, max_examples=40)
@given(line=st.integers(2, 8), data=st.data(), ch=st.sampled_from(FORBIDDEN))
def test_forbidden_character_reported_where_it_is(fsite, line, data, ch):
    """A character YAML refuses is reported at its own line and column."""
    fsite.reset()
    lines = POSITIONED_STORY.split("\n")
    text_line = lines[line - 1]
    col = data.draw(st.integers(text_line.index(":") + 2, len(text_line)), label="col")
    lines[line - 1] = text_line[:col - 1] + ch + text_line[col - 1:]
    text = "\n".join(lines)
    fsite.write_story(text)
    outcome = fuzzkit.examine(fsite, cli=False)
    assert not outcome.problems, outcome
    wanted = f"fuzz.md:{line}:{col}: error:"
    assert any(wanted in d for d in outcome.diagnostics), (fuzzkit.describe(text), wanted, outcome.diagnostics)


@pytest.mark.xfail(strict=False, reason="YAML counts U+2028, U+2029 and U+0085 as line breaks: every later "
                                        "position is shifted")
@settings(FUZZ, max_examples=20)
@given(sep=st.sampled_from(["\u2028", "\u2029", "\u0085"]), quoted=st.booleans())
def test_positions_after_unicode_line_separators(fsite, sep, quoted):
    fsite.reset()
    title = f'"民警{sep}回家"' if quoted else f"民警{sep}回家"
    text = f"---\ntitle: {title}\nkind: deed\ndate: 2021-04-08\nauthor: 张三\n---\n\n正文。\n"
    fsite.write_story(text)
    outcome = fuzzkit.examine(fsite, cli=False)
    assert not outcome.problems, outcome
    assert any("fuzz.md:5:1: error: unknown key 'author'" in d for d in outcome.diagnostics) or any(
        "fuzz.md:2:" in d for d in outcome.diagnostics), outcome.diagnostics


# --- regression cases ----------------------------------------------------------------------------------------

BASE = "title: 坏故事\nkind: deed\ndate: 2021-04-01\nstatus: ready"


def story(site: Path, front: str, body: str = "正文。", name: str = "bad.md") -> Path:
    return write(site / "content/deeds" / name, f"---\n{front}\n---\n\n{body}\n")


def check(cli, site: Path, *extra: str, command: str = "check"):
    started = time.perf_counter()
    run = cli(command, "--site", "site", *extra, cwd=site.parent)
    run.seconds = time.perf_counter() - started
    assert "Traceback" not in run.err and "internal error" not in run.err, run.err
    return run


def reported_at(run, where: str, message: str = "") -> bool:
    return any(line.startswith(where) and message in line for line in run.err.splitlines())


def assert_error_at(run, where: str, message: str = "") -> None:
    assert run.code == 1, (run.code, run.err)
    assert reported_at(run, where, message), run.err
    for line in run.err.splitlines():
        assert fuzzkit.DIAGNOSTIC.match(line), line


YAML_CASES = [
    ("date-feb-30", BASE.replace("2021-04-01", "2021-02-30"), 4),
    ("date-year-0", BASE.replace("2021-04-01", "0000-01-01"), 4),
    ("time-25-61", BASE + "\npublish_after: 2021-04-08 25:61:00", 6),
    ("offset-99", BASE + "\npublish_after: 2021-04-08 10:00+99:00", 6),
    ("float-tag", BASE + "\nsummary: !!float x", 6),
    ("int-tag", BASE + "\nsummary: !!int x", 6),
    ("bool-tag", BASE + "\nurgent: !!bool maybe", 6),
    ("timestamp-tag", BASE + "\npublish_after: !!timestamp nope", 6),
    ("python-tag", BASE + "\nsummary: !!python/object/apply:os.system [id]", 6),
    ("int-4400-digits", BASE + "\nsummary: " + "9" * 4400, 6),
    ("float-4400-digits", BASE + "\nsummary: 0." + "9" * 4400, 6),
    ("recursive-alias", BASE + "\npii: &a [1, *a]", 6),
    ("nested-500", BASE + "\nextra:\n  a: " + "[" * 500 + "]" * 500, 7),
    ("nested-500-block", BASE + "\nextra:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(500)), None),
    ("duplicate-status", BASE.replace("status: ready", "status: draft\nstatus: ready"), 6),
    ("duplicate-nested", BASE + "\nofficer: {name: 王五, name: 李四}", 6),
    ("full-width-colon", BASE + "\nsummary：好", 6),
    ("tab-indent", BASE + "\n\tsummary: x", 6),
    ("lone-dash", BASE + "\n-", 6),
]


def billion_laughs() -> str:
    lines = ["extra:", '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(7):
        prev, name = chr(97 + i), chr(98 + i)
        lines.append(f"  {name}: &{name} [{','.join('*' + prev for _ in range(9))}]")
    return BASE + "\n" + "\n".join(lines)


YAML_CASES.append(("billion-laughs", billion_laughs(), 7))


@pytest.mark.parametrize(("front", "line"), [
    pytest.param(*case.values[1:], marks=case.marks, id=case.values[0]) if hasattr(case, "values")
    else pytest.param(case[1], case[2], id=case[0]) for case in YAML_CASES])
def test_yaml_regression(site, cli, front, line):
    story(site, front)
    run = check(cli, site)
    assert run.seconds < 5
    assert_error_at(run, f"site/content/deeds/bad.md:{line}:" if line else "site/content/deeds/bad.md:")


def test_duplicate_key_is_an_error_not_the_last_one_wins(site, cli):
    story(site, BASE.replace("status: ready", "status: draft\nstatus: ready"))
    assert_error_at(check(cli, site), "site/content/deeds/bad.md:6:1", "duplicate key 'status'")


def test_control_character_reported_at_its_own_line(site, cli):
    story(site, "title: 坏故事\nkind: deed\ndate: 2021-04-01\nsummary: a\x07b\nstatus: ready")
    assert_error_at(check(cli, site), "site/content/deeds/bad.md:5:11", "U+0007")


def test_control_character_ascii_only(site, cli):
    story(site, "title: bad\nkind: deed\ndate: 2021-04-01\nsummary: a\x07b\nstatus: ready")
    assert_error_at(check(cli, site), "site/content/deeds/bad.md:5:11", "U+0007")


def test_full_width_colon_reported_at_its_own_line(site, cli):
    story(site, BASE + "\nsummary：好\ntopics: [a]")
    assert_error_at(check(cli, site), "site/content/deeds/bad.md:6:")


@pytest.mark.xfail(strict=False, reason="YAML treats U+2028/U+2029/U+0085 as line breaks: positions of every "
                                        "later key are one line too far down (frontmatter.py marks)")
def test_line_separator_in_a_quoted_title_does_not_shift_positions(site, cli):
    story(site, 'title: "坏\u2028故事"\nkind: deed\ndate: 2021-04-01\nstatus: ready\nauthor: 张三')
    assert_error_at(check(cli, site), "site/content/deeds/bad.md:6:1", "unknown key 'author'")


def test_toml_integer_over_4300_digits(site, cli):
    write(site / "content/deeds/bad.md", '+++\ntitle = "坏"\nkind = "deed"\ndate = 2021-04-01\nsummary = '
          + "9" * 5000 + "\n+++\n\n正文。\n")
    assert_error_at(check(cli, site), "site/content/deeds/bad.md:5:")


def test_toml_nested_3000_levels(site, cli):
    write(site / "content/deeds/bad.md", '+++\ntitle = "坏"\nkind = "deed"\ndate = 2021-04-01\nextra = {a = '
          + "[" * 3000 + "]" * 3000 + "}\n+++\n\n正文。\n")
    assert_error_at(check(cli, site), "site/content/deeds/bad.md:5:")


@pytest.mark.parametrize("body", [pytest.param("[" * 16000, id="16000-brackets"),
                                  pytest.param("> " * 8000, id="8000-quotes"),
                                  pytest.param("![" * 1500, id="1500-image-openers"),
                                  "[x]" * 3000 + "(", "*" * 16000, "<" * 16000, "&" * 16000,
                                  "`" * 16000, "[^1]" * 4000, "_a" * 8000])
def test_body_of_repeated_markup_is_fast(site, cli, body):
    story(site, BASE, body=body)
    started = time.perf_counter()
    try:
        with fuzzkit.hard_limit(2.5):
            run = cli("check", "--site", "site", cwd=site.parent)
    except fuzzkit.CaseTimeout:
        pytest.fail(f"check still running after {time.perf_counter() - started:.1f}s")
    assert time.perf_counter() - started < 2
    assert run.code in (0, 1) and "Traceback" not in run.err


@pytest.mark.parametrize("name_length", [300, 5000])
@pytest.mark.parametrize("where", ["images", "body"])
def test_very_long_image_name(site, cli, name_length, where):
    name = "a" * name_length + ".png"
    if where == "images":
        story(site, BASE + f"\nimages: [{name}]")
    else:
        story(site, BASE, body=f"![x]({name})")
    assert_error_at(check(cli, site), "site/content/deeds/bad.md:6:" if where == "images"
                    else "site/content/deeds/bad.md:8:", "not found")


def test_absolute_and_parent_image_paths_are_refused(site, cli):
    story(site, BASE + "\nimages: [/etc/passwd, ../../../config.toml]", body="![x](/etc/hostname)")
    run = check(cli, site)
    assert_error_at(run, "site/content/deeds/bad.md:6:10", "outside the site")
    assert reported_at(run, "site/content/deeds/bad.md:9:", "outside the site")


@pytest.mark.parametrize("kind", ["huge-1bit", "huge-header"])
def test_20000_square_png(site, cli, kind):
    _, data = fuzzkit.make_image(kind)
    (site / "content/deeds/huge.png").write_bytes(data)
    story(site, BASE + "\nimages: [huge.png]")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        run = check(cli, site)
    assert run.seconds < 5
    assert_error_at(run, "site/content/deeds/bad.md:6:10")


def test_truncated_jpeg_reported_by_check(site, cli):
    buf = Image.frombytes("RGB", (256, 256), bytes(range(256)) * 768)
    buf.save(site / "full.jpg", "JPEG", quality=95)
    data = (site / "full.jpg").read_bytes()
    (site / "full.jpg").unlink()
    (site / "content/deeds/cut.jpg").write_bytes(data[: len(data) * 2 // 3])
    story(site, BASE + "\nimages: [cut.jpg]")
    assert_error_at(check(cli, site), "site/content/deeds/bad.md:6:10", "cut.jpg")


@pytest.mark.parametrize("kind", ["i16", "i", "la", "p-transparent", "cmyk-jpeg", "1x1", "gif", "webp", "bmp",
                                  "exif-rotated"])
def test_odd_image_modes_check_and_open(site, cli, kind):
    suffix, data = fuzzkit.make_image(kind)
    (site / f"content/deeds/odd{suffix}").write_bytes(data)
    story(site, BASE + f"\nimages: [odd{suffix}]")
    run = check(cli, site)
    assert run.code == 0, run.err
    from publisher.render import photos

    assert photos.cover(site / f"content/deeds/odd{suffix}", (50, 40)).mode == "RGB"


def test_sixteen_bit_grayscale_photo_is_not_white_on_the_weibo_card(site, cli):
    image = Image.new("I;16", (300, 400))
    image.putdata([20000 + (i % 300) * 20 for i in range(300 * 400)])  # mid grey, a gentle ramp
    image.save(site / "content/officers/wang-wu/photo.png")
    run = cli("build", "--site", "site", "--out", "out", "--channel", "weibo", "--jobs", "1", cwd=site.parent)
    assert run.code == 0, run.err
    folder = site.parent / "out/weibo/officers/wang-wu"
    post = json.loads((folder / "post.json").read_text(encoding="utf-8"))
    card = next(c for c in post["cards"] if any(b["role"] == "photo" for b in c["boxes"]))
    box = next(b for b in card["boxes"] if b["role"] == "photo")
    pixels = np.asarray(Image.open(folder / card["file"]).convert("L"))[
        box["y"]:box["y"] + box["height"], box["x"]:box["x"] + box["width"]]
    assert pixels.mean() < 200, f"photo area mean {pixels.mean():.0f}: the 16-bit photo came out white"
    assert pixels.std() > 1, "the photo's ramp was flattened"


@pytest.mark.parametrize("ch", ["\u2028", "\u2029", "\u1680", "\u0085", "\u000b", "\u001f", "\u200b"])
def test_unicode_separators_in_a_title_are_not_tofu(site, cli, ch):
    """Either check reports the character, or it is drawn as nothing (not an empty box)."""
    from PIL import ImageDraw

    from publisher.render import fonts, textbox

    write(site / "content/deeds/bad.md", f'+++\ntitle = "坏{json.dumps(ch)[1:-1]}故事"\nkind = "deed"\n'
          f'date = 2021-04-01\nstatus = "ready"\nchannels = ["weibo"]\n+++\n\n正文。\n')
    run = check(cli, site)
    if run.code == 1 and reported_at(run, "site/content/deeds/bad.md:2:", f"U+{ord(ch):04X}"):
        return
    assert run.code == 0, run.err

    def ink(text: str) -> int:  # drawn the way cards draw titles
        box = textbox.Box(0, 0, 800, 300)
        canvas = Image.new("L", (800, 300), 0)
        textbox.draw(ImageDraw.Draw(canvas), textbox.layout(text, box, 64), 255)
        return int((np.asarray(canvas) > 128).sum())

    assert ink(f"坏{ch}故事") <= max(ink("坏故事"), ink("坏 故事")) or ord(ch) in fonts.coverage("zh-Hans"), (
        f"U+{ord(ch):04X} is drawn as an empty box and check does not say so")


# --- config.toml -------------------------------------------------------------------------------------------


LED = '\n[channels.led]\ntype = "led"\n{led}\n\n[[screens]]\nname = "gate"\nwidth = 192\nheight = 96\n{screen}\n'


def config_case(site: Path, text: str = "", led: str = "", screen: str = "", replace: tuple[str, str] | None = None):
    config = (site / "config.toml").read_text(encoding="utf-8")
    if replace:
        assert replace[0] in config
        config = config.replace(*replace)
    if led or screen:
        config += LED.format(led=led, screen=screen)
    (site / "config.toml").write_text(config + text, encoding="utf-8")


def assert_config_error(run, key: str) -> None:
    assert run.code == 2, (run.code, run.err)
    lines = run.err.splitlines()
    assert lines and all(fuzzkit.DIAGNOSTIC.match(line) for line in lines), run.err
    assert any(key in line for line in lines), run.err


def test_non_utf8_config(site, cli):
    data = (site / "config.toml").read_bytes().replace("测试分局".encode(), "测试分局".encode("gbk"))
    (site / "config.toml").write_bytes(data)
    run = check(cli, site)
    assert run.code == 2 and fuzzkit.DIAGNOSTIC.match(run.err.splitlines()[0]), run.err
    assert "config.toml:1:" in run.err


def test_config_integer_over_4300_digits(site, cli):
    config_case(site, replace=("limit = 300", "limit = " + "9" * 5000))
    assert_config_error(check(cli, site), "config.toml:")


def test_theme_background_not_a_colour(site, cli):
    config_case(site, "\n[theme]\nbackground = \"notacolor\"\n")
    assert_config_error(check(cli, site), "theme.background")


def test_led_idle_text_emoji(site, cli):
    config_case(site, led='idle_text = "😀"')
    assert_config_error(check(cli, site), "idle_text")


def test_screen_slide_seconds_inf(site, cli):
    config_case(site, screen="slide_seconds = inf")
    assert_config_error(check(cli, site), "slide_seconds")


def test_screen_slide_seconds_nan(site, cli):
    config_case(site, screen="slide_seconds = nan")
    assert_config_error(check(cli, site), "slide_seconds")


def test_screen_min_text_over_the_screen(site, cli):
    config_case(site, screen="min_text = 5000")
    assert_config_error(check(cli, site), "min_text")


@pytest.mark.parametrize(("key", "value"), [("limit", "-1"), ("limit", "inf"), ("max_cards", "0"),
                                            ("card_width", "1e9"), ("topics", "3"), ("account", "[]")])
def test_weibo_config_wrong_values(site, cli, key, value):
    config_case(site, f"\n[channels.weibo]\n{key} = {value}\n", replace=("[channels.weibo]", "[channels.weibo0]"))
    run = check(cli, site)
    assert run.code == 2, run.err
    assert all(fuzzkit.DIAGNOSTIC.match(line) for line in run.err.splitlines()), run.err


# --- the ledger and the CLI ------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["check"], ["review", "list"], ["status"],
                                     ["build", "--channel", "weibo", "--out", "out", "--jobs", "1"]])
def test_corrupt_ledger(site, cli, command):
    ledger = site / ".publisher/ledger.sqlite"
    ledger.parent.mkdir(parents=True, exist_ok=True)
    ledger.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 16)
    run = cli(command[0], "--site", "site", *command[1:], cwd=site.parent)
    assert "Traceback" not in run.err and "internal error" not in run.err, run.err
    assert run.code in (0, 1, 2), run.err
    if run.code == 2:
        assert "ledger" in run.err, run.err


def test_serve_port_out_of_range_exits_2_quickly(site):
    started = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-m", "publisher", "serve", "--site", str(site), "--port", "99999",
                               "--out", str(site.parent / "out")],
                              capture_output=True, text=True, timeout=20, cwd=site.parent)
    except subprocess.TimeoutExpired:
        pytest.fail("publisher serve --port 99999 still running after 20 s")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "port" in proc.stderr, proc.stderr
    assert time.perf_counter() - started < 20


def test_fuzz_site_baseline_is_clean(fsite):
    """The oracle itself: the known story passes without problems."""
    fsite.reset()
    outcome = fuzzkit.examine(fsite)
    assert not outcome.problems, outcome
    assert not any(": error:" in d for d in outcome.diagnostics), outcome.diagnostics


def test_generators_are_deterministic():
    import random

    first = [fuzzkit.random_story(random.Random(n)) for n in range(20)]
    assert first == [fuzzkit.random_story(random.Random(n)) for n in range(20)]
    assert math.isnan(float(fuzzkit.toml_value(math.nan)))
