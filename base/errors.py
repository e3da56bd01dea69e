"""The one error a command shows its user as it is."""

from __future__ import annotations


class UserError(Exception):
    """A Vietnamese message saying what is wrong and what to do; ``code`` is the exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code
