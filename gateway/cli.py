"""The ``partner-gateway`` command.

partner-gateway [--log-level L] [--log-format auto|json|text] COMMAND ...

partner-gateway serve [--config FILE] [--host H] [--port P]
partner-gateway simulator <provider> [provider options]     (a provider plug-in that ships a simulator)
partner-gateway check-config [--config FILE]
partner-gateway schema                                       (prints the GraphQL SDL)
partner-gateway new-api-key --name N --role admin|finance|sales [--owner SALESPERSON]
                            [--expires-at DATE-TIME | --expires-in-days N]

Exit status 2: an invalid configuration; 3: the store cannot be used (unreachable, or its database is
missing or replaced: see gateway.store._identity). Both print what is wrong, without a traceback.

A start allocates a great many objects that live as long as the process (modules, the schema, the app) and
almost no garbage, so the cyclic garbage collector's passes over them are wasted: it is off while a command
starts (``main``), and the modules are imported where they are used so that their imports are part of that
start. A server freezes what the start made (out of every later pass) and collects from then on (``_serving``).
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from gateway import __version__
from gateway.errors import ConfigError, StoreUnavailable

if TYPE_CHECKING:
    from gateway.config import GatewayConfig
    from gateway.observability.logconfig import LogFormat
    from gateway.registry import Registry
    from gateway.store import StoreIdentity

__all__ = ["main"]

EXIT_CONFIG = 2
EXIT_STORE = 3


def main(argv: Sequence[str] | None = None) -> int:
    collecting = gc.isenabled()
    gc.disable()  # until the command serves or returns: see the module's doc
    try:
        return _main(argv)
    finally:
        if collecting:
            gc.enable()


def _main(argv: Sequence[str] | None) -> int:
    from gateway.observability import logconfig
    from gateway.registry import Registry

    registry = Registry.discover()
    args = _parser(registry).parse_args(argv)
    args.log_format = _log_format(args)
    logconfig.configure(getattr(logging, args.log_level.upper()), args.log_format)
    # One line per upstream request drowns what matters; raise --log-level debug to see them.
    logging.getLogger("httpx").setLevel(logging.DEBUG if args.log_level == "debug" else logging.WARNING)
    try:
        result: int = args.run(args, registry)
    except ConfigError as exc:
        print(f"partner-gateway: invalid configuration: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    return result


def _serving() -> None:
    """Right before a server serves: what the start made lives as long as the process, so it is frozen out of
    the collector's passes (a full pass over its ~200,000 objects costs ~0.1 s of CPU; the ~1,000 objects of
    cyclic garbage the start left stay), and the collector runs from now on."""
    gc.freeze()
    gc.enable()


def _parser(registry: Registry) -> argparse.ArgumentParser:
    from gateway.auth import Role

    parser = argparse.ArgumentParser(prog="partner-gateway", description="One GraphQL API over cloud partner programs.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    parser.add_argument(
        "--log-format",
        default="auto",
        choices=["auto", "json", "text"],
        help="log lines on stderr as JSON objects or text (auto: JSON when serving a configuration file, "
        "text for the embedded demo and the other commands)",
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the GraphQL API (the embedded demo when no config is given)")
    _add_config_argument(serve)
    serve.add_argument("--host", help="address to bind (default: the config's, else 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default: the config's, else 8000)")
    serve.set_defaults(run=_serve)

    schema = commands.add_parser("schema", help="print the GraphQL schema (SDL)")
    schema.set_defaults(run=_schema)

    key = commands.add_parser("new-api-key", help="make an API key and the [[api_keys]] entry for it")
    key.add_argument("--name", required=True, help="who or what uses the key, e.g. web-console")
    key.add_argument("--role", required=True, choices=[role.value for role in Role])
    key.add_argument("--owner", help="for sales keys: the salesperson id whose customers the key sees")
    expiry = key.add_mutually_exclusive_group()
    expiry.add_argument(
        "--expires-at",
        type=_expiry,
        help="when the key stops working: 2027-06-30 or 2027-06-30T12:00:00+08:00 (UTC if no offset)",
    )
    expiry.add_argument("--expires-in-days", type=_days, metavar="N", help="the key stops working N days from now")
    key.set_defaults(run=_new_api_key)

    check = commands.add_parser("check-config", help="validate a configuration and list its partner accounts")
    _add_config_argument(check)
    check.set_defaults(run=_check_config)

    simulator = commands.add_parser("simulator", help="run a provider's upstream simulator as an HTTP server")
    providers = simulator.add_subparsers(title="providers", required=True, metavar="PROVIDER")
    for name, plugin in registry.items():
        sub = providers.add_parser(name, help=f"simulate the {plugin.title} partner API")
        plugin.add_simulator_arguments(sub)
        sub.set_defaults(run=_simulate, provider=name)
    return parser


def _log_format(args: argparse.Namespace) -> LogFormat:
    """``--log-format``; ``auto``: a served configuration file is a deployment, whose logs a collector reads as
    JSON; the embedded demo, and every other command, is someone at a terminal."""
    if args.log_format in ("json", "text"):
        return "json" if args.log_format == "json" else "text"
    return "json" if args.run is _serve and args.config else "text"


def _add_config_argument(parser: argparse.ArgumentParser) -> None:
    from gateway.config import CONFIG_ENV

    parser.add_argument(
        "--config",
        default=os.environ.get(CONFIG_ENV),
        help=f"TOML file of partner accounts (default: ${CONFIG_ENV}; without either, the embedded demo)",
    )


def _config(args: argparse.Namespace, registry: Registry) -> GatewayConfig:
    from gateway.config import demo_config, load_config

    return load_config(args.config, registry) if args.config else demo_config(registry)


def _serve(args: argparse.Namespace, registry: Registry) -> int:
    import asyncio

    import uvicorn
    from sqlalchemy.engine import make_url

    from gateway import logs
    from gateway.app import create_app
    from gateway.config import check_exposure

    config = _config(args, registry)
    host = args.host or config.server.host
    port = args.port or config.server.port
    check_exposure(config, host)
    # Open the store once before serving: a missing, replaced or unreachable store stops the start here, with
    # its message and no traceback (the lifespan opens it again, inside the server's event loop).
    store = make_url(config.store_url).render_as_string(hide_password=True)
    try:
        identity = asyncio.run(_store_identity(config.store_url))
    except StoreUnavailable as exc:
        print(f"partner-gateway: cannot start: {exc.message}\n  store: {store}", file=sys.stderr)
        return EXIT_STORE
    app = create_app(config, registry)
    print(f"partner-gateway {__version__}: serving GraphQL at http://{host}:{port}/graphql (GraphiQL in a browser)")
    print(f"  health: /healthz   readiness: /readyz   configuration: {config.source}")
    print(f"  state (projects, operations, audit): {store}")
    print(f"  store id: {identity.store_id} (created {identity.created_at:%Y-%m-%d %H:%M:%S} UTC)")
    _print_accounts(config)
    _print_demo_control(config)
    _print_access(config)
    if not config.api_keys and config.jwt is None:
        print(
            "WARNING: no API keys are configured: the gateway is OPEN and every request is an admin.\n"
            f"WARNING: this is allowed only on a loopback address ({host}); add [[api_keys]] to serve others.",
            file=sys.stderr,
        )
    logs.install()
    _serving()
    if args.log_format == "json":
        # uvicorn's loggers propagate to the JSON handler; the gateway's access line replaces uvicorn's.
        uvicorn.run(app, host=host, port=port, log_level=args.log_level, log_config=None, access_log=False)
    else:
        uvicorn.run(app, host=host, port=port, log_level=args.log_level)
    return 0


async def _store_identity(url: str) -> StoreIdentity:
    from gateway.store import open_store

    store = await open_store(url)
    await store.close()
    assert store.identity is not None  # open_store gives every store its id
    return store.identity


def _schema(args: argparse.Namespace, registry: Registry) -> int:
    from gateway.schema import sdl

    sys.stdout.write(sdl())
    return 0


def _new_api_key(args: argparse.Namespace, registry: Registry) -> int:
    from gateway.auth import Role, hash_key, new_key

    role = Role(args.role)
    if role is Role.SALES and not args.owner:
        print("partner-gateway: a sales key needs --owner (the salesperson whose customers it sees)", file=sys.stderr)
        return EXIT_CONFIG
    key = new_key()
    print(f"API key (give it to {args.name}; it is shown only now): {key}\n")
    print("[[api_keys]]")
    print(f'name = "{args.name}"')
    print(f'sha256 = "{hash_key(key)}"')
    print(f'role = "{role.value}"')
    if args.owner:
        print(f'owner = "{args.owner}"')
    expires_at: datetime | None = args.expires_at
    if args.expires_in_days is not None:
        expires_at = datetime.now(UTC).replace(microsecond=0) + timedelta(days=args.expires_in_days)
    if expires_at is not None:
        print(f"expires_at = {expires_at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}")
    return 0


def _expiry(value: str) -> datetime:
    """An ISO date or date-time; UTC when it names no offset."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a date (2027-06-30) or a date-time (2027-06-30T12:00:00Z)") from None
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=UTC)


