"""What `yimen.settings` makes of the environment, read in a fresh Python process (settings
are read once, at start-up)."""

import json
import os
import subprocess
import sys
from pathlib import Path

SCALE_OUT_VARIABLES = ("YIMEN_CACHE_URL", "YIMEN_MEDIA_STORAGE", "YIMEN_REPLICA_URL", "AWS_")
READ_SETTINGS = """
import json
from yimen import settings
print(json.dumps({
    "CACHES": settings.CACHES,
    "STORAGES": settings.STORAGES,
    "DATABASES": settings.DATABASES,
    "DATABASE_ROUTERS": getattr(settings, "DATABASE_ROUTERS", []),
}, default=str))
"""


def environment(data_dir: Path, **variables: str) -> dict[str, str]:
    """This process's environment without its scale-out settings, plus `variables`."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith(SCALE_OUT_VARIABLES)}
    return kept | {"YIMEN_DATA_DIR": str(data_dir)} | variables


def read_settings(data_dir: Path, **variables: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", READ_SETTINGS],
        env=environment(data_dir, **variables),
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_from(data_dir: Path, **variables: str) -> dict:
    run = read_settings(data_dir, **variables)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)
