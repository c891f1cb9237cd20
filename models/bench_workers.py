"""Benchmark of the scale-out back end: throughput with 1, 2, 4 Celery workers, memory, latency.

    python -m exportdesk.models.bench_workers --apps 40 --workers 1 2 4 --long-pages 100

Runs real Celery workers against the PostgreSQL and Redis on this machine (each run in a
fresh schema, Redis database and queue, removed afterwards) on generated scanned
applications (the sample generator's scanned twins, a seed range of their own). Prints:
pages per second for each worker count and its ratio to the ideal (cores x the one-worker
page rate), each worker's peak resident memory (the pool process; its reader children
are not included), and one long scan's latency from upload to recorded result: as
page-range jobs (``--split-pages`` pages each) on as many worker processes as cores
("page-level"), and as one job on one worker process ("whole document"; with
``--with-ocr-processes`` also one job whose pages are OCR'd by cores processes).
``--apps 0`` runs only the long scan.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine, text

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379"
SEED = 7311  # generated applications of their own seed range: never a test or training seed


def scanned_applications(count: int, seed: int) -> list[tuple[str, bytes]]:
    from exportdesk.samples.generate import document_seed, generate_one

    made = []
    for index in range(count):
        doc = generate_one(document_seed(seed, index))
        assert doc.scan_pdf is not None
        made.append((f"{doc.stem}-scan.pdf", doc.scan_pdf))
    return made


def long_scan(pages: int, seed: int) -> bytes:
    """One image-only PDF of ``pages`` pages, taken from consecutive generated scans."""
    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    index = 0
    while len(out) < pages:
        part = pdfium.PdfDocument(scanned_applications(1, seed + index)[0][1])
        out.import_pages(part, list(range(min(len(part), pages - len(out)))))
        part.close()
        index += 1
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def page_count(data: bytes) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return len(doc)
    finally:
        doc.close()


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(p) for p in found]


def _peak_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Run:
    """One Celery worker (``concurrency`` pool processes) on a fresh schema and queue."""

    def __init__(
        self, concurrency: int, ocr_workers: int, tmp: Path, split_pages: int = 20
    ) -> None:
        self.schema = f"bench_{uuid.uuid4().hex[:12]}"
        self.queue = f"exportdesk-bench-{uuid.uuid4().hex[:8]}"
        self.redis_db = random.randint(1, 15)
        self.admin = create_engine(PG)
        with self.admin.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        self.env = {
            **os.environ,
            "EXPORTDESK_DATA_DIR": str(tmp / self.schema),
            "EXPORTDESK_DATABASE_URL": f"{PG}?options=-csearch_path%3D{self.schema}",
            "EXPORTDESK_JOB_BACKEND": "celery",
            "EXPORTDESK_BROKER_URL": f"{REDIS}/{self.redis_db}",
            "EXPORTDESK_CELERY_QUEUE": self.queue,
            "EXPORTDESK_OCR_WORKERS": str(ocr_workers),
            "EXPORTDESK_JOB_SPLIT_PAGES": str(split_pages),
            # The generated scans are ~1.1 MB a page: a 100-page one was over the former
            # 100 MiB default (now 2 MiB a page x 200 pages); kept explicit for older trees.
            "EXPORTDESK_MAX_FILE_BYTES": str(512 * 2**20),
            "EXPORTDESK_START_WORKER": "false",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_THREAD_LIMIT": "1",
            "HF_HUB_OFFLINE": "1",
        }
        self.concurrency = concurrency
        self.log = tmp / f"{self.queue}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def settings(self):
        from exportdesk.extract.settings import Settings

        return Settings(
            data_dir=Path(self.env["EXPORTDESK_DATA_DIR"]),
            database_url=self.env["EXPORTDESK_DATABASE_URL"],
            job_backend="celery",
            broker_url=self.env["EXPORTDESK_BROKER_URL"],
            celery_queue=self.queue,
        )

    def start(self) -> None:
        from exportdesk.review.store import CaseStore

        CaseStore(self.settings()).close()  # schema migrated before the workers start
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "exportdesk.review.celery_app",
                    "worker",
                    "-Q",
                    self.queue,
                    "-c",
                    str(self.concurrency),
                    "--pool",
                    "prefork",
                    "-n",
                    f"bench@{self.queue}",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-l",
                    "WARNING",
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def warm_up(self, store, queue, data: bytes) -> None:
        """One job per pool process first, so model loading is not counted as throughput."""
        from exportdesk.review.intake import submit

        ids = []
        for n in range(self.concurrency):
            ids.append(submit(store, queue, data + f"\n%warm{n}".encode(), f"warm{n}.pdf", "b"))
        self.wait(queue, [s.job_id for s in ids], 1800)

    def wait(self, queue, ids: list[int | None], timeout: float) -> None:
        start = time.monotonic()
        while True:
            states = [queue.state(i).status for i in ids if i is not None]
            if all(s in ("done", "failed") for s in states):
                return
            if time.monotonic() - start > timeout or (self.proc and self.proc.poll() is not None):
                raise SystemExit(f"jobs did not finish; see {self.log}")
            time.sleep(0.5)

    def peaks(self) -> list[float]:
        assert self.proc is not None
        return [_peak_mb(p) for p in _children(self.proc.pid)]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        import redis

        client = redis.Redis.from_url(f"{REDIS}/{self.redis_db}")
        for key in client.scan_iter(f"{self.queue}*"):
            client.delete(key)
        client.close()
        with self.admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
        self.admin.dispose()


def throughput(apps: list[tuple[str, bytes]], concurrency: int, tmp: Path) -> dict:
    from exportdesk.review.intake import submit
    from exportdesk.review.jobs import queue_for
    from exportdesk.review.store import CaseStore

    run = Run(concurrency, ocr_workers=1, tmp=tmp)
    try:
        run.start()
        store = CaseStore(run.settings())
        queue = queue_for(store)
        run.warm_up(store, queue, apps[0][1])
        pages = sum(page_count(data) for _, data in apps)
        started = time.monotonic()
        subs = [submit(store, queue, data, name, "bench") for name, data in apps]
        run.wait(queue, [s.job_id for s in subs], 4 * 3600)
        wall = time.monotonic() - started
        states = [queue.state(s.job_id or 0) for s in subs]
        failed = sum(st.status == "failed" for st in states)
        # How the work spread: jobs run by each pool process (worker names are host:pid).
        spread = sorted(Counter(st.worker or "?" for st in states).values(), reverse=True)
        peaks = run.peaks()
        store.close()
    finally:
        run.stop()
    return {
        "workers": concurrency,
        "pages": pages,
        "wall": wall,
        "peaks": peaks,
        "failed": failed,
        "spread": spread,
    }


def latency(data: bytes, concurrency: int, ocr_workers: int, split_pages: int, tmp: Path) -> dict:
    """One long scan submitted to ``concurrency`` idle worker processes: seconds from upload
    to its recorded result, the range jobs and how many processes read them, peak RSS."""
    from exportdesk.review.intake import submit
    from exportdesk.review.jobs import READ_PAGES, queue_for
    from exportdesk.review.store import CaseStore

    run = Run(concurrency, ocr_workers=ocr_workers, tmp=tmp, split_pages=split_pages)
    try:
        run.start()
        store = CaseStore(run.settings())
        queue = queue_for(store)
        run.warm_up(store, queue, scanned_applications(1, SEED + 999)[0][1])
        started = time.monotonic()
        sub = submit(store, queue, data, "long-scan.pdf", "bench")
        run.wait(queue, [sub.job_id], 4 * 3600)
        wall = time.monotonic() - started
        state = queue.state(sub.job_id or 0)
        assert state.status == "done", f"the long scan ended {state.status}: {state.error}"
        ranges = queue.jobs(kind=READ_PAGES)
        pages = store.case(sub.receipt.application_id).result
        if pages is None or not pages.readable or pages.document.page_count != page_count(data):
            codes = [w.code for w in pages.warnings] if pages else "no result"
            raise SystemExit(f"the long scan was not read whole ({codes}); see {run.log}")
        peaks = run.peaks()
        store.close()
    finally:
        run.stop()
    return {
        "wall": wall,
        "ranges": len(ranges),
        "readers": len({r.worker for r in ranges}),
        "pages": pages.document.page_count if pages else 0,
        "peaks": peaks,
    }


def _latency_line(label: str, r: dict) -> str:
    return (
        f"{label}: {r['wall']:.1f} s for {r['pages']} pages; {r['ranges']} range jobs read by "
        f"{r['readers']} worker process(es); peak RSS per worker "
        f"{', '.join(f'{p:.0f}' for p in r['peaks'])} MB; load {os.getloadavg()[0]:.1f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=40, help="scanned applications per run")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--long-pages", type=int, default=100, help="0 skips the long scan")
    parser.add_argument(
        "--with-ocr-processes",
        action="store_true",
        help="also the whole document on one worker with cores OCR processes",
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--split-pages", type=int, default=20, help="page-range size for the page-level run"
    )
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    print(f"load average at start: {os.getloadavg()}; {cores} cores", flush=True)
    apps = scanned_applications(args.apps, args.seed) if args.apps else []
    with tempfile.TemporaryDirectory(prefix="exportdesk-bench-") as tmp:
        results = []
        for k in args.workers if args.apps else []:
            r = throughput(apps, k, Path(tmp))
            results.append(r)
            print(
                f"{k} worker(s): {r['pages']} pages in {r['wall']:.1f} s = "
                f"{r['pages'] / r['wall']:.3f} pages/s; failed jobs {r['failed']}; peak RSS "
                f"per worker {', '.join(f'{p:.0f}' for p in r['peaks'])} MB; "
                f"load {os.getloadavg()[0]:.1f}; jobs per pool process {r['spread']}",
                flush=True,
            )
        one = next((r for r in results if r["workers"] == 1), None)
        if one is not None:
            single = one["pages"] / one["wall"]
            ideal = cores * single
            print(f"single-worker rate {single:.3f} pages/s; ideal {cores} x = {ideal:.3f}")
            for r in results:
                rate = r["pages"] / r["wall"]
                print(f"  {r['workers']} worker(s): {rate / ideal:.2f} of ideal")
        if args.long_pages:
            data = long_scan(args.long_pages, args.seed + 5000)
            n = args.long_pages
            paged = latency(data, cores, 1, args.split_pages, Path(tmp))
            print(_latency_line(f"{n}-page scan, page-range jobs on {cores} workers", paged))
            whole = latency(data, 1, 1, 0, Path(tmp))
            print(_latency_line(f"{n}-page scan, whole document on 1 worker", whole))
            if args.with_ocr_processes:
                inner = latency(data, 1, cores, 0, Path(tmp))
                print(
                    _latency_line(
                        f"{n}-page scan, whole document on 1 worker, {cores} OCR processes", inner
                    )
                )
    print(f"load average at end: {os.getloadavg()}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
