"""Map LTI role URIs to the tool's three access levels.

LTI 1.3 Core §5.3.7 (roles claim) and Appendix A.2 (role vocabularies): A.2.3 context
(membership) roles, their sub-roles (A.2.3.1, e.g. ``membership/Instructor#TeachingAssistant``),
and the system (A.2.1) and institution (A.2.2) roles of the person in general. What the
platforms send for a course:

* Canvas (doc/api/canvas_roles.md): teacher ``membership#Instructor``; TA the same plus
  ``membership/Instructor#TeachingAssistant``; designer ``membership#ContentDeveloper``; student
  and Student View ``membership#Learner``; observer ``membership#Mentor``; and, whatever the
  person's role in this course, institution roles such as ``institution/person#Instructor`` or
  ``#Administrator`` (account admins).
* Moodle (mod/lti ``lti_get_ims_role``, LTI 1.1 names turned into LIS v2 URIs for 1.3):
  ``membership#Instructor`` for anyone who may manage the activity (teachers, non-editing
  teachers, managers), else ``membership#Learner``; site admins get
  ``system/person#Administrator`` and ``institution/person#Administrator`` instead of Learner.
* Short context role names (``"Instructor"``, deprecated in 1.3 but still sent) and LTI 1.1
  URNs (``urn:lti:role:ims/lis/Instructor``) from older platforms.

The role in *this course* decides. System and institution Administrator roles make course staff
an admin, and count alone only when the launch carries no context role (an admin opening a course
they are not enrolled in); a Canvas account admin enrolled here as a student is a learner here.
Unknown roles are ignored; an empty list is valid and yields the least privileged level, learner.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
_MEMBERSHIP = LIS + "membership#"
_SUB_ROLE = LIS + "membership/"
_URN_CONTEXT = "urn:lti:role:ims/lis/"


class AccessLevel(StrEnum):
    LEARNER = "learner"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"


# System and institution administrators (A.2.1, A.2.2; the LTI 1.1 URNs for older platforms).
_ADMIN_ELSEWHERE = {
    LIS + "system/person#Administrator",
    LIS + "system/person#SysAdmin",
    LIS + "institution/person#Administrator",
    "urn:lti:sysrole:ims/lis/Administrator",
    "urn:lti:sysrole:ims/lis/SysAdmin",
    "urn:lti:instrole:ims/lis/Administrator",
}
# Principal context roles of the course's staff. TeachingAssistant is a principal role in
# LTI 1.1 (urn:lti:role:ims/lis/TeachingAssistant) and a sub-role of Instructor in 1.3.
_STAFF = {"Instructor", "ContentDeveloper", "TeachingAssistant"}


def _principal(role: str) -> str | None:
    """The principal context role ``role`` names ("Instructor" for the TeachingAssistant
    sub-role), or None for a role of another vocabulary."""
    if role.startswith(_MEMBERSHIP):  # Sakai writes a sub-role as membership#<principal>#<sub>
        return role[len(_MEMBERSHIP) :].split("#", 1)[0]
    if role.startswith(_SUB_ROLE):  # membership/<principal>#<sub-role>
        return role[len(_SUB_ROLE) :].split("#", 1)[0]
    if role.startswith(_URN_CONTEXT):  # urn:lti:role:ims/lis/<principal>[/<sub-role>]
        return role[len(_URN_CONTEXT) :].split("/", 1)[0]
    if role and not any(mark in role for mark in "/#:"):  # a short name
        return role
    return None


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
    """The access ``roles`` grant in the launch's course (see the module docstring)."""
    role_set = set(roles)
    principals = {p for p in map(_principal, role_set) if p}
    admin_elsewhere = bool(role_set & _ADMIN_ELSEWHERE)
    if "Administrator" in principals:
        return AccessLevel.ADMIN
    if principals & _STAFF:
        return AccessLevel.ADMIN if admin_elsewhere else AccessLevel.INSTRUCTOR
    if principals:  # Learner, Mentor, Member...: not the course's staff
        return AccessLevel.LEARNER
    return AccessLevel.ADMIN if admin_elsewhere else AccessLevel.LEARNER
