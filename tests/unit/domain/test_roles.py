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


def test_context_roles_short_names():
    roles = [LIS + "membership#Instructor", LIS + "institution/person#Faculty", "Learner"]
    assert context_roles(roles) == ["Instructor", "Learner"]
