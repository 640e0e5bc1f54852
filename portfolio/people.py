"""The one rule for naming people on pages, exports and reports."""

from portfolio.money import NO_VALUE

NOBODY = NO_VALUE  # the dash every page shows for a missing value


def display_name(user, *, first_name: str = "", last_name: str = "", username: str = "") -> str:
    """A user's full name, else their username, else a dash. Rows read with `.values()` pass the
    three fields instead of a user object."""
    if user is not None:
        first_name, last_name, username = user.first_name, user.last_name, user.get_username()
    full = f"{first_name or ''} {last_name or ''}".strip()
    return full or username or NOBODY
