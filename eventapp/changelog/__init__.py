"""The schedule's change log: one row per session and kind of change, written with the version bump."""
