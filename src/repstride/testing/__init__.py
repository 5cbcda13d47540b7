"""Synthetic motion with exact ground truth, for tests and benchmarks (never used by the service).

- :mod:`repstride.testing.exercise`: exercise repetitions of every activity, with known counts.
- :mod:`repstride.testing.running`: a stick-figure runner (side or back view) with exact
  touch-down / toe-off times.
"""
