"""The risk register: risks per project, their links to tasks, and their forecast events."""
