"""Webhooks shared by the Running Analysis API and the Video API: configuration, signed
deliveries stored as rows and sent by the workers with retries."""
