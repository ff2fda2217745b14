"""The web face of sourcetrace: a FastAPI service with an analyse page, corpus pages and a JSON API.

`create_app(WebSettings(...))` builds the application; `sourcetrace serve` runs it under uvicorn.
Heavy parts (spaCy, DuckDB) load inside the app's start-up, not at import.
"""

from sourcetrace.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]


def create_app(settings: WebSettings | None = None):  # noqa: ANN201 - FastAPI imported lazily
    from sourcetrace.web.app import create_app as _create_app

    return _create_app(settings or WebSettings())
