"""The learning wing for extraction: NER training and retraining, evaluation, benchmarks."""
