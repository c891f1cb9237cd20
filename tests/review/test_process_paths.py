"""Many files through `process_paths`: the next file is read in its child while this one is
interpreted, results come back in order and equal to one file at a time, and a consumer that
stops early leaves no reader behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from exportdesk.extract.settings import Settings
from exportdesk.review import pipeline

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "pdfs"
DIGITAL = sorted(p for p in SAMPLES.glob("*.pdf") if not p.stem.endswith("-scan"))[:3]


def _comparable(result) -> dict:
    data = result.to_contract()
    for page in data["document"]["pages"]:
        page.pop("seconds", None)
    return data


@pytest.mark.parametrize("memory_mb", [2048, 0], ids=["forked", "in-process"])
def test_results_in_order_and_equal_to_one_at_a_time(tmp_path, memory_mb):
    settings = Settings(data_dir=tmp_path, max_read_memory_mb=memory_mb)
    assert len(DIGITAL) == 3
    seen: list[tuple[int, int, int]] = []
    batch = list(
        pipeline.process_paths(
            DIGITAL,
            settings,
            progress_for=lambda i: lambda done, total: seen.append((i, done, total)),
        )
    )
    single = [pipeline.process_path(p, settings) for p in DIGITAL]
    assert [r.document.filename for r in batch] == [p.name for p in DIGITAL]
    assert [_comparable(r) for r in batch] == [_comparable(r) for r in single]
    assert batch[0].parties and batch[0].items  # interpreted, not only read
    # every file reported its pages, in file order
    assert [i for i, _, _ in seen] == sorted(i for i, _, _ in seen)
    assert {i for i, _, _ in seen} == {0, 1, 2}


def _record_events(monkeypatch) -> list[str]:
    events: list[str] = []
    real_start, real_interpret = pipeline.start_limited, pipeline._interpret

    def start(read, name, settings):
        events.append(f"start {Path(name).name} ({settings.ocr_workers} OCR)")
        return real_start(read, name, settings)

    def interpret(result, settings, suggestions, suggest=None, risk=None):
        events.append(f"interpret {result.document.filename}")
        return real_interpret(result, settings, suggestions, suggest, risk)

    monkeypatch.setattr(pipeline, "start_limited", start)
    monkeypatch.setattr(pipeline, "_interpret", interpret)
    monkeypatch.setattr(pipeline, "warm_up", lambda s, sug, **_: events.append("warm up"))
    return events


def test_next_file_starts_before_this_one_is_interpreted(tmp_path, monkeypatch):
    """One OCR worker: one file is read at a time, the next while this one is interpreted."""
    events = _record_events(monkeypatch)
    a, b = DIGITAL[:2]
    settings = Settings(data_dir=tmp_path, ocr_workers=1)
    list(pipeline.process_paths([a, b], settings, suggestions=False))
    assert events == [
        f"start {a.name} (1 OCR)",
        "warm up",  # models load while the first file is read
        f"start {b.name} (1 OCR)",  # b is read while a is interpreted
        f"interpret {a.name}",
        f"interpret {b.name}",
    ]


def test_two_ocr_workers_read_two_files_at_once(tmp_path, monkeypatch):
    """Two OCR workers and several files: two files are read at once, so a one-page file no
    longer leaves a core idle; a third starts when the first is in."""
    events = _record_events(monkeypatch)
    a, b, c = DIGITAL[:3]
    settings = Settings(data_dir=tmp_path, ocr_workers=2)
    list(pipeline.process_paths([a, b, c], settings, suggestions=False))
    assert events == [
        f"start {a.name} (2 OCR)",
        f"start {b.name} (2 OCR)",
        "warm up",
        f"start {c.name} (2 OCR)",  # a is in: c is read beside b while a is interpreted
        f"interpret {a.name}",
        f"interpret {b.name}",
        f"interpret {c.name}",
    ]


def test_consumer_stopping_early_ends_the_reader_ahead(tmp_path, monkeypatch):
    started = []
    real_start = pipeline.start_limited

    def start(read, name, settings):
        pending = real_start(read, name, settings)
        started.append(pending.pid)
        return pending

    monkeypatch.setattr(pipeline, "start_limited", start)
    results = pipeline.process_paths(DIGITAL, Settings(data_dir=tmp_path), suggestions=False)
    first = next(results)
    assert first.document.filename == DIGITAL[0].name
    # two OCR workers: the second and third files' children are reading ahead
    assert len(started) == 3 and all(pid is not None for pid in started)
    results.close()
    import time

    for pid in started[1:]:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            pytest.fail("a child reading ahead was still alive after the consumer stopped")


def test_no_files_no_work(tmp_path):
    assert list(pipeline.process_paths([], Settings(data_dir=tmp_path))) == []


def test_warm_up_loads_what_the_stages_then_reuse(tmp_path):
    from exportdesk.classify import api
    from exportdesk.classify.criteria import load_criteria
    from exportdesk.extract import linker, nlp
    from exportdesk.risk import screening

    settings = Settings(data_dir=tmp_path)
    pipeline.warm_up(settings)
    caches = [
        api.load_classifier,
        load_criteria,
        nlp._checked_ner,
        linker.load_model,
        linker.load_label_model,
        screening._index_for,
    ]
    loaded = [cache.cache_info().currsize for cache in caches]
    assert all(loaded), "warm-up left something unloaded"
    misses = [cache.cache_info().misses for cache in caches]
    result = pipeline.process_path(DIGITAL[0], settings)
    assert result.items and result.items[0].suggestions
    assert [cache.cache_info().misses for cache in caches] == misses  # nothing loaded twice


@pytest.mark.ocr
def test_readers_inherit_tesseracts_version_and_languages(tmp_path, monkeypatch):
    """Before: each reader child started Tesseract for `--version` and `--list-langs` (per OCR
    thread when two asked at once). After the first scanned file the parent asks once and
    the next children inherit the answers. Pages are read by the command here (the shim
    logs each call); in-process reading has its own tests (test_tesseract_in_process.py)."""
    import shutil
    import sys

    import pytesseract

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import builders

    from exportdesk.extract import ocr

    log = tmp_path / "calls.log"
    shim = tmp_path / "bin" / "tesseract"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {shutil.which("tesseract")} "$@"\n')
    shim.chmod(0o755)
    monkeypatch.setenv("PATH", f"{shim.parent}:{os.environ['PATH']}")
    ocr.usable_languages.cache_clear()
    monkeypatch.setattr(pipeline, "_ocr_warm", False)  # this process has not read a scan yet
    version = pytesseract.get_tesseract_version
    monkeypatch.setattr(version, "_result", version)  # run_once's "not asked yet"
    scans = []
    for seed in range(4):
        scans.append(tmp_path / f"scan{seed}.pdf")
        scans[-1].write_bytes(builders.scanned_pdf(seed=seed))
    # one OCR worker: one reader at a time, so the count is about inheritance, not the window
    settings = Settings(data_dir=tmp_path, ocr_in_process=False, ocr_workers=1)
    results = list(pipeline.process_paths(scans, settings, suggestions=False))
    assert all(r.document.pages[0].source == "ocr" and r.document.pages[0].words for r in results)
    calls = log.read_text().splitlines()
    pages = sum(len(r.document.pages) for r in results)
    assert sum(".pgm" in c for c in calls) == pages  # every page read once
    # the first child may ask (once per OCR thread), then the parent once; 4 children
    # asking for themselves would make at least 4 of each
    assert sum(c.strip() == "--version" for c in calls) <= 3
    assert sum(c.strip() == "--list-langs" for c in calls) <= 3


@pytest.mark.parametrize(
    ("error", "code"),
    [("artefact", "model_integrity_failed"), ("bug", "classification_failed")],
)
def test_classification_process_errors_become_the_same_warnings(tmp_path, monkeypatch, error, code):
    """The forked classifier inherits this process's code, so a patched suggest_many fails
    in the child; its error must come back as the warning an in-process call gives."""
    import exportdesk.classify as classify
    from exportdesk.classify.artefact import ArtefactError
    from exportdesk.review import suggestion_process

    parent_calls = []

    def broken(*args, **kwargs):
        parent_calls.append(args)  # only a call in this process is seen here
        if error == "artefact":
            raise ArtefactError("model.npz does not match its manifest")
        raise ValueError("a bug")

    monkeypatch.setattr(classify, "suggest_many", broken)
    children = []
    real = suggestion_process.SuggestionProcess.__init__

    def init(self, *args):
        real(self, *args)
        children.append(self.pid)

    monkeypatch.setattr(suggestion_process.SuggestionProcess, "__init__", init)
    [result] = pipeline.process_paths(DIGITAL[:1], Settings(data_dir=tmp_path))
    assert len(children) == 1 and children[0] is not None
    assert parent_calls == []  # classified in the child, not here
    warning = next(w for w in result.warnings if w.code == code)
    assert ("does not match its manifest" if error == "artefact" else "a bug") in warning.message
    assert all(not item.suggestions for item in result.items)
    with pytest.raises(ChildProcessError):  # closed and reaped
        os.waitpid(children[0], os.WNOHANG)


def test_risk_checks_run_in_the_classification_process(tmp_path, monkeypatch):
    """The screening index is loaded and the risk checks run in the forked process, not here,
    and give the result an in-process run gives."""
    from exportdesk.risk import assess, screening

    parent_calls = []
    real = assess.attach_risk

    def counted(result, data_dir=None):
        parent_calls.append(result.document.filename)  # only a call here is seen here
        real(result, data_dir)

    settings = Settings(data_dir=tmp_path)
    expected = _comparable(pipeline.process_path(DIGITAL[0], settings))
    screening._index_for.cache_clear()
    monkeypatch.setattr(assess, "attach_risk", counted)
    [result] = pipeline.process_paths(DIGITAL[:1], settings)
    assert parent_calls == []
    assert screening._index_for.cache_info().currsize == 0  # nor its index loaded here
    assert "risk" in result.versions and "screening_list" in result.versions
    assert _comparable(result) == expected


def test_risk_checks_run_here_when_the_classification_process_cannot(tmp_path, monkeypatch):
    from exportdesk.review.suggestion_process import SuggestionProcess, SuggestionProcessError

    def refuse(self, result):
        raise SuggestionProcessError("the classification process stopped without an answer")

    settings = Settings(data_dir=tmp_path)
    expected = _comparable(pipeline.process_path(DIGITAL[0], settings))
    monkeypatch.setattr(SuggestionProcess, "assess_risk", refuse)
    [result] = pipeline.process_paths(DIGITAL[:1], settings)
    assert "risk" in result.versions
    assert _comparable(result) == expected


def test_a_worker_loads_the_reading_modules_once_for_its_readers():
    """The command line leaves the reading modules to its first reader child; the worker's
    entry points import them before forking, so each document's child inherits them."""
    from probes import run_fresh

    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from exportdesk.extract.settings import Settings\n"
        "from exportdesk.review.pipeline import process_bytes\n"
        f"data = Path({str(DIGITAL[0])!r}).read_bytes()\n"
        "before = 'pdfplumber' in sys.modules\n"
        "process_bytes(data, 'a.pdf', Settings(max_read_memory_mb=2048), suggestions=False)\n"
        "print(before, 'pdfplumber' in sys.modules)\n"
    )
    assert run_fresh(probe).split() == ["False", "True"]


