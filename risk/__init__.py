"""Risk signals beside the classification: party screening, end-use red flags, consistency."""
