"""Labels: per-project names and colors that tasks carry."""
