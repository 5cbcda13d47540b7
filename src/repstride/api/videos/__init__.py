"""The Video API's routes and wire schemas."""
