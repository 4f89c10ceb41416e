"""Shared test support: a manual clock, a bounded wait, builders; typed (mypy --strict)."""
