"""The REST API and web app (FastAPI): ``create_app(Settings(...))``; models load at start-up, never at import."""
