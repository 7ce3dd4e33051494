"""Seed documents: a whole meeting, validated and loaded through the schemas and operations of the API."""
