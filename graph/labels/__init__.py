"""GraphQL of labels: per-project labels and their attachment to tasks."""
