"""Case-store commands: `users`, `audit verify`/`rotate-key`, `worker` and `demo`."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from exportdesk.extract.settings import Settings

err = Console(stderr=True)
DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="Case store folder (default: EXPORTDESK_DATA_DIR or ~/.exportdesk)."
    ),
]


def store_settings(data_dir: Path | None) -> Settings:
    if data_dir is not None:
        # Children (worker, streamlit) read the same folder from the environment.
        os.environ["EXPORTDESK_DATA_DIR"] = str(data_dir.resolve())
    return Settings()


def open_store(settings: Settings):
    from exportdesk.review.store import CaseStore

    try:
        return CaseStore(settings)
    except Exception as exc:
        err.print(
            f"Cannot open the case store at {settings.resolved_database_url} "
            f"({type(exc).__name__}: {exc}). Check EXPORTDESK_DATABASE_URL / --data-dir.",
            markup=False,
        )
        raise typer.Exit(1) from None


users = typer.Typer(help="Local accounts for the review app.", no_args_is_help=True)
audit_app = typer.Typer(help="The append-only audit log.", no_args_is_help=True)


@users.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Sign-in name (no spaces).")],
    role: Annotated[
        str, typer.Option(help="clerk, reviewer, trainer, admin or licensing_officer.")
    ],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin's first line.")
    ] = False,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="Account signs in through OIDC only.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Add a local account. The password comes from EXPORTDESK_NEW_PASSWORD, stdin or a prompt."""
    from exportdesk.review.auth import add_user

    password = None if no_password else _new_password(password_stdin)
    _account_change(
        data_dir,
        lambda session, actor: add_user(session, username, role, password, actor=actor),
        f"Added {username} ({role}).",
    )


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if os.environ.get("EXPORTDESK_NEW_PASSWORD"):
        return os.environ["EXPORTDESK_NEW_PASSWORD"]
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _account_change(data_dir: Path | None, change, done: str) -> None:
    """Run ``change(session, actor)`` in one transaction; an AuthError is a clean exit 1."""
    from exportdesk.review.auth import AuthError

    store = open_store(store_settings(data_dir))
    try:
        with store.session() as session:
            change(session, f"cli:{whoami()}")
    except AuthError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(1) from None
    finally:
        store.close()
    err.print(done, markup=False)


UserName = Annotated[str, typer.Argument(help="Sign-in name.")]


@users.command("list")
def users_list(data_dir: DataDir = None) -> None:
    """Every account with its role and whether it is active."""
    from exportdesk.review.auth import list_users

    store = open_store(store_settings(data_dir))
    try:
        with store.session() as session:
            for user in list_users(session):
                state = "active" if user.active else "deactivated"
                typer.echo(f"{user.username}\t{user.role}\t{state}")
    finally:
        store.close()


@users.command("deactivate")
def users_deactivate(username: UserName, data_dir: DataDir = None) -> None:
    """Take away access at once (a signed-in user is turned away at their next click)."""
    from exportdesk.review.auth import set_active

    _account_change(
        data_dir, lambda s, actor: set_active(s, username, False, actor), f"Deactivated {username}."
    )


@users.command("activate")
def users_activate(username: UserName, data_dir: DataDir = None) -> None:
    """Give a deactivated account its access back."""
    from exportdesk.review.auth import set_active

    _account_change(
        data_dir, lambda s, actor: set_active(s, username, True, actor), f"Activated {username}."
    )


@users.command("role")
def users_role(
    username: UserName,
    role: Annotated[str, typer.Argument(help="clerk, reviewer, trainer, admin, ...")],
    data_dir: DataDir = None,
) -> None:
    """Change an account's role; it applies at the user's next click."""
    from exportdesk.review.auth import set_role

    _account_change(
        data_dir, lambda s, actor: set_role(s, username, role, actor), f"{username} is now {role}."
    )


