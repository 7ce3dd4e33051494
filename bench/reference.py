"""The references the benchmarks compare eventapp with, each run under the same gunicorn as the app.

`app`: a WSGI app with no framework and no database that answers the very bytes and headers eventapp
answered, and a bare 304 to any If-None-Match (for the feeds).

    REFERENCE_RESPONSES=path/to/responses.pickle gunicorn -w 2 bench.reference:app

`writes`: the floor of a write and a read through Flask and SQLAlchemy: a minimal Flask view doing one
SQLAlchemy Core insert with a commit, and one select of five rows, on the app's database with the app's engine
settings (SQLite in WAL mode, PostgreSQL's checked pool), in a table of its own.

    REFERENCE_DATABASE_URL=sqlite:///bench.sqlite3 gunicorn -w 2 bench.reference:writes
"""

from __future__ import annotations

import os
import pickle

# {path with query: (status line, [(header, value), ...], body bytes)}
RESPONSES: dict[str, tuple[str, list[tuple[str, str]], bytes]] = {}
if "REFERENCE_RESPONSES" in os.environ:
    with open(os.environ["REFERENCE_RESPONSES"], "rb") as handle:
        RESPONSES = pickle.load(handle)

NOT_MODIFIED = "304 Not Modified"


def app(environ, start_response):
    """Answer a captured response, or 304 when the client names any version."""
    path = environ.get("PATH_INFO", "")
    if environ.get("QUERY_STRING"):
        path += "?" + environ["QUERY_STRING"]
    status, headers, body = RESPONSES[path]
    if environ.get("HTTP_IF_NONE_MATCH"):
        start_response(NOT_MODIFIED, [h for h in headers if h[0] in ("ETag", "Cache-Control")])
        return [b""]
    start_response(status, headers)
    return [body]


def _writes_app():
    from flask import Flask, jsonify, request
    from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, insert, select

    from eventapp.db import make_engine, utcnow

    engine = make_engine(os.environ["REFERENCE_DATABASE_URL"])
    metadata = MetaData()
    rows = Table(
        "bench_reference_rows",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("title", String(200), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    metadata.create_all(engine)
    engine.dispose()  # gunicorn forks after this: each worker opens its own connections
    flask_app = Flask("reference")

    @flask_app.post("/insert")
    def insert_row():
        with engine.begin() as connection:
            new_id = connection.execute(
                insert(rows).values(title=request.get_json()["title"], created_at=utcnow())
            ).inserted_primary_key[0]
        return jsonify(id=new_id), 201

    @flask_app.get("/select")
    def select_rows():
        with engine.connect() as connection:
            found = connection.execute(select(rows.c.id, rows.c.title).order_by(rows.c.id).limit(5)).all()
        return jsonify(items=[{"id": i, "title": t} for i, t in found])

    return flask_app


writes = _writes_app() if "REFERENCE_DATABASE_URL" in os.environ else None
