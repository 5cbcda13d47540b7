"""The Running Analysis API's service: api keys, analyses, their job and results."""
