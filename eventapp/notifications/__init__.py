"""Telling people what happened: an outbox written with each change, delivered by a job queue as email (with
iMIP invites) and signed webhooks."""
