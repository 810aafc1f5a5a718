"""How a name is spelt for search: its normal form and its toneless pinyin syllables.

The syllables are worked out once, when a version or a bundle is saved, and stored with
it; the public catalog reads them, so a web process that only serves pages never loads
pypinyin.
"""

import unicodedata


def normalise(text: str) -> str:
    """What queries and names are compared as: NFKC (full-width letters too), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def name_syllables(name: str) -> str:
    """Space-separated toneless pinyin; letters and digits outside Chinese count one each."""
    # Imported here, not at the top: its dictionaries cost ~56 MB of memory in every process.
    from pypinyin import lazy_pinyin

    parts = lazy_pinyin(normalise(name), errors=lambda text: [c for c in text if c.isalnum()])
    return " ".join(p for p in parts if p)
