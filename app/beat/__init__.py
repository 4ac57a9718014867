"""The beat: the periodic-job scheduler process (`trueppm beat`) and its heartbeat."""
