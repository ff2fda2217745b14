"""Errors a user can cause. The CLI prints them as one line and exits 2; nothing here is a bug."""


class InputError(Exception):
    """Bad input: empty, binary, undecodable, too large, unreachable, refused, no article text."""

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message)
        self.source = source

    def __str__(self) -> str:
        msg = super().__str__()
        return f"{self.source}: {msg}" if self.source else msg


class ModelError(Exception):
    """A model file is missing or corrupt; the message names the make target that rebuilds it."""
