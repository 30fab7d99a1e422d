"""Map LTI role URIs to the tool's three access levels.

LTI 1.3 Core §5.3.7 (roles claim) and Appendix A.2 (role vocabularies). Platforms may send full
URIs or, for context roles, the short names ("Learner"). Unknown roles are ignored; an empty
list is valid and yields the least privileged level, learner.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"


class AccessLevel(StrEnum):
    LEARNER = "learner"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"


_ADMIN = {
    LIS + "system/person#Administrator",
    LIS + "system/person#SysAdmin",
    LIS + "institution/person#Administrator",
    LIS + "membership#Administrator",
    "Administrator",
}
_INSTRUCTOR = {
    LIS + "membership#Instructor",
    LIS + "membership#ContentDeveloper",
    LIS + "membership/Instructor#TeachingAssistant",
    "Instructor",
    "ContentDeveloper",
    "TeachingAssistant",
}


def context_roles(roles: Iterable[str]) -> list[str]:
    """Short names of the membership (context) roles, e.g. ``["Instructor"]``."""
    short: list[str] = []
    for role in roles:
        if role.startswith(LIS + "membership"):
            short.append(role.rsplit("#", 1)[-1])
        elif "/" not in role and "#" not in role:
            short.append(role)
    return sorted(set(short))


def access_level(roles: Iterable[str]) -> AccessLevel:
    """The highest access level any of ``roles`` grants (learner when none is recognised)."""
    role_set = set(roles)
    if role_set & _ADMIN:
        return AccessLevel.ADMIN
    if role_set & _INSTRUCTOR:
        return AccessLevel.INSTRUCTOR
    return AccessLevel.LEARNER
