"""spaCy is imported without its command-line package, and that package still works later."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
import exportdesk.extract.nlp as nlp
before = sorted(m for m in ("spacy.cli", "weasel", "requests", "torch") if m in sys.modules)
doc = nlp.blank().make_doc("Kestrel Optik GmbH & Co. KG")
import spacy
info = spacy.info(markdown=False)
import spacy.cli
print(json.dumps({
    "before": before,
    "tokens": len(doc),
    "info_has_version": "spacy_version" in info,
    "cli_real": hasattr(spacy.cli, "train") and spacy.cli.__file__ is not None,
}))
"""


def test_spacy_loads_without_cli_and_the_cli_still_works_afterwards():
    run = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=300, check=True
    )
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["before"] == []
    assert out["tokens"] > 3
    assert out["info_has_version"] and out["cli_real"]
