"""The learning wing for extraction: NER, label and linker models, training, evaluation."""
