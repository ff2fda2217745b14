"""The package version (also in pyproject.toml): its own module, so parts can name it without importing
the package front, which imports them."""

__version__ = "0.1.0"
