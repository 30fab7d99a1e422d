"""Every public URL a credential names, built in one place from LMS_PUBLIC_URL.

A credential is verified long after it is issued, by people who never log in, so these URLs are
part of what is signed and must stay served as long as credentials exist (OB 3.0 §"Achievement",
§"Profile"; VC Data Model 2.0 §4.4 Identifiers). The web layer serves them:

  /credentials/<uuid>                     the credential's public page (its `id`); JSON-LD by Accept
  /credentials/issuer                     the issuer Profile with its Multikey keys (JSON-LD)
  /credentials/issuer/keys/<kid>          one issuer RSA key as a public JWK (a VC-JWT's `kid`)
  /credentials/issuer/jwks                every issuer RSA key, active and retired, as a JWKS
  /credentials/status/<id>                a signed BitstringStatusListCredential
  /credentials/achievements/<slug>        the level's Achievement (name, description, criteria)
  /credentials/achievements/<slug>/image  the level's badge artwork (SVG)
  /credentials/achievements/<slug>/image.png  the same artwork as PNG (Open Badges 2.0 backpacks)

What the holder takes away and checks (not signed, but printed and linked to):

  /credentials/<uuid>/credential.json     the signed credential, to download (JSON-LD)
  /credentials/<uuid>/credential.jwt      the same credential as a VC-JWT
  /credentials/<uuid>/badge.png|badge.svg the level artwork with the credential baked in
  /credentials/<uuid>/certificate.pdf     the printable certificate
  /credentials/verify                     anyone checks a credential file, JWT or baked image

Open Badges 2.0 hosted verification (OB 2.0 §"HostedBadge Verification"), for backpacks that
only read 2.0:

  /credentials/<uuid>/ob2                 the hosted Assertion (410 Gone once revoked)
  /credentials/ob2/badges/<slug>          the level's BadgeClass
  /credentials/ob2/issuer                 the issuer Profile (needs LMS_ISSUER_EMAIL)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_STATUS_LIST_ID = re.compile(r"[1-9][0-9]{0,9}")


@dataclass(frozen=True)
class CredentialUrls:
    """The URLs of one deployment (`base` is LMS_PUBLIC_URL, without a trailing slash)."""

    base: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", self.base.rstrip("/"))

    @property
    def root(self) -> str:
        """Where every credential URL starts."""
        return f"{self.base}/credentials"

    def credential(self, credential_uuid: str) -> str:
        """The credential's `id`: its public page."""
        return f"{self.root}/{credential_uuid}"

    def issuer(self) -> str:
        """The issuer Profile's `id` (and the controller of its keys)."""
        return f"{self.root}/issuer"

    def issuer_key(self, kid: str) -> str:
        """A VC-JWT's `kid`: a URL that dereferences to the public JWK (OB 3.0 §8.2.3)."""
        return f"{self.issuer()}/keys/{kid}"

    def issuer_jwks(self) -> str:
        """Every issuer JWT key, active and retired."""
        return f"{self.issuer()}/jwks"

    def status_list(self, list_id: int) -> str:
        """A status list credential's `id`, which the credentials' status entries point at."""
        return f"{self.root}/status/{list_id}"

    def status_list_id(self, url: str) -> int | None:
        """The list id a status list URL of this deployment names; None for any other URL."""
        prefix = f"{self.root}/status/"
        if not url.startswith(prefix) or not _STATUS_LIST_ID.fullmatch(url[len(prefix) :]):
            return None
        return int(url[len(prefix) :])

    def achievement(self, program_slug: str) -> str:
        """The level's Achievement `id`, stable across versions (its criteria page too)."""
        return f"{self.root}/achievements/{program_slug}"

    def achievement_image(self, program_slug: str) -> str:
        """The level's badge image."""
        return f"{self.achievement(program_slug)}/image"

    def achievement_image_png(self, program_slug: str) -> str:
        """The level's badge image as PNG (what Open Badges 2.0 backpacks show best)."""
        return f"{self.achievement_image(program_slug)}.png"

    def download(self, credential_uuid: str, filename: str) -> str:
        """One of a credential's downloads (credential.json, badge.png, certificate.pdf, ...)."""
        return f"{self.credential(credential_uuid)}/{filename}"

    def verify(self) -> str:
        """Where anyone checks a credential."""
        return f"{self.root}/verify"

    def ob2_assertion(self, credential_uuid: str) -> str:
        """The credential's Open Badges 2.0 hosted Assertion."""
        return f"{self.credential(credential_uuid)}/ob2"

    def ob2_badge(self, program_slug: str) -> str:
        """The level's Open Badges 2.0 BadgeClass."""
        return f"{self.root}/ob2/badges/{program_slug}"

    def ob2_issuer(self) -> str:
        """The Open Badges 2.0 issuer Profile."""
        return f"{self.root}/ob2/issuer"
