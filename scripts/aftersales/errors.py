"""What can go wrong, sorted by what the user must do about it.

The command maps each kind to its exit code: problems with the connection or
the command line are 2 (nothing was done), a server's refusal of one code or
row is reported and counted as 1.
"""

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE = 0, 1, 2


class AftersalesError(Exception):
    """Base of every error the command reports without a traceback."""


class ConfigError(AftersalesError):
    """The profile is missing or invalid."""


class ConnectionProblem(AftersalesError):
    """The server cannot be used at all: nothing was done."""

    kind = "connection problem"


class Unreachable(ConnectionProblem):
    """No answer: wrong URL, server down, network, timeout."""

    kind = "server unreachable"


class WrongDatabase(ConnectionProblem):
    """The server answered, but has no such database."""

    kind = "wrong database"


class BadCredentials(ConnectionProblem):
    """The server refused the login and password or API key."""

    kind = "bad credentials"


class MissingAddon(ConnectionProblem):
    """The server lacks an add-on the command needs."""

    kind = "add-on missing"


class TransientError(AftersalesError):
    """Worth retrying: the connection was cut, or the server answered that a
    concurrent transaction won (serialization failure) after its own retries."""


class ServerError(AftersalesError):
    """The server answered a call with an error (a UserError, an access error...)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message

    @property
    def is_user_error(self) -> bool:
        return self.name.endswith(("UserError", "ValidationError", "AccessError", "MissingError"))
