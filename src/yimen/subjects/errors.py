from yimen.errors import DomainError


class RateLimited(DomainError):
    """Asked again too soon (a one-time code resent within the waiting time)."""

    status = 429
