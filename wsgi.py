"""WSGI entry point: `gunicorn wsgi:app`."""

from statements import create_app

app = create_app()
