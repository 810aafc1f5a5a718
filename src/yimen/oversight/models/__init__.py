"""Oversight's models, one module per area; each is imported here so Django finds it."""

from yimen.oversight.models.audit import *  # noqa: F403
from yimen.oversight.models.complaints import *  # noqa: F403
from yimen.oversight.models.exchange import *  # noqa: F403
from yimen.oversight.models.ratings import *  # noqa: F403
from yimen.oversight.models.stats import *  # noqa: F403
from yimen.oversight.models.supervision import *  # noqa: F403
