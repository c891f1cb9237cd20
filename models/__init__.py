"""Trained models and their lifecycle: datasets from decisions, retraining, registry, metrics."""
