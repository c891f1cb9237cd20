"""The exception root of every layer, and the numbered, user-facing reasons a file or page
could not be read, each with what to do next."""

from __future__ import annotations

from dataclasses import dataclass

from exportdesk.extract.model import Warning


class ExportdeskError(Exception):
    """The root of every error exportdesk raises on purpose. Its message says what went wrong
    and what to do; an interface (CLI, Streamlit) shows it as it is. Each layer has its own
    sub-class: ReadingError (extract), ModelError (trained models and the registry),
    ClassifyError (classify), StoreError and AuthError (review), ListFormatError (risk)."""


class ReadingError(ExportdeskError):
    """A file or page could not be read (extract/)."""


class ModelError(ExportdeskError):
    """A trained model is missing, altered, or cannot be trained or activated (models/)."""


@dataclass(frozen=True)
class InputProblem(ReadingError):
    """A file-level problem: the file cannot be read at all. Carries the contract warning."""

    code: str
    message: str

    def to_warning(self) -> Warning:
        return Warning(code=self.code, message=self.message, page=None)


# Each entry: code -> message template. Messages name the problem and the fix.
MESSAGES: dict[str, str] = {
    "not_a_regular_file": "'{name}' is not a regular file (a pipe, device or socket); "
    "exportdesk reads only files. Save the application as a file and process that.",
    "unreadable_path": "Cannot open '{name}': {detail}. Check the path and its permissions.",
    "empty_file": "'{name}' is empty (0 bytes). The upload or scan did not complete; "
    "ask the applicant to send the file again.",
    "file_too_large": "'{name}' is {size_mb:.0f} MB, over the {limit_mb:.0f} MB limit. "
    "Ask for a smaller file (scanned at 300 dpi in greyscale or black and white) or for the "
    "application in parts. To accept larger files, raise EXPORTDESK_MAX_PAGE_BYTES (bytes "
    "per page, times EXPORTDESK_MAX_PAGES) or set EXPORTDESK_MAX_FILE_BYTES, and restart.",
    "not_a_pdf": "'{name}' is not a PDF{kind}. Convert it to PDF (scan or 'Print to PDF') "
    "and submit it again.",
    "encrypted": "'{name}' is protected by a password. Ask the applicant for an unprotected "
    "copy; exportdesk does not accept or store passwords.",
    "truncated": "'{name}' is cut off before its end (no %%EOF marker) and cannot be "
    "repaired. The transfer was probably interrupted; ask for the file again.",
    "corrupt": "'{name}' is damaged and cannot be read ({detail}). Ask the applicant to "
    "export the PDF again.",
    "no_pages": "'{name}' is a valid PDF with no pages. Ask the applicant for the "
    "complete application.",
    "too_many_pages": "'{name}' has {pages} pages, over the limit of {limit}. Split the "
    "submission, or raise EXPORTDESK_MAX_PAGES.",
}


def problem(code: str, **fields: object) -> InputProblem:
    return InputProblem(code=code, message=MESSAGES[code].format(**fields))
