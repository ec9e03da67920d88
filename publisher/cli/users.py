"""``publisher user``: reviewers' accounts for reviewing in the browser (add, passwd, disable, enable, list)."""

from __future__ import annotations

import argparse
import getpass
import sys

from publisher import ledger as ledgers
from publisher.cli.common import EXIT_OK, EXIT_USAGE, load_site
from publisher.i18n import _
from publisher.safety import access, accounts


def cmd_user(args: argparse.Namespace) -> int:
    config = load_site(args)
    if args.action == "list":
        connection = ledgers.connect(args.site, config, create=False)
        found = accounts.listing(connection)
        if not found:
            print(_("no accounts yet (publisher user add NAME --stages 初审)"))
        for account in found:
            state = _("disabled") if account.disabled else _("locked") if account.locked else _("active")
            print(f"{account.name}  {_(', ').join(account.stages)}  {state}")
        return EXIT_OK
    if not args.name:
        _error(_("name the reviewer: publisher user {action} NAME").format(action=args.action))
        return EXIT_USAGE
    connection = ledgers.connect(args.site, config)
    try:
        if args.action == "add":
            if not args.stages:
                _error(_("say which stages the reviewer holds (--stages 初审,复审)"))
                return EXIT_USAGE
            stages = args.stages.replace("，", ",").replace("、", ",").split(",")
            account = accounts.add(connection, config, args.name, stages, _password(), access.os_account())
            print(_("account {name} added: {stages}").format(name=account.name, stages=_(", ").join(account.stages)))
        elif args.action == "passwd":
            accounts.set_password(connection, config, args.name, _password(), access.os_account())
            print(_("password of {name} changed; signed out everywhere").format(name=args.name.strip()))
        else:
            disabled = args.action == "disable"
            accounts.set_disabled(connection, config, args.name, disabled, access.os_account())
            print((_("{name} disabled; signed out everywhere") if disabled else _("{name} enabled")).format(
                name=args.name.strip()))
    except accounts.AccountError as exc:
        _error(str(exc))
        return EXIT_USAGE
    finally:
        connection.close()
    return EXIT_OK


def _password() -> str:
    """From the terminal, asked twice without echo; otherwise the first line of standard input."""
    if sys.stdin.isatty():
        first = getpass.getpass(_("password: "))
        if getpass.getpass(_("password again: ")) != first:
            raise accounts.AccountError(_("the two passwords differ; nothing changed"))
        return first
    line = sys.stdin.readline()
    return line.removesuffix("\n").removesuffix("\r")


def _error(message: str) -> None:
    print(_("error: {message}").format(message=message), file=sys.stderr)
