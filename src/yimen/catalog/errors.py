from yimen.errors import DomainError


class CatalogError(DomainError):
    """A catalog rule refused the change."""

    status = 422
