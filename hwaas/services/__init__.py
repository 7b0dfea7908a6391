"""Business rules; no Flask imports here."""
