"""GraphQL of boards: columns, the board read and the card move."""
