"""frab and pretalx schedules (schedule.json or schedule.xml) as seed documents, for `seed import-frab`.

Both formats are read into one neutral shape (`schedule.py`, by `read_json.py` and `read_xml.py`), then
translated once (`translate.py`, with the value parsers of `values.py`); the seed loader validates and stores
the document, so an import obeys the rules every other way of writing a meeting obeys.
"""

from __future__ import annotations

from collections.abc import Callable

from eventapp.seeding.frab.read_json import read_json
from eventapp.seeding.frab.read_xml import read_xml
from eventapp.seeding.frab.schedule import FrabSchedule
from eventapp.seeding.frab.translate import translate
from eventapp.seeding.problems import Problem, SeedError

__all__ = ["frab_to_seed", "read_schedule"]


def read_schedule(content: bytes | str, source: str) -> FrabSchedule:
    """The schedule in a schedule.json ('{') or schedule.xml ('<'); SeedError naming the place if not."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    head = data.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not head:
        raise SeedError(source, [Problem((), "the file is empty")])
    if head[:1] == b"{":
        schedule, problems = read_json(data)
    elif head[:1] == b"<":
        schedule, problems = read_xml(data)
    else:
        raise SeedError(
            source,
            [Problem((), "neither a schedule.json (starts with '{') nor a schedule.xml (starts with '<')")],
        )
    if schedule is None or problems:
        raise SeedError(source, problems)
    return schedule


def frab_to_seed(
    content: bytes, source: str, timezone: str | None = None, slug: str | None = None
) -> tuple[dict, Callable[[Problem], Problem]]:
    """The seed document for a frab/pretalx schedule.json or schedule.xml, and what puts a problem the loader
    finds in it at its place in the schedule file; SeedError naming every problem of the file itself."""
    document, problems, in_the_file = translate(read_schedule(content, source), timezone, slug)
    if problems:
        raise SeedError(source, problems)
    return document, in_the_file
