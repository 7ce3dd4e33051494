"""Attendee registration: seats in the meeting and its capacity-limited sessions, waitlists, check-in."""
