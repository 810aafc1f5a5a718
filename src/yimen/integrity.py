"""What `yimen check-integrity` reports: one broken invariant, on one object.

Each app lists the problems in its own data with `selectors.integrity_problems()`;
this module holds only what they share.
"""

import hashlib
from dataclasses import dataclass

from django.utils.translation import gettext as _

READ_CHUNK = 1 << 20


@dataclass(frozen=True)
class Problem:
    code: str  # which invariant is broken, stable for scripts
    obj: str  # the object, as staff name it (办件 220105-20250926-0001)
    message: str  # what is wrong with it, in Chinese

    def __str__(self) -> str:
        return f"{self.obj}：{self.message}"


def sha256_of(stream) -> tuple[str, int]:
    """The SHA-256 (hex) and the length of what is left to read in a binary stream, read a
    chunk at a time."""
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: stream.read(READ_CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def file_sha256(file) -> str:
    with file.storage.open(file.name, "rb") as stored:
        return sha256_of(stored)[0]


def file_fault(file, sha256: str = "") -> str | None:
    """Why a stored file (a FieldFile) is not what its row says, or None when it is.

    Without `sha256` only its presence is checked."""
    if not file.name:
        return _("没有登记文件。")
    if not file.storage.exists(file.name):
        return _("文件 %(f)s 不存在。") % {"f": file.name}
    if sha256 and file_sha256(file) != sha256:
        return _("文件 %(f)s 的 SHA-256 与登记的不符：文件已被改动。") % {"f": file.name}
    return None
