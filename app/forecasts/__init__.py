"""Monte Carlo forecasts: requesting runs, running them (RQ or in-process), and the project
forecast snapshots that chart how the finish date drifts over time."""
