"""The WSGI entry point: `flask --app wsgi ...` and `gunicorn wsgi:app`.

Settings in a `.env` or `.flaskenv` file (python-dotenv) are read here as the `flask` command reads them, so
the server and the CLI see the same DATABASE_URL without repeating it; the environment wins over the files.
"""

from flask.cli import load_dotenv
from flask.helpers import get_load_dotenv

from eventapp import create_app

if get_load_dotenv():  # FLASK_SKIP_DOTENV=1 turns it off, for the server as for the command
    load_dotenv()
app = create_app()
