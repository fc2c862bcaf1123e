"""Staff accounts from the command line (`make staff-user`).

    .venv/bin/python -m staff.users add NAME --role editor|clinician [--display-name "Ana Pereira"]
    .venv/bin/python -m staff.users password NAME
    .venv/bin/python -m staff.users disable NAME
    .venv/bin/python -m staff.users list

The password is asked twice without echo; STAFF_PASSWORD in the environment gives it instead
(for scripts and tests: it never appears on a command line, where other users could see it).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Optional, Sequence

from staff import store
from staff.accounts import MIN_PASSWORD, ROLES, AccountError, Accounts
from staff.settings import Settings, SettingsError


def ask_password() -> str:
    given = os.environ.get("STAFF_PASSWORD")
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise AccountError("No terminal to ask the password on: set STAFF_PASSWORD in the environment.")
    first = getpass.getpass(f"Password (at least {MIN_PASSWORD} characters): ")
    if getpass.getpass("The same password again: ") != first:
        raise AccountError("The two passwords differ; nothing was changed.")
    return first


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="make staff-user", description="Staff console accounts.")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="create an account")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--display-name", default="", help="the name shown in the history (default: NAME)")
    for command in ("password", "disable"):
        commands.add_parser(command, help=f"{command} an account").add_argument("name")
    commands.add_parser("list", help="the accounts and their roles")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_environment()
        accounts = Accounts(store.connect(settings.database))
        if args.command == "add":
            account = accounts.create(args.name, args.role, ask_password(), args.display_name)
            print(f"Created {account.name} ({account.role}). Sign in at http://{settings.host}:{settings.port}/")
        elif args.command == "password":
            accounts.set_password(args.name, ask_password())
            print(f"Changed the password of {args.name}; every session of that account is signed out.")
        elif args.command == "disable":
            accounts.disable(args.name)
            print(f"Disabled {args.name}; every session of that account is signed out.")
        else:
            for account in accounts.all():
                print(f"{account.name}\t{account.role}\t{account.display_name}")
    except (AccountError, SettingsError) as error:
        print(f"make staff-user: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
