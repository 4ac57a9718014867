"""GraphQL for personal API tokens."""
