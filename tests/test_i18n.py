"""Messages in the team's language: how it is chosen, the CLI in Chinese, and catalogs that keep up with
the code (every wrapped message translated, compiled catalogs up to date)."""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, Run, write

from publisher import i18n
from publisher.cli import main
from publisher.errors import Diagnostic
from publisher.i18n import _, choose_language, ngettext

babel = pytest.importorskip("babel", reason="the catalog tests need Babel (pip install -e '.[test]')")


def _catalogs():
    spec = importlib.util.spec_from_file_location("catalogs", REPO / "tools" / "catalogs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


catalogs = _catalogs()


# --- choosing the language -------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "environ", "site", "expected"), [
    (None, {}, None, "en"),                                              # nothing said: English
    (None, {}, "zh-Hans", "zh_Hans"),                                    # the site's language
    (None, {}, "zh-Hant", "zh_Hans"),                                    # nearest catalog we have
    (None, {"LANG": "zh_CN.UTF-8"}, None, "zh_Hans"),
    (None, {"LANG": "en_US.UTF-8"}, "zh-Hans", "en"),                    # the environment beats the site
    (None, {"LANG": "C"}, "zh-Hans", "zh_Hans"),                         # C names no language: the site decides
    (None, {"LANG": "POSIX"}, None, "en"),
    (None, {"LANG": "C.UTF-8"}, None, "en"),
    (None, {"LANG": "fr_FR.UTF-8"}, "zh-Hans", "zh_Hans"),               # a language we do not have: skipped
    (None, {"LANGUAGE": "fr:zh_CN:en", "LANG": "en_US"}, None, "zh_Hans"),  # LANGUAGE first, its first known entry
    (None, {"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, None, "en"),  # LC_ALL outranks LANG
    (None, {"LC_MESSAGES": "zh_CN", "LANG": "en_US"}, None, "zh_Hans"),
    (None, {"PUBLISHER_LANG": "en", "LANG": "zh_CN.UTF-8"}, "zh-Hans", "en"),  # tests and CI pin it
    ("en", {"LANG": "zh_CN.UTF-8"}, "zh-Hans", "en"),                    # --lang beats everything
    ("en", {"PUBLISHER_LANG": "zh_Hans"}, None, "en"),
    ("zh-Hans", {"LANG": "en_US"}, None, "zh_Hans"),
    ("zh_CN", {}, None, "zh_Hans"),
    ("zh-CN", {}, None, "zh_Hans"),
    ("zh", {}, None, "zh_Hans"),
    ("en_US", {}, "zh-Hans", "en"),
    ("klingon", {"LANG": "zh_CN"}, None, "zh_Hans"),                     # not a language: the next one decides
])
def test_language_choice_precedence(lang, environ, site, expected):
    assert choose_language(lang, environ, site) == expected


def test_set_language_reaches_child_processes(chinese):
    assert os.environ["PUBLISHER_LANG"] == "zh_Hans"
    code = "from publisher.i18n import _; print(_('interrupted'))"  # fresh process: reads PUBLISHER_LANG
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(REPO)}).stdout
    assert out.strip() == "已中断"


def test_gettext_functions(chinese):
    assert _("interrupted") == "已中断"
    assert _("no such message, left as it is") == "no such message, left as it is"
    assert _("") == ""
    assert ngettext("{n} story", "{n} stories", 3).format(n=3) == "3 stories"  # untranslated: English plural
    i18n.set_language("en")
    assert _("interrupted") == "interrupted"


# --- the CLI in Chinese ------------------------------------------------------------------------------

