"""The LinkedIn "Add to profile" link that pre-fills a certification on the learner's profile.

LinkedIn's Add to Profile for Certifications (addtoprofile.linkedin.com, "Add to Profile for
Certifications Developer Docs"): a GET of https://www.linkedin.com/profile/add with
`startTask=CERTIFICATION_NAME` opens the member's "Add license or certification" form filled with
`name`, the issuing organisation (`organizationId`, the numeric id of its LinkedIn page, or else
`organizationName`, free text), `issueYear`/`issueMonth`, `expirationYear`/`expirationMonth`,
`certUrl` (the credential's public page, which LinkedIn shows as "Show credential") and `certId`.
Nothing is sent to LinkedIn by the tool: the learner follows the link and confirms the form.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote, urlencode

ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def add_to_profile_url(
    *,
    name: str,
    organization_name: str,
    issued: datetime,
    cert_url: str,
    cert_id: str,
    expires: datetime | None = None,
    organization_id: str | None = None,
) -> str:
    """The Add to Profile link for a certification `name` issued by the organisation."""
    if issued.tzinfo is None or (expires is not None and expires.tzinfo is None):
        raise ValueError("credential times must be timezone-aware")
    # The two are alternatives in LinkedIn's link generator: an organizationId links the
    # certification to the issuer's LinkedIn page (with its logo), a name is shown as typed.
    organization = (
        {"organizationId": organization_id}
        if organization_id
        else {"organizationName": organization_name}
    )
    issued_utc = issued.astimezone(UTC)  # the month the credential's validFrom names (UTC)
    params: dict[str, str] = {
        "startTask": "CERTIFICATION_NAME",
        "name": name,
        **organization,
        "issueYear": str(issued_utc.year),
        "issueMonth": str(issued_utc.month),
    }
    if expires is not None:
        expires_utc = expires.astimezone(UTC)
        params |= {
            "expirationYear": str(expires_utc.year),
            "expirationMonth": str(expires_utc.month),
        }
    params |= {"certUrl": cert_url, "certId": cert_id}
    return f"{ADD_TO_PROFILE}?{urlencode(params, quote_via=quote)}"  # spaces as %20
