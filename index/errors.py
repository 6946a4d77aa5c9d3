"""Every error the project raises on purpose, so callers can catch by meaning.

The tree is small on purpose; each message tells a person what to do next::

    De06Error
     ├── KnowledgeError          a document or data file cannot be used
     │    └── DocumentError      one named document was skipped (carries .path, .reason)
     ├── ConfigError             an environment variable has an unusable value
     ├── StoreError              the SQLite store cannot be read or written
     ├── ReloadInProgress        a second reload was asked for while one runs
     ├── NotAuthorized           a non-admin asked for an admin command
     ├── UploadRejected          an uploaded file is refused (size, type, name)
     ├── UnknownDeadline         no deadline has the short id someone typed
     └── PlatformError           a chat platform's API failed after retries
          └── ZaloApiError       (bot/platforms/zalo_api.py) carries Zalo's error_code
"""

from __future__ import annotations

from pathlib import Path


class De06Error(Exception):
    """Root of the project's errors: catch this to catch them all."""


class KnowledgeError(De06Error):
    """The knowledge base (or one of its data files) cannot be used as it is."""


class DocumentError(KnowledgeError):
    """One document was skipped; the rest of the knowledge base still loads."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")


class ConfigError(De06Error):
    """A setting from the environment cannot be used; the message names the variable."""


class StoreError(De06Error):
    """The SQLite store is locked, read-only or damaged."""


class ReloadInProgress(De06Error):
    """Reloads are serialised; a second one waits for nobody and is refused."""


class NotAuthorized(De06Error):
    """Admin-only command asked for by someone not in DE06_ADMIN_IDS."""


class UploadRejected(De06Error):
    """An uploaded document is refused before it reaches the knowledge base."""


class UnknownDeadline(De06Error):
    """A deadline id (as shown by /deadline) that no deadline has, now or before."""


class PlatformError(De06Error):
    """A chat platform's API kept failing after retries."""
