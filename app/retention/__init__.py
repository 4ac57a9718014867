"""Retention: one purge coordinator over every bounded table, with a run log (seed 003)."""
