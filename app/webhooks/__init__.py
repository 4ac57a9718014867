"""Signed webhooks: endpoints, the delivery outbox, the deliverer and its SSRF guard."""
