"""GraphQL surface of task comments."""
