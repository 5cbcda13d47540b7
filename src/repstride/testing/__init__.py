"""Generators of synthetic pose tracks with exact ground truth, for tests and benchmarks."""