@users.command("reset-password")
def users_reset_password(
    username: UserName,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin's first line.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Set a new password (from EXPORTDESK_NEW_PASSWORD, stdin or a prompt)."""
    from exportdesk.review.auth import set_password

    password = _new_password(password_stdin)
    _account_change(
        data_dir,
        lambda s, actor: set_password(s, username, password, actor),
        f"New password set for {username}.",
    )


@users.command("unlock")
def users_unlock(username: UserName, data_dir: DataDir = None) -> None:
    """Let every client try this name again at once, ending any sign-in delay."""
    from exportdesk.review.auth import unlock

    _account_change(
        data_dir,
        lambda s, actor: unlock(s, username, actor),
        f"Sign-in delays for {username} cleared.",
    )


@audit_app.command("verify")
def audit_verify(data_dir: DataDir = None) -> None:
    """Check the keyed chain, the rows bound into it and the anchors: exit 0 if intact, else 1.

    A clean run appends the head to the anchor file; copy that file off the machine.
    """
    from exportdesk.review.audit import verify
    from exportdesk.review.auditkeys import anchor_file

    settings = store_settings(data_dir)
    store = open_store(settings)
    try:
        with store.session() as session:
            report = verify(session, anchors=anchor_file(settings))
    finally:
        store.close()
    if report.ok:
        typer.echo(f"audit log intact: {report.events} events")
        if report.anchored is not None:
            typer.echo(
                f"anchored event {report.anchored.seq} in {anchor_file(settings)}; "
                "copy that file off this machine"
            )
        return
    typer.echo(f"audit log BROKEN ({report.events} events read):")
    for problem in report.problems:
        typer.echo(f"  - {problem}")
    typer.echo("Restore the database from a backup taken before the first broken event.")
    raise typer.Exit(1)


@audit_app.command("rotate-key")
def audit_rotate_key(data_dir: DataDir = None) -> None:
    """Start signing new events with a fresh key; older keys stay in the file to verify."""
    from exportdesk.review.auditkeys import AuditKeyError, key_file, rotate

    settings = store_settings(data_dir)
    try:
        key_id = rotate(settings)
    except AuditKeyError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(1) from None
    typer.echo(
        f"new audit key {key_id} in {key_file(settings)}; back the file up off this machine "
        "and restart the app and workers so they sign with it"
    )


def worker(
    data_dir: DataDir = None,
    until_idle: Annotated[
        bool, typer.Option("--until-idle", help="Exit once no job is waiting.")
    ] = False,
) -> None:
    """Run processing jobs from the case store's queue (the app starts one by itself)."""
    from exportdesk.review.worker import serve

    settings = store_settings(data_dir)
    open_store(settings).close()  # a clear message if the store cannot be opened
    done = serve(settings, until_idle=until_idle)
    err.print(f"worker: ran {done} jobs", markup=False)


def demo(
    data_dir: DataDir = None,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the app afterwards.")
    ] = True,
    port: Annotated[int, typer.Option(help="Port for the review app.")] = 8501,
    address: Annotated[
        str,
        typer.Option(
            help="Address the app listens on. The default serves this machine only; the app "
            "speaks plain HTTP, so put a TLS proxy in front before opening it to a network."
        ),
    ] = "127.0.0.1",
    samples: Annotated[
        Path | None, typer.Option(help="Folder of sample PDFs (default: the bundled ones).")
    ] = None,
) -> None:
    """Create one account per role, process the sample PDFs, then serve the review app."""
    from exportdesk.review.demo import bundled_samples, load_samples, make_accounts

    settings = store_settings(data_dir or Path("var/demo"))
    store = open_store(settings)
    accounts = make_accounts(store, lambda: secrets.token_urlsafe(9))
    typer.echo("Accounts (user / password / role):")
    for username, password, role in accounts:
        typer.echo(f"  {username:<10} {password:<16} {role}")
    folder = samples or bundled_samples()
    loaded = load_samples(store, folder, progress=lambda text: err.print(text, markup=False))
    results = settings.data_dir / "results"
    results.mkdir(parents=True, exist_ok=True)
    for app_id, line in loaded:
        case = store.case(app_id)
        if case.result is not None:
            out = results / f"application-{app_id}.json"
            out.write_text(json.dumps(case.result.to_contract(), ensure_ascii=False, indent=2))
        typer.echo(f"  {line}")
    if not loaded:
        typer.echo(f"No sample PDFs in {folder}; the queue starts empty.")
    typer.echo(f"Case store: {settings.resolved_database_url}")
    typer.echo(f"Originals:  {settings.data_dir / 'originals'}")
    typer.echo(f"Results:    {results} (contract JSON per application)")
    store.close()
    if serve:
        _serve(settings, port, address)


WORKER_CHECK_SECONDS = 3.0  # how often the demo looks whether its worker still lives


def _serve(settings: Settings, port: int, address: str) -> None:
    from exportdesk.review.workers import keep_worker_alive

    # The demo, not the app, supervises the worker here: it restarts it when it dies.
    env = dict(os.environ, EXPORTDESK_START_WORKER="false", HF_HUB_OFFLINE="1")
    workers = [p for p in [keep_worker_alive(settings)] if p is not None]
    cmd = [
        sys.executable,
        "-m",
        "exportdesk.ui.serve",
        "--server.headless",
        "true",
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
    ]
    if address not in ("127.0.0.1", "localhost", "::1"):
        err.print(
            f"WARNING: serving on {address} over plain HTTP: passwords and applications cross "
            "the network unencrypted. Put a TLS proxy in front, or use --address 127.0.0.1.",
            markup=False,
        )
    typer.echo(f"Serving the review app at http://{address}:{port} (Ctrl-C stops it)")
    streamlit = subprocess.Popen(cmd, env=env)

    def _stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)  # runs the clean-up below, so no server is orphaned

    signal.signal(signal.SIGTERM, _stop)
    try:
        while streamlit.poll() is None:
            restarted = keep_worker_alive(settings)
            if restarted is not None:
                workers.append(restarted)
            try:
                streamlit.wait(timeout=WORKER_CHECK_SECONDS)
            except subprocess.TimeoutExpired:
                continue
    except KeyboardInterrupt:
        pass
    finally:
        for proc in (streamlit, *workers):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()


def whoami() -> str:
    try:
        return os.getlogin()
    except OSError:
        return str(os.getuid())


def register(app: typer.Typer) -> None:
    app.add_typer(users, name="users")
    app.add_typer(audit_app, name="audit")
    app.command("worker")(worker)
    app.command("demo")(demo)
