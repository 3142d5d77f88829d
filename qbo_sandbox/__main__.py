"""Command line: `python -m qbo_sandbox serve | company create | seed-demo`.

`company create` and `seed-demo` write the same SQLite file as a running server (WAL mode),
so they work while it runs."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from qbo_sandbox import config


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m qbo_sandbox", description="A local QuickBooks Online emulator."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP server")
    config.add_arguments(serve)

    company = commands.add_parser("company", help="manage sandbox companies")
    company_commands = company.add_subparsers(dest="company_command", required=True)
    create = company_commands.add_parser("create", help="create a company; prints its realm id")
    create.add_argument("--name", required=True)
    create.add_argument(
        "--sku", default="Plus", choices=["Simple Start", "Essentials", "Plus", "Advanced"]
    )
    create.add_argument("--payroll", action="store_true", help="payroll on (default off)")
    create.add_argument(
        "--class-tracking", action="store_true", help="Track classes on (Plus or Advanced)"
    )
    create.add_argument("--book-close-date", default=None, metavar="YYYY-MM-DD")
    create.add_argument("--subscription-status", default="SUBSCRIBED")
    create.add_argument("--data", type=Path, default=None)
    company_commands.add_parser("list", help="list companies as JSON").add_argument(
        "--data", type=Path, default=None
    )

    demo = commands.add_parser("seed-demo", help="create the demo company (idempotent)")
    demo.add_argument("--data", type=Path, default=None)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "serve":
            settings = config.from_args(args)
        else:
            settings = config.from_env(data=args.data)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    if args.command == "serve":
        from qbo_sandbox.server import serve

        serve(settings)
        return 0

    from qbo_sandbox.store import Store

    store = Store(settings.data)
    if args.command == "seed-demo":
        from qbo_sandbox.demo import seed_demo

        realm_id = seed_demo(store)
        print(json.dumps(store.company_get(realm_id)))
        return 0
    if args.company_command == "list":
        print(json.dumps(store.company_list()))
        return 0
    try:
        company = store.company_create(
            name=args.name,
            sku=args.sku,
            payroll=args.payroll,
            book_close_date=args.book_close_date,
            subscription_status=args.subscription_status,
            class_tracking=args.class_tracking,
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps({"realmId": company["realmId"], "name": company["name"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
