"""Errors that the user caused and can fix: printed, never shown as tracebacks."""

from __future__ import annotations

from twin.problems import Problem


class UserError(Exception):
    """A mistake in the user's input (a file, an argument, an edit).

    The message is complete on its own: it names the file or the place, what
    was wrong and what is allowed.
    """


class ValidationError(UserError):
    """A layout or scenario that breaks the schema or the hall's rules.

    Parameters
    ----------
    problems : list of Problem
        Every problem found, each with its location and message.
    """

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, message: str, file: str = "", path: str = "") -> ValidationError:
        """An error with one problem."""
        return cls([Problem(file, path, message)])
