from conftest import write


def test_site_template_overrides_the_packaged_one(site, cli):
    write(site / "templates/weibo/post.txt.j2", "{{ story.title }}|{{ account }}\n")
    run = cli("build", "--site", site, "--out", site / "out", "--channel", "weibo")
    assert run.code == 0, run.err
    assert (site / "out/weibo/deeds/found-elderly/post.txt").read_text(encoding="utf-8") == \
        "民警帮走失老人回家|测试公安在线\n"


def test_unknown_variable_names_template_and_line(site, cli):
    write(site / "templates/weibo/post.txt.j2", "{{ story.title }}\n{{ no_such_thing }}\n")
    run = cli("build", "--site", site, "--out", site / "out", "--channel", "weibo")
    assert run.code == 1
    assert "templates/weibo/post.txt.j2:2: template error: 'no_such_thing' is undefined" in run.err
    assert "Traceback" not in run.err


def test_template_syntax_error(site, cli):
    write(site / "templates/weibo/post.txt.j2", "{% if %}\n")
    run = cli("build", "--site", site, "--out", site / "out", "--channel", "weibo")
    assert run.code == 1 and "post.txt.j2:1: template error" in run.err


def test_html_templates_autoescape(site, cli):
    write(site / "content/deeds/escape.md",
          "---\ntitle: 标题\nkind: deed\ndate: 2021-04-01\nstatus: ready\nchannels: [wechat]\n"
          "summary: 'a <b>b</b> & c'\n---\n\n正文\n")
    run = cli("build", "--site", site, "--out", site / "out", "--channel", "wechat")
    assert run.code == 0, run.err
    html = (site / "out/wechat/deeds/escape/article.html").read_text(encoding="utf-8")
    assert "a &lt;b&gt;b&lt;/b&gt; &amp; c" in html


def test_templates_get_html_and_plain_text(site, cli):
    write(site / "templates/weibo/post.txt.j2", "{{ body_text }}\n---\n{{ body_html }}\n")
    run = cli("build", "--site", site, "--out", site / "out", "--channel", "weibo")
    assert run.code == 0
    text = (site / "out/weibo/antifraud/fake-police/post.txt").read_text(encoding="utf-8")
    plain, html = text.split("---")
    assert "<strong>不听、不信、不转账</strong>" in html
    assert "不听、不信、不转账" in plain and "<" not in plain and "**" not in plain
