"""Where the practice LMS and the tool listen, and the practice LMS's own signing key.

The ``demo`` command writes this as JSON in the demo's instance folder; the practice LMS's
process reads it back (``demo.app:create_app(path)``). The key file is readable by its owner
only; a fresh key is made at each start, with the rest of the practice course.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from lms_plugin.demo import course
from lms_plugin.lti.keys import kid_for, new_private_key_pem, public_jwk

CONFIG_NAME = "practice-lms.json"
KEY_NAME = "practice-lms-key.pem"


@dataclass(frozen=True)
class PracticeConfig:
    lms_url: str  # http://127.0.0.1:<port>, also the LMS's issuer (iss)
    tool_url: str  # the tool's LMS_PUBLIC_URL
    key_file: str

    @property
    def issuer(self) -> str:
        return self.lms_url

    @property
    def client_id(self) -> str:
        return course.CLIENT_ID

    @property
    def auth_url(self) -> str:
        return self.lms_url + "/auth"

    @property
    def token_url(self) -> str:
        return self.lms_url + "/token"

    @property
    def jwks_url(self) -> str:
        return self.lms_url + "/jwks"

    @property
    def launch_url(self) -> str:
        """The tool's redirect URI and target link URI, as an admin registers them."""
        return self.tool_url + "/lti/launch"

    @property
    def deep_link_return_url(self) -> str:
        return self.lms_url + "/deep-link/return"

    @property
    def tool_jwks_url(self) -> str:
        return self.tool_url + "/lti/jwks"

    def lineitems_url(self, context_id: str = course.COURSE_ID) -> str:
        return f"{self.lms_url}/ags/{context_id}/lineitems"

    def lineitem_url(self, number: int, context_id: str = course.COURSE_ID) -> str:
        return f"{self.lineitems_url(context_id)}/{number}"

    def memberships_url(self, context_id: str = course.COURSE_ID) -> str:
        return f"{self.lms_url}/nrps/{context_id}/memberships"

    def private_key_pem(self) -> str:
        return Path(self.key_file).read_text()

    def public_jwk(self) -> dict[str, str]:
        pem = self.private_key_pem()
        return public_jwk(pem, kid_for(pem))


def write_config(folder: Path, lms_url: str, tool_url: str) -> Path:
    """A new key (owner-only file) and the config beside it; returns the config's path."""
    key_file = folder / KEY_NAME
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(new_private_key_pem())
    path = folder / CONFIG_NAME
    path.write_text(json.dumps(asdict(PracticeConfig(lms_url, tool_url, str(key_file)))))
    return path


def read_config(path: str | Path) -> PracticeConfig:
    return PracticeConfig(**json.loads(Path(path).read_text()))