@pytest.fixture
def say(capsys, monkeypatch):
    """Run ``publisher ARGS`` in-process, --help and argparse's exits included; returns code, stdout, stderr."""

    def run(*args, cwd: Path | None = None) -> Run:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def test_help_in_chinese_for_a_chinese_site(site, say, monkeypatch):
    monkeypatch.delenv("PUBLISHER_LANG")
    monkeypatch.setenv("LANG", "C")  # a server's locale: names no language, the site (zh-Hans) decides
    monkeypatch.delenv("LANGUAGE", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    run = say("--help", cwd=site)
    assert run.code == 0
    run = run
    assert run.out.startswith("用法：publisher")
    assert "选项：" in run.out and "显示本帮助并退出" in run.out
    assert "把待发稿件生成到各个渠道" in run.out and "稿件" in run.out
    assert "usage:" not in run.out and "options:" not in run.out


def test_subcommand_help_and_argparse_errors_in_chinese(site, say, chinese):
    run = say("check", "--help", "--site", site)
    assert "检查 config.toml 和每篇稿件" in run.out
    run = say("resolve", "--site", site)
    assert run.code == 2
    assert "publisher resolve：错误：缺少必填参数：delivery" in run.err
    run = say("build", "--date", "tomorrow", "--site", site)
    assert "'tomorrow' 不是日期" in run.err


def test_lang_option_and_environment_give_english(site, say, monkeypatch):
    monkeypatch.delenv("PUBLISHER_LANG")
    run = say("--lang", "en", "--help", cwd=site)  # a zh-Hans site, --lang en
    assert run.out.startswith("usage: publisher")
    assert "show this help message and exit" in run.out
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    run = say("check", "--help", "--site", site)
    assert "Validate config.toml" in run.out
    monkeypatch.setenv("LANG", "C")
    run = say("--help", cwd=site.parent)  # no site here: English
    assert run.out.startswith("usage: publisher")
    run = say("check", "--lang=zh-CN", "--help", "--site", site)  # after the command, spelled as a locale
    assert run.out.startswith("用法：publisher check")


def test_unknown_lang_is_a_usage_error(site, say):
    run = say("check", "--lang", "fr", "--site", site)
    assert run.code == 2
    assert "'fr' is not a language publisher speaks" in run.err


def test_check_in_chinese_keeps_the_english_prefix(site, say, chinese):
    write(site / "config.toml", "name = \n")  # a config error: path:line:col: error: …
    run = say("check", "--site", site)
    assert run.code == 2
    line = run.err.strip().splitlines()[0]
    assert line.startswith(f"{site / 'config.toml'}:1:")
    assert ": error: " in line
    assert str(Diagnostic("a.md", 8, 26, _("interrupted"))) == "a.md:8:26: error: 已中断"
    assert str(Diagnostic("a.md", 1, 1, "x", "warning")).startswith("a.md:1:1: warning: ")


def test_check_summary_in_chinese(site, say, chinese):
    run = say("check", "--site", site)
    assert "已检查" in run.out and "篇稿件" in run.out
    assert "checked" not in run.out


def test_build_errors_in_chinese(site, say, chinese):
    run = say("build", "--site", site, "--jobs", "0")
    assert run.code == 2 and run.err.strip().startswith("错误：--jobs 须在 1 到")
    run = say("build", "--site", site, "--channel", "nowhere")
    assert "错误：没有渠道 'nowhere'" in run.err


# --- the catalogs ------------------------------------------------------------------------------------

def test_every_wrapped_message_has_a_chinese_translation():
    """Extracts every ``_()``/``ngettext()``/``N_()`` message from publisher/ (babel.cfg) and fails on any
    without a non-empty, non-fuzzy translation with the same placeholders in its area's catalog."""
    templates = catalogs.extract()
    assert len(templates["publisher"]) > 40  # the extraction really ran over cli.py
    problems = [p for domain, template in templates.items() for p in catalogs.problems(domain, template)]
    assert not problems, "untranslated messages (python tools/catalogs.py update; translate; compile):\n" + \
        "\n".join(problems)


def test_compiled_catalogs_are_up_to_date():
    """Each shipped .mo is exactly what its .po compiles to (run: python tools/catalogs.py compile)."""
    folder = i18n.LOCALE_DIR / i18n.CHINESE / "LC_MESSAGES"
    pos = sorted(folder.glob("*.po"))
    assert {p.stem for p in pos} >= {*i18n.DOMAINS, i18n.ARGPARSE_DOMAIN}
    stale = [p.with_suffix(".mo").name for p in pos
             if not p.with_suffix(".mo").is_file() or p.with_suffix(".mo").read_bytes() != catalogs.compiled(p)]
    assert not stale, f"compile the catalogs: python tools/catalogs.py compile ({', '.join(stale)} stale)"


def test_argparse_words_are_translated():
    """argparse's own messages, as this Python has them, all have a Chinese translation."""
    import argparse

    from babel.messages.extract import extract_from_file

    catalog = catalogs.read(catalogs.po_path(i18n.ARGPARSE_DOMAIN))
    missing = []
    for _line, message, _comments, _context in extract_from_file("python", argparse.__file__):
        entry = catalog.get(message)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(message)
    assert not missing, f"translate these in {catalogs.po_path(i18n.ARGPARSE_DOMAIN)}: {missing}"


def _modules() -> list[Path]:
    return sorted((REPO / "publisher").rglob("*.py"))


def test_wrapped_messages_are_literals():
    """``_(f"…")`` or ``_(variable)`` cannot be extracted (and so is never translated); N_ constants are
    translated with ``_(CONSTANT)`` where shown, so a name is allowed there but not an f-string or a format."""
    bad = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("N_", "ngettext"):
                args = node.args[:2] if node.func.id == "ngettext" else node.args[:1]
                if not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args):
                    bad.append(f"{path.relative_to(REPO)}:{node.lineno}")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"
                    and node.args and isinstance(node.args[0], (ast.JoinedStr, ast.BinOp, ast.Call))):
                bad.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not bad, f"a message must be a literal string, values via .format(): {bad}"


