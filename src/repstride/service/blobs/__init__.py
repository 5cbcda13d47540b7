"""Blob stores: the local directory store (HMAC-signed URLs) and the S3 adapter."""
