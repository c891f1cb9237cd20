"""All tunable limits and locations, grouped by the layer that owns them and composed into one
validated object, with EXPORTDESK_* overrides."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SettingsGroup(BaseSettings):
    """Every field can be set from the environment as ``EXPORTDESK_<FIELD>`` (upper case)."""

    model_config = SettingsConfigDict(env_prefix="EXPORTDESK_", extra="ignore")


class ReadingSettings(SettingsGroup):
    """Reading a file: input limits, page reading and OCR, field extraction (extract/)."""

    max_file_bytes: int = Field(
        0,
        description="Largest PDF accepted, in bytes; 0 (the default) means max_pages x "
        "max_page_bytes, so a long scan is refused for its pages, not for its size.",
    )
    max_pages: int = Field(200, description="Most pages an application may have.")
    max_page_bytes: int = Field(
        2 * 1024 * 1024,
        description="Bytes allowed per page when max_file_bytes is 0 (default 2 MiB, 400 MiB "
        "for 200 pages). Scans at 300 dpi take 0.2 MB a page (the committed samples) to 1.1 MB "
        "(the generated 100-page scan of docs/benchmarks.md, 110 MB, which the former 100 MiB "
        "limit refused).",
    )
    max_image_pixels: int = Field(
        100_000_000,
        description="Largest embedded image (width x height) decoded; larger is treated "
        "as a decompression bomb and the page is not rendered.",
    )
    max_render_pixels: int = Field(
        60_000_000, description="Largest page raster OCR will render; bigger pages lower the DPI."
    )
    ocr_dpi: int = Field(300, description="Resolution at which scanned pages are rendered.")
    ocr_psm: int = Field(
        4, description="Tesseract page segmentation mode; 4 keeps table rows in order."
    )
    ocr_lang: str = Field(
        "eng+fra",
        description="Tesseract languages. 'eng+fra' read 95.3% of words on our scanned "
        "samples against 92.0% for 'eng' alone (names with diacritics), at ~1.5x the time. "
        "'Latin' (the script model, tesseract-ocr-script-latn) keeps far more diacritics "
        "(91% against 28% of such words on another author's scans) but read our own scans' "
        "tables worse; see docs/benchmarks-extract.md.",
    )
    ocr_in_process: bool = Field(
        True,
        description="Read pages with libtesseract loaded once per process (ctypes), kept for "
        "every later page and inherited by the reader children; false starts the tesseract "
        "command (and loads its models, about 0.18 s of CPU) for every page. Same words and "
        "boxes either way; falls back to the command when libtesseract is missing. A crash "
        "inside Tesseract now ends the document's reader child (a resource_limit warning for "
        "the document) where the command's crash cost one page.",
    )
    ocr_regions: Literal["page", "blocks"] = Field(
        "page",
        description="What one OCR call reads. 'page': the whole page image. 'blocks': a "
        "~75 dpi layout pass finds the text blocks (scanner specks and solid pictures left "
        "out), they are stacked into one image and read in one call (psm 6), and the words "
        "are moved back onto the page. Measured in docs/benchmarks.md (region-selective "
        "OCR): Tesseract's cost is the words it reads, so 'blocks' saves little; not the "
        "default.",
    )
    ocr_timeout_seconds: float = Field(
        120.0, description="Per-page OCR time limit; a slower page becomes a warning."
    )
    ocr_workers: int = Field(2, description="Pages OCR'd in parallel (one process each).")
    tessdata_dir: Path | None = Field(
        None, description="Alternative tessdata folder; None uses Debian's models."
    )
    text_layer_min_chars: int = Field(
        20, description="A page with fewer meaningful characters is treated as scanned."
    )
    deskew_min_degrees: float = Field(
        0.75,
        description="Scanned pages skewed by at least this much are levelled before OCR; "
        "0 turns levelling off. Measured in docs/benchmarks.md (skew sweep).",
    )
    ocr_remove_rulings: bool = Field(
        True, description="Paint table rules white before OCR (digits touching them misread)."
    )
    osd_retry_confidence: float = Field(
        0.55,
        description="If an OCR'd page's mean word confidence is below this, orientation "
        "detection runs and the page is re-read upright.",
    )
    ner_model_dir: Path | None = Field(
        None,
        description="Folder of the trained organisation NER (spaCy); None uses the registry's "
        "active ner version, <models_dir>/ner/<version>/model, checked against its manifest. "
        "Without a model, prose parties come from rules alone.",
    )
    max_read_memory_mb: int = Field(
        2048,
        description="Address space (MiB) reading one document may add, enforced with "
        "RLIMIT_AS in a forked child; a breach is the file warning resource_limit. 0 reads "
        "in-process with no limit (tests, debugging).",
    )
    max_read_seconds: float = Field(
        900.0,
        description="Wall-clock limit for reading one document (all its pages, OCR "
        "included); a breach is the file warning resource_limit.",
    )
    orientation_evidence_margin: float = Field(
        0.12,
        description="On a low-confidence page, ink above minus below the x-height band of "
        "the words read, over their sum, decides upright (>= margin) or upside down "
        "(<= -margin) without OSD; between, OSD (about 2 s a page) decides. Measured "
        "+0.28..+0.30 upright and -0.29..-0.30 upside down (docs/benchmarks.md); above 1 "
        "always asks OSD.",
    )

    @model_validator(mode="after")
    def _derive_file_limit(self) -> ReadingSettings:
        if self.max_file_bytes <= 0:
            self.max_file_bytes = self.max_pages * self.max_page_bytes
        return self


class ClassificationSettings(SettingsGroup):
    """Classification (classify/): catalogues searched, suggestions per item, the version."""

    default_catalogues: list[str] = Field(
        default_factory=lambda: ["eu-dual-use", "eu-military", "us-ccl", "us-usml"],
        description="Catalogues searched when a caller names none.",
    )
    top_k: int = Field(5, description="Suggestions per item.")
    classifier_version: str | None = Field(
        None,
        description="Classifier version folder under <models_dir>/classifier to load; None "
        "follows models/registry.json, else the newest version.",
    )
    authority: str | None = Field(
        None,
        description="The office's licensing authority: an EU member state (ISO alpha-2, e.g. "
        "DE), UK, or US. It decides the primary catalogues (EU and UK: eu-dual-use + "
        "eu-military, the UK lists following the same Wassenaar/EU texts; US: us-ccl + "
        "us-usml): their suggestions come first and the other jurisdiction's follow. "
        "None keeps one list ordered by confidence.",
    )


class StoreSettings(SettingsGroup):
    """The case store (review/): data folder, database, jobs and workers, the review screen."""

    data_dir: Path = Field(
        Path.home() / ".exportdesk", description="Where the case store keeps its files."
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; None means SQLite at <data_dir>/exportdesk.db."
    )
    cache_dir: Path | None = Field(
        None,
        description="Derived caches that are rebuilt when missing (the screening list's name "
        "index, keyed by the list's and the code's hashes); None means <data_dir>/cache. "
        "Deleting it is always safe.",
    )

    audit_key_file: Path | None = Field(
        None,
        description="Key file of the audit chain's HMAC ('<key-id> <hex>' lines, the first "
        "signs); None means ~/.config/exportdesk/audit.key. Keep it out of the database's "
        "backups (docs/security.md). EXPORTDESK_AUDIT_KEY, if set, is used instead.",
    )
    audit_anchor_file: Path | None = Field(
        None,
        description="Append-only file that each clean `audit verify` adds the chain's head "
        "to; None means <data_dir>/audit-anchors.log. Copy it off the machine regularly.",
    )

    low_confidence: float = Field(
        0.6, description="Facts and suggestions below this confidence are marked for checking."
    )
    start_worker: bool = Field(
        True, description="The review app starts a local job worker if none is running."
    )
    worker_poll_seconds: float = Field(1.0, description="How often an idle worker looks for jobs.")
    job_max_attempts: int = Field(
        3,
        description="Attempts a job gets (a crash, a lost lease or an error each use one); "
        "then it is marked failed with the reason and waits for an admin's retry.",
    )
    precedent_min_similarity: float = Field(
        0.90,
        description="Cosine similarity (MiniLM) above which an earlier item's description "
        "counts as near-identical; its numbers with units must also agree. Chosen on the "
        "seed-1 simulated stream, reported on seed 2 (docs/benchmarks.md).",
    )
    precedent_limit: int = Field(3, description="Most precedents shown for one item.")
    job_lease_seconds: float = Field(
        60.0,
        description="A running job belongs to its worker this long past the last heartbeat "
        "(renewed every third of it, and by progress); a worker that dies loses it then.",
    )
    job_time_limit_seconds: float = Field(
        3600.0,
        description="Hard limit for one attempt: past it the lease is no longer renewed (and "
        "Celery kills the task); the soft limit, 90% of it, raises in the task first.",
    )
    job_backend: Literal["embedded", "celery"] = Field(
        "embedded",
        description="embedded: local workers poll the case store (SQLite by default). "
        "celery: jobs are published to the broker and run by `celery ... worker`.",
    )
    broker_url: str = Field(
        "redis://127.0.0.1:6379/0", description="Celery broker (Redis) for job_backend=celery."
    )
    celery_queue: str = Field(
        "exportdesk", description="Celery queue (and Redis key prefix) for this installation."
    )
    job_pipeline: str | None = Field(
        None,
        description="module:function that reads a document in jobs; None is the real "
        "pipeline. Tests and benchmarks put a fake engine here (STYLE.md: engines behind "
        "small protocols).",
    )
    job_queue_limit: int = Field(
        500,
        description="Queued or running jobs beyond which intake refuses new uploads with a "
        "message to try later (a bounded queue).",
    )
    job_split_pages: int = Field(
        20,
        description="A document of more pages is read as page-range jobs of this many pages "
        "each, spread over all workers, and assembled (fields, classification, risk) by its "
        "own job when the last range is done. 0: always read a document in one job.",
    )
    max_worker_memory_mb: int = Field(
        0,
        description="Memory ceiling per worker process (data segment, inherited by its "
        "Tesseract children); a job that needs more fails with a clear reason. 0: no ceiling.",
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'exportdesk.db'}"


class SignInSettings(SettingsGroup):
    """Sign-in (review/auth.py): sessions, lockout, local accounts, the organisation's provider."""

    session_hours: float = Field(
        10.0, description="A local sign-in expires after this many hours (a working day)."
    )
    oidc_role_claim: str = Field(
        "roles", description="ID-token claim naming the exportdesk role under OIDC sign-in."
    )
    signin_free_failures: int = Field(
        3,
        description="Wrong passwords in a row from one client for one name before each "
        "further attempt must wait (1 s, then doubling). Never a lockout: the same name "
        "from another client is not slowed.",
    )
    signin_max_delay_seconds: float = Field(
        300.0, description="Longest wait between sign-in attempts of one client for one name."
    )
    local_accounts: bool = Field(
        True,
        description="Offer local-account sign-in; set false to allow only OIDC (when "
        "Streamlit's [auth] is configured).",
    )


