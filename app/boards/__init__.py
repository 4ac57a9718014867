"""Boards: per-project columns and the cards (tasks) ordered in them."""
