"""Parameter types shared by the routers.

A row id outside the database's integer range names no row; the schema says so,
so such a value is refused as a bad request (422) before any query is made.
"""

from typing import Annotated

from pydantic import Field

# Primary keys are signed 64-bit integers (PostgreSQL's bigint, SQLite's INTEGER).
MAX_ROW_ID = 2**63 - 1

RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]
