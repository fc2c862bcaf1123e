"""Where the console works and how it is reached, from the environment (docs/STAFF.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: the project the console edits by default: this checkout
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PORT = 8081


class SettingsError(ValueError):
    """A setting the console cannot start with; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    #: the project (a git work tree) whose content the console reads and changes
    project: Path = ROOT
    #: accounts, sessions, approvals (SQLite; private to the user running the console)
    database: Path = ROOT / "var" / "staff.db"
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    #: cookies marked Secure: set when the console is reached through an HTTPS proxy
    secure_cookies: bool = False
    #: the secret the Rasa servers of `make serve` send to fetch the model (staff/model_server.py);
    #: none: the console serves no model
    model_token: str = ""

    @classmethod
    def from_environment(cls) -> "Settings":
        """STAFF_PROJECT, STAFF_DATABASE, STAFF_PORT, STAFF_SECURE_COOKIES (1 behind HTTPS),
        STAFF_MODEL_TOKEN (set by scripts/serve).
        The console always listens on loopback: a proxy on the same machine publishes it
        (docs/DEPLOY.md)."""
        project = Path(os.environ.get("STAFF_PROJECT") or ROOT).resolve()
        database = Path(os.environ.get("STAFF_DATABASE") or project / "var" / "staff.db")
        port_text = os.environ.get("STAFF_PORT") or str(DEFAULT_PORT)
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise SettingsError(f"STAFF_PORT must be a port number, not '{port_text}'")
        secure = (os.environ.get("STAFF_SECURE_COOKIES") or "0").strip().lower()
        if secure not in ("0", "1", "yes", "no", "true", "false"):
            raise SettingsError(f"STAFF_SECURE_COOKIES must be 1 or 0, not '{secure}'")
        if not (project / "domain.yml").is_file():
            raise SettingsError(f"STAFF_PROJECT={project} has no domain.yml: it is not the assistant's project")
        return cls(project=project, database=database, port=int(port_text),
                   secure_cookies=secure in ("1", "yes", "true"),
                   model_token=os.environ.get("STAFF_MODEL_TOKEN") or "")
