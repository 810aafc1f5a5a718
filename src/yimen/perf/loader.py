"""Bulk rows into tables: COPY on PostgreSQL, batched INSERTs elsewhere.

Rows carry their own primary keys (allocated by `Ids`), so the rows of one table can
point at rows of another before either is written; `Loader.flush` writes the tables in
the order they were declared, parents before children.
"""

import datetime as dt
import io
import json
import queue
import threading
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max

FLUSH_ROWS = 50_000


def _text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dt.date):  # dates and aware datetimes
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _sql_value(value):
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


class Table:
    def __init__(self, model_or_name, columns: tuple[str, ...]):
        self.name = getattr(getattr(model_or_name, "_meta", None), "db_table", model_or_name)
        self.columns = columns
        self.rows: list[tuple] = []
        self.written = 0

    def add(self, *row) -> None:
        self.rows.append(row)

    def add_values(self, **values) -> None:
        """A row by column name; every column must be given."""
        self.rows.append(tuple(values[column] for column in self.columns))

    def take(self) -> "Batch":
        batch = Batch(self.name, self.columns, self.rows)
        self.written += len(self.rows)
        self.rows = []
        return batch


@dataclass(frozen=True)
class Batch:
    table: str
    columns: tuple[str, ...]
    rows: list[tuple]

    def write(self) -> None:
        if not self.rows:
            return
        columns = ", ".join(f'"{c}"' for c in self.columns)
        if connection.vendor == "postgresql":
            self._copy(columns)
        else:
            self._insert(columns)

    def _copy(self, columns: str) -> None:
        buffer = io.StringIO()
        for row in self.rows:
            buffer.write("\t".join(map(_text, row)))
            buffer.write("\n")
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f'COPY "{self.table}" ({columns}) FROM STDIN') as copy,
        ):
            copy.write(buffer.getvalue())

    def _insert(self, columns: str) -> None:
        marks = ", ".join(["%s"] * len(self.columns))
        with connection.cursor() as cursor:
            cursor.executemany(
                f'INSERT INTO "{self.table}" ({columns}) VALUES ({marks})',
                [tuple(map(_sql_value, row)) for row in self.rows],
            )


class Loader:
    """Tables written together, in the order they were declared."""

    def __init__(self):
        self.tables: list[Table] = []

    def table(self, model_or_name, *columns: str) -> Table:
        table = Table(model_or_name, columns)
        self.tables.append(table)
        return table

    def model_table(self, model) -> Table:
        """A table for every concrete field of the model, in their order."""
        return self.table(model, *(f.column for f in model._meta.concrete_fields))

    def take(self) -> list[Batch]:
        """The rows added so far, parents first, handed over for writing."""
        return [table.take() for table in self.tables]

    def flush(self) -> None:
        for batch in self.take():
            batch.write()

    def counts(self) -> dict[str, int]:
        return {t.name: t.written for t in self.tables}


class Writer:
    """Writes batches in the order given, each in a transaction of its own. On PostgreSQL
    a thread with its own connection writes while the caller makes the next batch (the
    database works on the other core); elsewhere, or inside the caller's transaction
    (whose rows another connection could not see), each batch is written at once."""

    def __init__(self):
        self.threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
        self.queue: queue.Queue = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._loop, daemon=True)
        if self.threaded:
            self.thread.start()

    def put(self, batches: list[Batch]) -> None:
        if self.error is not None:
            raise self.error
        if self.threaded:
            self.queue.put(batches)
        else:
            _write(batches)

    def close(self) -> None:
        if self.threaded:
            self.queue.put(None)
            self.thread.join()
        if self.error is not None:
            raise self.error

    def _loop(self) -> None:
        try:
            while (batches := self.queue.get()) is not None:
                if self.error is None:
                    try:
                        _write(batches)
                    except BaseException as error:  # told to the caller at its next put
                        self.error = error
        finally:
            connection.close()


def _write(batches: list[Batch]) -> None:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Generated rows can be generated again: no need to wait for the disk at commit.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        for batch in batches:
            batch.write()


class Ids:
    """The next primary keys of a model, handed out in memory; `reset_sequences` tells the
    database afterwards."""

    def __init__(self, model):
        self.model = model
        self.next = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    def take(self) -> int:
        self.next += 1
        return self.next - 1


def reset_sequences(models) -> None:
    """Move the id sequences past the ids written (PostgreSQL; SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
