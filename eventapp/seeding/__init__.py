"""Seed files: a whole meeting as YAML, validated and loaded through the same schemas and operations as the API."""
