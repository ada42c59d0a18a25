"""Exit codes and the one usage error, shared by every command.

A ``UsageError`` is the user's mistake (a bad flag, a missing input, a bad configuration): the command prints its
message on one line and exits 2. Modules below the commands raise it directly (or a ``ValueError`` the command
turns into one), so there is exactly one class to catch.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_INTERNAL = 1  # a bug or an environment failure: one line and a traceback
EXIT_USAGE = 2  # bad usage: one line on stderr
EXIT_REJECTS = 3  # the reject rate exceeded --max-reject-rate (the output is still published)
EXIT_LOCKED = 4  # another run holds the output folder's lock
EXIT_TIMEOUT = 5  # stopped by --max-runtime: nothing published
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it): nothing published


class UsageError(Exception):
    """The user's mistake: printed as one line, exit 2."""
