"""The review server's web application (Starlette): sign-in, 待我审核, a story as it goes out, and
approve / reject / withdraw, each decided by :mod:`publisher.safety.access` and recorded with the
content hash the reviewer's page showed.

Routes: ``GET /`` (sign-in form, or the stories waiting for me), ``POST /login``, ``POST /logout``,
``GET /story/<id>``, ``POST /decide/<id>``, ``GET /out/<file>`` (the output folder, signed in only),
``GET /static/<file>``. Nothing changes on a GET; every POST carries the session's form token.
Blocking work (Argon2, SQLite, reading the site, rendering) runs in worker threads.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from publisher import ledger as ledgers
from publisher.config import SiteConfig
from publisher.i18n import _
from publisher.preview import KIND_NAMES, story_views
from publisher.preview import fonts as preview_fonts
from publisher.publish.daemon import clock_from_environment
from publisher.publish.runner import Publisher
from publisher.render import templates
from publisher.safety import access, accounts, audit, review
from publisher.web import security
from publisher.web.pages import ReviewSite

STATIC = {
    "review.css": Path(__file__).parent / "static" / "review.css",
    "preview.css": templates.PACKAGE_TEMPLATES / "preview" / "preview.css",
}
ROLES = {"victim": "受害人", "witness": "证人", "minor": "未成年人", "suspect": "嫌疑人", "public": "群众",
         "pii": "个人信息"}
EVENTS = {"approve": "通过", "reject": "驳回", "withdraw": "撤稿"}
NOTE_LIMIT = 500
"""The longest note a decision takes (characters)."""
FAILED_SIGN_INS_PER_MINUTE = 10
"""Failed sign-ins one address may make in a minute; then it waits (each account also locks after five)."""


class ReviewApp:
    def __init__(self, site: Path, config: SiteConfig, out: Path, secure_cookies: bool = False):
        self.site = ReviewSite(site, config, out)
        self.secure_cookies = secure_cookies or config.review_server.secure_cookies
        self.failed_sign_ins = security.RateLimit(FAILED_SIGN_INS_PER_MINUTE, 60)
        self._local = threading.local()
        # The packaged templates only (review pages and the channels' preview partials), so not sandboxed:
        # the sandbox guards against a site's own templates, and costs a third of a page's time.
        self.pages = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates.PACKAGE_TEMPLATES)),
                                        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                                        lstrip_blocks=True, keep_trailing_newline=True)

    @property
    def config(self) -> SiteConfig:
        return self.site.config

    @property
    def fonts(self) -> Path:
        """The preview's subsets of the bundled font (not secret: served without signing in)."""
        return self.site.out / "preview" / "fonts"

    def font_css(self) -> str:
        """The pages' Chinese font, as the preview has it (phones have their own; a bare browser does not)."""
        base = preview_fonts.BASE_NAME
        names = sorted((p.name for p in self.fonts.glob("*.otf")), key=lambda name: (name != base, name))
        return (preview_fonts.css(names, "/fonts/") + "\nbody { font-family: " + preview_fonts.family(names)
                + ', "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; }\n')

    def ledger(self) -> sqlite3.Connection:
        """This worker thread's connection (SQLite connections stay in the thread that made them)."""
        connection = getattr(self._local, "ledger", None)
        if connection is None:
            connection = ledgers.connect(self.site.site, self.config)
            self._local.ledger = connection
        return connection

    # -- helpers -----------------------------------------------------------------------------
    def render(self, name: str, status: int = 200, **context) -> HTMLResponse:
        page = self.pages.get_template(f"review/{name}").render(site=self.config, kinds=KIND_NAMES, **context)
        return HTMLResponse(page, status_code=status)

    def session(self, request: Request) -> accounts.Session | None:
        return accounts.session(self.ledger(), self.config.review_server,
                                request.cookies.get(security.SESSION_COOKIE, ""))

    def secure(self, request: Request) -> bool:
        return self.secure_cookies or request.url.scheme == "https"

    @staticmethod
    def ip(request: Request) -> str:
        return request.client.host if request.client else ""

    def problem(self, status: int, message: str, signed: accounts.Session | None = None,
                back: str = "/") -> HTMLResponse:
        return self.render("problem.html.j2", status=status, message=message, user=signed and signed.user,
                           csrf=signed and signed.csrf, back=back)

    # -- pages -------------------------------------------------------------------------------
    def home(self, request: Request) -> Response:
        signed = self.session(request)
        if signed is None:
            return self.sign_in_form(request)
        person = access.web_person(signed.user, self.ip(request))
        mine, others = self.site.waiting_for(self.ledger(), person)
        return self.render("queue.html.j2", user=signed.user, csrf=signed.csrf, mine=mine, others=others)

    def sign_in_form(self, request: Request, message: str = "", status: int = 200) -> Response:
        token = security.new_token()
        response = self.render("signin.html.j2", status=status, csrf=token, message=message, user=None)
        response.set_cookie(security.SIGN_IN_COOKIE, token, **security.cookie_options(self.secure(request)))
        return response

    def story(self, request: Request) -> Response:
        signed = self.session(request)
        if signed is None:
            return RedirectResponse("/", status_code=303)
        person = access.web_person(signed.user, self.ip(request))
        page = self.site.page(self.ledger(), person, request.path_params["story"])
        if page is None:
            return self.problem(404, _("no such story (deleted, or it has errors: run publisher check)"), signed)
        return self.render("story.html.j2", user=signed.user, csrf=signed.csrf, page=page, view=page.view,
                           roles=ROLES, events=EVENTS)

    def output(self, request: Request) -> Response:
        if self.session(request) is None:
            return Response(_("sign in first"), status_code=403, media_type="text/plain; charset=utf-8")
        path = security.output_file(self.site.out, request.path_params["file"])
        if path is None:
            return Response(_("no such file"), status_code=404, media_type="text/plain; charset=utf-8")
        return FileResponse(path)

    # -- changes (POST) ----------------------------------------------------------------------
    def sign_in(self, request: Request, form: dict[str, str]) -> Response:
        ip = self.ip(request)
        if not security.same_token(request.cookies.get(security.SIGN_IN_COOKIE), form.get("csrf")):
            return self.sign_in_form(request, _("the sign-in page had expired; sign in again"), status=403)
        if self.failed_sign_ins.blocked(ip):
            return self.sign_in_form(request, _("too many failed sign-ins from this address; try again in a minute"),
                                     status=429)
        try:
            account = accounts.authenticate(self.ledger(), self.config, form.get("name", ""),
                                            form.get("password", ""), ip)
        except accounts.SignInRefused as exc:
            self.failed_sign_ins.note(ip)
            return self.sign_in_form(request, str(exc), status=401)
        token = accounts.open_session(self.ledger(), account, ip)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(security.SESSION_COOKIE, token, **security.cookie_options(self.secure(request)))
        response.delete_cookie(security.SIGN_IN_COOKIE, **security.cookie_options(self.secure(request)))
        return response

    def sign_out(self, request: Request, form: dict[str, str]) -> Response:
        signed = self.session(request)
        if signed is not None:
            if not security.same_token(signed.csrf, form.get("csrf")):
                return self.problem(403, _("the form has expired; reload the page and try again"), signed)
            ledger = self.ledger()
            accounts.close_session(ledger, request.cookies.get(security.SESSION_COOKIE, ""))
            with ledger:
                audit.record(ledger, self.config.timezone, "sign-out", signed.user.name, ip=self.ip(request),
                             via="web")
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(security.SESSION_COOKIE, **security.cookie_options(self.secure(request)))
        return response

    def decide(self, request: Request, form: dict[str, str]) -> Response:
        signed = self.session(request)
        if signed is None:
            return self.problem(403, _("sign in first"))
        if not security.same_token(signed.csrf, form.get("csrf")):
            return self.problem(403, _("the form has expired; reload the page and try again"), signed)
        story_id = request.path_params["story"]
        back = f"/story/{story_id}"
        decision, seen, note = form.get("decision", ""), form.get("hash", ""), form.get("note", "")
        if decision not in EVENTS:
            return self.problem(400, _("unknown action"), signed, back)
        if len(note) > NOTE_LIMIT:
            return self.problem(400, _("a note has at most {count} characters").format(count=NOTE_LIMIT), signed, back)
        story = self.site.fresh(story_id)
        if story is None:
            return self.problem(404, _("no such story (deleted, or it has errors: run publisher check)"), signed)
        person = access.web_person(signed.user, self.ip(request))
        ledger = self.ledger()
        try:
            stages = self.config.safety.stages
            state = review.state(ledger, story, stages, access.holders(self.config, ledger))
            access.check_may_decide(person, stages, state, decision, form.get("stage", ""))  # who, before what
            review.check_seen(state.content_hash, seen)
            if decision != "withdraw":
                views, _sections = story_views(self.config, self.site.out, self.site.manifest(), [story])
                if not self.site.current(story, views[story.id].renditions):
                    return self.problem(409, _("the channels' renditions are being made again from the latest "
                                               "version; reload in a moment, then review"), signed, back)
            if decision == "approve":
                review.approve(ledger, story, self.config, form.get("stage", ""), person, note, seen=seen)
            elif decision == "reject":
                review.reject(ledger, story, self.config, person, note, seen=seen)
            else:
                review.withdraw(ledger, story.id, seen, self.config, person, note)
                return self.render("withdrawn.html.j2", user=signed.user, csrf=signed.csrf, story=story,
                                   lines=self._take_down(story.id, person, note))
        except review.Stale as exc:
            return self.problem(409, str(exc), signed, back)
        except review.Forbidden as exc:
            return self.problem(403, str(exc), signed, back)
        except review.ReviewError as exc:
            return self.problem(400, str(exc), signed, back)
        return RedirectResponse(back, status_code=303)

    def _take_down(self, story_id: str, person: access.Person, note: str) -> list[str]:
        """After 撤稿: today's LED loops again without the story; what went out by hand, to take down."""
        publisher = Publisher(self.site.site, self.config, clock_from_environment(ZoneInfo(self.config.timezone)))
        reason = _("withdrawn by {reviewer} ({note})").format(reviewer=person.name, note=note.strip())
        return list(publisher.withdraw(story_id, reason))