def test_underscore_is_not_reused_where_it_translates():
    """A module that imports ``_`` must not also use ``_`` as a throwaway name (``x, _ = …`` would hide the
    translation function in that scope): write ``x, _unused = …``."""
    bad = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imports = any(isinstance(n, ast.ImportFrom) and n.module == "publisher.i18n" and
                      any(a.name == "_" and a.asname is None for a in n.names) for n in ast.walk(tree))
        if imports:
            bad += [f"{path.relative_to(REPO)}:{n.lineno}" for n in ast.walk(tree)
                    if isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store)]
    assert not bad, f"`_` is the translation function here; rename the throwaway variable: {bad}"


# --- the remaining commands, each once in Chinese ------------------------------------------------

def test_preview_summary_in_chinese(site, say, chinese, tmp_path):
    run = say("preview", "--site", site, "--out", tmp_path / "out")
    assert run.code == 0
    assert "微博：渲染" in run.out and "rendered" not in run.out


def test_backup_in_chinese(site, say, chinese, tmp_path):
    run = say("review", "--site", site, "deeds/found-elderly", "approve", "--stage", "初审", "--by", "李编辑")
    assert run.code == 0
    run = say("backup", "--site", site, tmp_path)
    assert run.code == 0 and "台账已备份到" in run.out
    run = say("backup", "--site", site, site / "content/deeds/found-elderly.md")
    assert run.code == 2 and "已存在" in run.err


def test_serve_and_run_refusals_in_chinese(site, say, chinese):
    run = say("serve", "--site", site, "--port", "99999")
    assert run.code == 2 and "端口" in run.err
    config = site / "config.toml"
    extra = '\n[channels.weibo2]\ntype = "weibo"\nschedule = "someday"\n'
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    run = say("run", "--site", site)
    assert run.code == 2 and "schedule" in run.err and "error: " in run.err
    message = run.err.split("error: ", 1)[1]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)


def test_daemon_log_lines_in_chinese(site, chinese, capsys):
    import logging

    from publisher.cli.common import log_to_stderr

    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers.clear()
    try:
        log_to_stderr()
        logging.getLogger("publisher").warning("x")
        assert " 警告 x" in capsys.readouterr().err
    finally:
        root.handlers[:] = saved


def test_slots_and_schedules_accept_chinese_weekdays():
    from publisher.timing import parse_schedule, parse_slot

    assert parse_slot("周一 10:00") == parse_slot("mon 10:00") == parse_slot("星期一 10：00") == parse_slot("周一10:00")
    assert parse_schedule("每天 05:30") == parse_schedule("daily 05:30")
    assert parse_schedule("每周一 09:00") == parse_schedule("monday 09:00")
