from __future__ import annotations

import pytest

from lms_plugin.domain.roles import LIS, AccessLevel, access_level, context_roles


@pytest.mark.parametrize(
    "roles, level",
    [
        ([], AccessLevel.LEARNER),
        ([LIS + "membership#Learner"], AccessLevel.LEARNER),
        (["Learner"], AccessLevel.LEARNER),
        ([LIS + "membership#Instructor"], AccessLevel.INSTRUCTOR),
        (["Instructor"], AccessLevel.INSTRUCTOR),
        ([LIS + "membership/Instructor#TeachingAssistant"], AccessLevel.INSTRUCTOR),
        ([LIS + "membership#Instructor#TeachingAssistant"], AccessLevel.INSTRUCTOR),  # Sakai's TA
        ([LIS + "membership#Learner#Learner"], AccessLevel.LEARNER),
        ([LIS + "membership#Mentor"], AccessLevel.LEARNER),
        ([LIS + "institution/person#Instructor"], AccessLevel.LEARNER),  # not a course role
        (
            [LIS + "institution/person#Administrator", LIS + "membership#Instructor"],
            AccessLevel.ADMIN,
        ),
        ([LIS + "system/person#Administrator"], AccessLevel.ADMIN),
        (["http://example.com/unknown#Role"], AccessLevel.LEARNER),
    ],
)
def test_access_level(roles, level):
    assert access_level(roles) == level


CANVAS_PERSON = [LIS + "institution/person#Instructor", LIS + "system/person#User"]
CANVAS_ADMIN = LIS + "institution/person#Administrator"
MOODLE_ADMIN = [LIS + "system/person#Administrator", LIS + "institution/person#Administrator"]


@pytest.mark.parametrize(
    "roles, level",
    [
        # Canvas (doc/api/canvas_roles.md): institution roles come whatever the course role is.
        ([*CANVAS_PERSON, LIS + "membership#Instructor"], AccessLevel.INSTRUCTOR),
        (
            [LIS + "membership#Instructor", LIS + "membership/Instructor#TeachingAssistant"],
            AccessLevel.INSTRUCTOR,
        ),
        ([LIS + "membership#ContentDeveloper"], AccessLevel.INSTRUCTOR),
        ([*CANVAS_PERSON, LIS + "membership#Learner"], AccessLevel.LEARNER),
        ([LIS + "membership#Mentor", LIS + "system/person#User"], AccessLevel.LEARNER),
        (
            [
                LIS + "membership#Learner",
                "http://purl.imsglobal.org/vocab/lti/system/person#TestUser",
            ],
            AccessLevel.LEARNER,
        ),
        ([CANVAS_ADMIN, LIS + "system/person#User"], AccessLevel.ADMIN),  # not enrolled here
        ([CANVAS_ADMIN, LIS + "membership#Learner"], AccessLevel.LEARNER),  # a student here
        ([LIS + "system/person#SysAdmin", LIS + "membership#Instructor"], AccessLevel.ADMIN),
        # Moodle: teachers and non-editing teachers are Instructor; site admins lose Learner.
        ([LIS + "membership#Instructor"], AccessLevel.INSTRUCTOR),
        (MOODLE_ADMIN, AccessLevel.ADMIN),
        ([*MOODLE_ADMIN, LIS + "membership#Instructor"], AccessLevel.ADMIN),
        # A context administrator, sub-roles alone, short names, LTI 1.1 URNs.
        ([LIS + "membership#Administrator"], AccessLevel.ADMIN),
        ([LIS + "membership/Instructor#Grader"], AccessLevel.INSTRUCTOR),
        ([LIS + "membership/Learner#Instructor"], AccessLevel.LEARNER),  # a learner's sub-role
        (["TeachingAssistant"], AccessLevel.INSTRUCTOR),
        (["urn:lti:role:ims/lis/Instructor"], AccessLevel.INSTRUCTOR),
        (["urn:lti:role:ims/lis/TeachingAssistant"], AccessLevel.INSTRUCTOR),
        (["urn:lti:role:ims/lis/Learner/NonCreditLearner"], AccessLevel.LEARNER),
        (["urn:lti:instrole:ims/lis/Administrator"], AccessLevel.ADMIN),
        ([LIS + "membership#Manager"], AccessLevel.LEARNER),  # Canvas: a group leader
    ],
)
def test_access_level_as_canvas_and_moodle_send_roles(roles, level):
    assert access_level(roles) == level


def test_context_roles_short_names():
    roles = [LIS + "membership#Instructor", LIS + "institution/person#Faculty", "Learner"]
    assert context_roles(roles) == ["Instructor", "Learner"]