def create_app(site: Path, config: SiteConfig, out: Path, secure_cookies: bool = False) -> Starlette:
    """The review server for ``site`` (rendered into ``out``) as an ASGI application."""
    state = ReviewApp(site, config, out, secure_cookies)
    accounts.forget_expired(state.ledger(), config.review_server)

    def posted(handler):
        async def endpoint(request: Request) -> Response:
            form = await request.form(max_files=0, max_fields=20, max_part_size=64 * 1024)
            values = {key: value for key, value in form.items() if isinstance(value, str)}
            return await run_in_threadpool(handler, request, values)
        return endpoint

    def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name == "fonts.css":
            return Response(state.font_css(), media_type="text/css")
        path = STATIC.get(name)
        if path is None:
            return Response(_("no such file"), status_code=404, media_type="text/plain; charset=utf-8")
        return FileResponse(path, media_type="text/css")

    def font(request: Request) -> Response:
        path = security.output_file(state.fonts, request.path_params["name"])
        if path is None or path.suffix != ".otf":
            return Response(_("no such file"), status_code=404, media_type="text/plain; charset=utf-8")
        return FileResponse(path, media_type="font/otf", headers={"cache-control": "private, max-age=86400"})

    async def not_found(request: Request, exc: HTTPException) -> Response:
        message = _("no such page") if exc.status_code == 404 else _("this request is not supported")
        return await run_in_threadpool(state.problem, exc.status_code, message)

    routes = [
        Route("/", state.home, methods=["GET"]),
        Route("/login", posted(state.sign_in), methods=["POST"]),
        Route("/logout", posted(state.sign_out), methods=["POST"]),
        Route("/story/{story:path}", state.story, methods=["GET"]),
        Route("/decide/{story:path}", posted(state.decide), methods=["POST"]),
        Route("/out/{file:path}", state.output, methods=["GET"]),
        Route("/static/{name}", static, methods=["GET"]),
        Route("/fonts/{name}", font, methods=["GET"]),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})
    app.add_middleware(security.SecurityHeaders)
    app.state.review = state
    return app
