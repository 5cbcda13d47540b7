"""The Running Analysis API's routes and wire schemas."""