def _days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        days = 0
    if not 0 < days <= 36_500:
        raise argparse.ArgumentTypeError("expected a whole number of days from 1 to 36500")
    return days


def _check_config(args: argparse.Namespace, registry: Registry) -> int:
    config = _config(args, registry)
    print(f"configuration OK: {config.source}")
    _print_accounts(config)
    _print_demo_control(config)
    _print_access(config)
    return 0


def _print_access(config: GatewayConfig) -> None:
    """Who may sign in: the API keys by name (never their hashes), expired ones loudly, and the token issuer."""
    now = datetime.now(UTC)
    for key in config.api_keys:
        until = f", expires {key.expires_at:%Y-%m-%d %H:%M:%S %Z}" if key.expires_at else ""
        print(f"  API key {key.name}: {key.role.value}{f' for {key.owner}' if key.owner else ''}{until}")
        if key.expired(now):
            print(f"WARNING: API key {key.name!r} has expired: it is refused", file=sys.stderr)
    if config.jwt is not None:
        from gateway.tokens import keys_location  # joserfc only with [auth.jwt] (a faster start)

        where = keys_location(config.jwt)
        print(f"  sign-in: tokens from {config.jwt.issuer} for {config.jwt.audience} (keys: {where})")


def _print_accounts(config: GatewayConfig) -> None:
    from gateway.config import DEMO_SOURCE

    if config.simulated and config.source != DEMO_SOURCE:
        print(f"  no [[accounts]] in {config.source}: serving the embedded demo's partner accounts")
    for entry in config.accounts:
        account = entry.account
        where = "simulated in-process" if account.id in config.simulated else account.endpoint
        print(f"  partner account {account.id}: {account.name} ({account.provider}, {account.role}) -> {where}")


def _print_demo_control(config: GatewayConfig) -> None:
    """Where the embedded demo's simulators are read (gateway.demo): SMS codes, clock, faults."""
    if config.simulated:
        example = f"/_demo/{next(iter(config.simulated))}/_simulator/faults"
        print(f"  demo simulators (admins, GET only): /_demo/<account>/_simulator/..., e.g. {example}")


def _simulate(args: argparse.Namespace, registry: Registry) -> int:
    app, lines = registry[args.provider].simulator(args)
    for line in lines:
        print(line)
    import uvicorn

    from gateway import logs

    logs.install()
    _serving()
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
