"""One application from bytes through the real pipeline into the store and out as contract JSON."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from casefactory import pdf_bytes

from exportdesk.extract.settings import Settings
from exportdesk.review.intake import submit
from exportdesk.review.jobs import DatabaseJobQueue
from exportdesk.review.runner import default_pipeline
from exportdesk.review.store import CaseStore
from exportdesk.review.worker import run_worker

SCHEMA = Path(__file__).resolve().parents[2] / "extract" / "application-result.schema.json"


def test_real_pipeline_into_store(tmp_path: Path) -> None:
    store = CaseStore(Settings(data_dir=tmp_path))
    queue = DatabaseJobQueue(store)
    data = pdf_bytes("e2e")
    submitted = submit(store, queue, data, "e2e.pdf", "clerk")
    assert run_worker(queue, default_pipeline, until_idle=True) == 1
    assert queue.state(submitted.job_id or 0).status == "done"
    case = store.case(submitted.receipt.application_id)
    assert case.status == "extracted" and case.result is not None
    assert case.result.readable and case.result.document.page_count == 1
    assert case.result.document.sha256 == submitted.receipt.sha256
    contract = case.result.to_contract()
    jsonschema.validate(contract, json.loads(SCHEMA.read_text()))
    assert [h.action for h in store.history(case.id)] == ["received", "extracted"]
    store.close()
