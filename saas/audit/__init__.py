"""The access log of personal data."""
