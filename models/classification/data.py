"""Where the classifier's labelled data lives: training rows and the evaluation sets."""

from __future__ import annotations

from pathlib import Path

# The data stays beside the catalogues it was built from (classify/); only code moved here.
SOURCE_ROOT = Path(__file__).resolve().parents[2]
TRAINING_DIR = SOURCE_ROOT / "classify" / "trainingdata"
EVALSET_DIR = SOURCE_ROOT / "classify" / "evalset"
TRAIN_FILES = (
    TRAINING_DIR / "train_items.jsonl",
    TRAINING_DIR / "labelled_examples.jsonl",
)
FIXED_SET = EVALSET_DIR / "heldout_eval_items.jsonl"
CALIBRATION_SET = EVALSET_DIR / "calibration_items_independent.jsonl"
