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

# PostgreSQL's integer (ids, counts, positions): a larger number could not even be compared with a column.
MAX_INTEGER = 2**31 - 1