class ModelSettings(SettingsGroup):
    """Trained models: where they live, the activation gate, retraining splits (models/)."""

    models_dir: Path = Field(
        Path(__file__).resolve().parent.parent / "models",
        description="The shipped models (read only): <models_dir>/<kind>/<version>/, the "
        "shipped registry.json and fixed-set evaluations. Nothing is written here when "
        "trained_models_dir (default <data_dir>/models) is elsewhere.",
    )
    trained_models_dir: Path | None = Field(
        None,
        description="Where retraining writes new versions, and where activations "
        "(registry.json) and fixed-set evaluations are recorded; None means "
        "<data_dir>/models. The registry lists the shipped and these versions together.",
    )
    activation_top1_tolerance: float = Field(
        0.0,
        description="A new classifier whose fixed-set top-1 is lower than the active one's "
        "by more than this is refused activation unless forced.",
    )
    activation_ece_tolerance: float = Field(
        0.02,
        description="A new classifier whose fixed-set calibration error exceeds the active "
        "one's by more than this is refused activation unless forced.",
    )
    retrain_heldout_percent: int = Field(
        20,
        description="Share of confirmed applications (whole applications, chosen by a hash "
        "of their document) kept out of retraining to measure it.",
    )
    retrain_calibration_percent: int = Field(
        10,
        description="Share of confirmed applications added to the calibration rows, never "
        "to the ranker's training rows.",
    )


class Settings(
    ReadingSettings, ClassificationSettings, StoreSettings, SignInSettings, ModelSettings
):
    """The one settings object, composed from each owner's group. A new field goes into its
    owner's group; ``tests/extract/test_settings_groups.py`` fails on a field defined here."""

    @property
    def trained_dir(self) -> Path:
        """Where trained model versions and the registry's records are written."""
        return self.trained_models_dir or self.data_dir / "models"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
