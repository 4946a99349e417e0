"""gunicorn entry point: `gunicorn wsgi:app` (with WORKBAY_ENV=production)."""

from saas import create_app

app = create_app()
