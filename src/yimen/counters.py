"""Counters kept in database rows: case and licence numbers, queue tickets, statistics.

The increments are written as SQL by hand: they run on every filing and every counted
case event, and the ORM takes several times their cost to build the same statement (and
a second statement to read a new value back). `RETURNING` needs SQLite 3.35 or later
(Debian 12 has 3.40).
"""

from django.db import connection
from django.db.models import Model


def increment(model: type[Model], key: dict, increments: dict[str, int], returning: str = ""):
    """UPDATE … SET field = field + n WHERE <key> (a value None is IS NULL). The new value
    of `returning` (None when no row matched), or else how many rows changed."""
    meta, quote = model._meta, connection.ops.quote_name
    sets, where, params = [], [], []
    for name, n in increments.items():
        column = quote(meta.get_field(name).column)
        sets.append(f"{column} = {column} + %s")
        params.append(n)
    for name, value in key.items():
        found = meta.get_field(name)
        if value is None:
            where.append(f"{quote(found.column)} IS NULL")
        else:
            where.append(f"{quote(found.column)} = %s")
            params.append(found.get_db_prep_value(value, connection))
    sql = f"UPDATE {quote(meta.db_table)} SET {', '.join(sets)} WHERE {' AND '.join(where)}"
    if returning:
        sql += f" RETURNING {quote(meta.get_field(returning).column)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if not returning:
            return cursor.rowcount
        row = cursor.fetchone()
    return row[0] if row else None


def advance(model: type[Model], count: int = 1, **key) -> int:
    """Add `count` to the `value` of `model`'s row for `key` (made at its first use) and
    return the new value. The row stays locked until the transaction ends."""
    value = increment(model, key, {"value": count}, returning="value")
    if value is None:
        model.objects.get_or_create(**key)
        value = increment(model, key, {"value": count}, returning="value")
    return value
