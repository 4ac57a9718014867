"""GraphQL surface of the risk register."""
