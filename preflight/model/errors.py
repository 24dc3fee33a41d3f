"""Input the user must fix before anything can be checked. Every command prints it as one line on
standard error and exits 2."""

from __future__ import annotations


class InputError(Exception):
    pass


class UsageError(InputError):
    """A command line that does not make sense (a missing file, options that contradict each other)."""
