"""Conferences and what belongs to one: rooms, tracks and exhibitor booths."""
