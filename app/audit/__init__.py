"""The security audit log (app/audit/log.py)."""
