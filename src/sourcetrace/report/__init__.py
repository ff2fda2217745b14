"""Human-readable renderings of a Report (the JSON form is `Report.to_json`)."""

from sourcetrace.report.text import render

__all__ = ["render"]
