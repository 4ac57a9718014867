"""Authentication: passwords, tokens and account flows."""
