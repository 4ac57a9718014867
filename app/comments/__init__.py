"""Comments on tasks: plain text or markdown rendered to sanitized HTML on the server."""
