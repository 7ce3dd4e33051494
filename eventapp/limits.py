"""Text lengths shared by the columns and the schemas, so validation refuses what the database could not store."""

SLUG = 64
NAME = 200
SHORT = 64
TITLE = 500
URL = 500
LONG_TEXT = 20_000
LANGUAGE = 16
COUNTRY = 2
TIMEZONE = 64
