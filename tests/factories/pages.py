"""Reading pages as a person sees them, and a browser-less client signed in as someone."""

import re
from html import unescape

from django.test import Client


def text(response) -> str:
    """The page as a reader sees it: scripts, styles and tags dropped, whitespace collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", unescape(body))


def signed_in(account) -> Client:
    client = Client()
    client.force_login(account)
    return client
