"""Domain errors of the worktime app: a stable ``code`` and a Chinese message."""

from yimen.errors import InvalidInput


class CalendarError(InvalidInput):
    """Raised when an entered calendar year is invalid."""

    def __str__(self) -> str:
        return self.message
