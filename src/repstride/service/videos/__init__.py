"""The Video API's service: videos, their jobs and artifacts."""
