"""Benchmarks: synthetic meetings, the schedule-publishing benchmark and its bare reference."""
