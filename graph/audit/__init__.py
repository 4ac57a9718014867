"""GraphQL of the security audit log."""
