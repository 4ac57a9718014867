"""GraphQL surface of object change history."""
