"""Measuring restricted-party screening: the labelled near-match benchmark."""
