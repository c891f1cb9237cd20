"""The learning wing for the classifier: training, calibration fitting, evaluation, benchmarks."""
