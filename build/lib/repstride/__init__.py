"""repstride: self-hosted exercise and running video analysis."""

__version__ = "0.1.0"
