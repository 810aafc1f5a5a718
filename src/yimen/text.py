"""Text every database Yimen runs on can store and compare."""


def is_storable(text: str) -> bool:
    """False for text holding a NUL character (PostgreSQL refuses it even in a query) or a
    lone surrogate (a broken escape such as JSON's "\\ud800", which no encoder accepts)."""
    if "\x00" in text:
        return False
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True