def test_a_worker_loads_tesseract_once_after_its_first_scan(monkeypatch):
    """A long-lived worker's entry points load Tesseract in the parent after the first
    scanned document (its later reader children inherit it loaded); never for text-layer
    documents, and never twice."""
    from exportdesk.extract.model import ApplicationResult, DocumentInfo, Page

    def read(source: str) -> ApplicationResult:
        return ApplicationResult(
            document=DocumentInfo(
                filename="x.pdf",
                sha256="0" * 64,
                page_count=1,
                pages=[Page(page=1, source=source, width=595, height=842)],
            )
        )

    pages = iter(["text_layer", "ocr", "ocr", "text_layer"])
    monkeypatch.setattr(pipeline, "read_limited", lambda *a, **k: read(next(pages)))
    monkeypatch.setattr(pipeline, "_ocr_warm", False)
    warmed = []
    monkeypatch.setattr(pipeline, "_warm_up_ocr", lambda s: warmed.append(s) or True)
    settings = Settings(max_read_memory_mb=2048)
    pipeline.process_bytes(b"%PDF", "a.pdf", settings, suggestions=False)
    assert warmed == []  # a text-layer document: no Tesseract
    pipeline.process_bytes(b"%PDF", "b.pdf", settings, suggestions=False)
    assert warmed == [settings]
    pipeline.read_page_range(b"%PDF", "c.pdf", range(0, 1), settings)
    pipeline.process_bytes(b"%PDF", "d.pdf", settings, suggestions=False)
    assert warmed == [settings]  # once per process
