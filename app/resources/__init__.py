"""The resource pool of a workspace, assignments, resource usage and leveling."""
