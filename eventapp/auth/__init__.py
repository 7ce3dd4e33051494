"""API tokens and who may read and write what."""
