"""People and organizations, shared by all conferences."""
