"""The local worker process: `python -m exportdesk.review.worker` (or `exportdesk worker`)."""

from __future__ import annotations

import logging
import signal
import sys

from exportdesk.extract.settings import Settings
from exportdesk.review.jobs import DatabaseJobQueue, claim_pid_file, parent_gone, run_worker
from exportdesk.review.store import CaseStore

log = logging.getLogger(__name__)


def serve(settings: Settings, until_idle: bool = False) -> int:
    """Run jobs until SIGTERM, until the app that spawned it exits, or (until_idle) none wait."""
    store = CaseStore(settings)
    stopping: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, _frame: stopping.append(signum))
    if not until_idle:
        claim_pid_file(settings)
    log.warning("worker: watching %s", settings.resolved_database_url)
    try:
        return run_worker(
            DatabaseJobQueue(store),
            until_idle=until_idle,
            should_stop=lambda: bool(stopping) or parent_gone(),
        )
    finally:
        store.close()


def main() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(message)s")
    done = serve(Settings())
    log.warning("worker: ran %d jobs", done)


if __name__ == "__main__":
    main()
