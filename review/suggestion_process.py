"""Classification and risk checks in a forked process of their own, for `process_paths`.

Loading the classifier (artefacts, embedder, criteria, unit table) and the screening list's
name index is the larger part of a command's start-up. Forked at the start, this process
loads them on the second core while the first loads spaCy and extracts; descriptions then go
to it over a pipe and the suggestions come back as JSON (the classifier's own output, so
nothing untrusted is parsed), and the extracted result goes to it for the risk checks, which
come back as the result with their findings. Errors come back by kind, so the caller turns
them into the same warnings as an in-process call: a model error (`ArtefactError`) stays a
`ModelError`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from pathlib import Path
from typing import Any

from exportdesk.extract.errors import ExportdeskError, ModelError
from exportdesk.extract.model import ApplicationResult, Suggestion
from exportdesk.extract.ranges import dump_result, load_result


class SuggestionProcessError(ExportdeskError):
    """The classification process failed or stopped; the message says how (shown as the
    result's classification_failed warning)."""


class SuggestionProcess:
    """A child that answers `suggest_many` and `assess_risk` requests, one JSON line each way.

    ``data_dir`` is the case store folder whose screening list the risk checks use.
    """

    def __init__(self, data_dir: Path | None = None) -> None:
        req_r, req_w = os.pipe()
        res_r, res_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(req_w)
            os.close(res_r)
            _serve(req_r, res_w, data_dir)
        os.close(req_r)
        os.close(res_w)
        self.pid: int | None = pid
        self._requests = os.fdopen(req_w, "w", encoding="utf-8")
        self._responses = os.fdopen(res_r, "r", encoding="utf-8")

    def suggest_many(
        self, descriptions: list[str], catalogues: list[str] | None = None, top_k: int = 5
    ) -> list[list[Suggestion]]:
        request = {"descriptions": descriptions, "catalogues": catalogues, "top_k": top_k}
        answer = self._ask(request)
        if "suggestions" in answer:
            return [
                [Suggestion.model_validate(s) for s in found] for found in answer["suggestions"]
            ]
        if answer.get("kind") == "model":  # ArtefactError and the like: same warning
            raise ModelError(answer["message"])
        raise SuggestionProcessError(f"{answer.get('type', 'Error')}: {answer.get('message')}")

    def assess_risk(self, result: ApplicationResult) -> ApplicationResult:
        """``result`` with the risk checks' findings and versions (`risk.assess.attach_risk`),
        as a new object; SuggestionProcessError if they could not run there."""
        answer = self._ask({"risk": dump_result(result)})
        if "result" in answer:
            return load_result(answer["result"])
        raise SuggestionProcessError(f"{answer.get('type', 'Error')}: {answer.get('message')}")

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.pid is None:
            raise SuggestionProcessError("the classification process was closed")
        try:
            self._requests.write(json.dumps(request) + "\n")
            self._requests.flush()
            line = self._responses.readline()
        except OSError as exc:
            raise SuggestionProcessError(f"the classification process stopped ({exc})") from exc
        if not line:
            raise SuggestionProcessError("the classification process stopped without an answer")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        """End the child: close its input (it exits on end of file), then make sure."""
        if self.pid is None:
            return
        pid, self.pid = self.pid, None
        with contextlib.suppress(OSError):
            self._requests.close()
        with contextlib.suppress(OSError):
            self._responses.close()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def _serve(req_r: int, res_w: int, data_dir: Path | None) -> None:
    code = 0
    try:
        from exportdesk.classify import suggest_many, warm_up
        from exportdesk.risk.assess import attach_risk
        from exportdesk.risk.screening import screening_index

        with contextlib.suppress(Exception):  # a failure here is answered per request below
            warm_up()
        with contextlib.suppress(Exception):
            screening_index(data_dir)
        requests = os.fdopen(req_r, "r", encoding="utf-8")
        responses = os.fdopen(res_w, "w", encoding="utf-8")
        for line in requests:
            request = json.loads(line)
            answer: dict[str, Any]
            try:
                if "risk" in request:
                    result = load_result(request["risk"])
                    attach_risk(result, data_dir)
                    answer = {"result": dump_result(result)}
                else:
                    found = suggest_many(
                        request["descriptions"], request["catalogues"], request["top_k"]
                    )
                    answer = {
                        "suggestions": [[s.model_dump(mode="json") for s in f] for f in found]
                    }
            except ModelError as exc:
                answer = {"kind": "model", "message": str(exc)}
            except Exception as exc:
                answer = {"kind": "other", "type": type(exc).__name__, "message": str(exc)}
            responses.write(json.dumps(answer) + "\n")
            responses.flush()
    except BaseException:
        code = 4
    finally:
        os._exit(code)
