"""GraphQL of Monte Carlo forecasts and project forecast snapshots."""
