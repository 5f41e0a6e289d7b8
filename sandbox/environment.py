"""The minimal, secret-free environment a sandboxed run sees."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

_SECRET = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH", re.IGNORECASE)
_SECRET_PREFIXES = ("ANTHROPIC_", "OPENAI_", "AWS_", "GOOGLE_", "AZURE_", "CODEGEN_")
# Only these host variables are considered at all; everything else is dropped.
_PASSTHROUGH = ("LANG", "LC_ALL", "TZ")


def is_secret(name: str) -> bool:
    return bool(_SECRET.search(name)) or name.upper().startswith(_SECRET_PREFIXES)


def sandbox_env(
    *,
    home: str,
    tmp: str = "/tmp",
    path: str = "/usr/local/bin:/usr/bin:/bin",
    host: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """PATH, a throwaway HOME, a locale and reproducible hashing; no secrets, no host HOME."""
    host = os.environ if host is None else host
    env = {k: host[k] for k in _PASSTHROUGH if k in host and not is_secret(k)}
    env.setdefault("LANG", "C.UTF-8")
    env.update(
        {
            "PATH": path,
            "HOME": home,
            "USER": "sandbox",
            "LOGNAME": "sandbox",
            "TMPDIR": tmp,
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONHASHSEED": "0",
            "PYTHONUNBUFFERED": "1",
            "PYTHONIOENCODING": "utf-8",
            "NO_COLOR": "1",
        }
    )
    return env
