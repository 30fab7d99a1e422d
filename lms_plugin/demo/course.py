"""The practice course: its people, what each seeded learner has done, and its one activity."""

from __future__ import annotations

from dataclasses import dataclass

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
LEARNER = LIS + "membership#Learner"
INSTRUCTOR = LIS + "membership#Instructor"
# A Moodle site administrator who is not enrolled in the course: system and institution roles,
# no context role (LTI 1.3 Core Appendix A.2.1, A.2.2).
SITE_ADMIN = (LIS + "system/person#Administrator", LIS + "institution/person#Administrator")

COURSE_ID = "isp-practice"
COURSE_LABEL = "ISP-PRACTICE"
COURSE_TITLE = "Implementation Support Practitioner — practice cohort"
LINK_ID = "isp-certificate"  # the course's one activity: the whole certificate
LINK_TITLE = "ISP Certificate"
CLIENT_ID = "isp-tool-practice"
DEPLOYMENT_ID = "practice-deployment-1"
PLATFORM_NAME = "Practice LMS"


@dataclass(frozen=True)
class Person:
    """Someone in the practice course, as the LMS knows them."""

    sub: str
    given_name: str
    family_name: str
    roles: tuple[str, ...]  # LTI role URIs (LTI 1.3 Core §5.3.7)
    stage: str  # what the seeding gives them before anyone launches (demo.seed.STAGES)
    summary: str  # what the practice LMS's course page says about them

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def email(self) -> str:
        return f"{self.sub}@practice-lms.invalid"  # .invalid: never a real mailbox (RFC 2606)

    @property
    def is_instructor(self) -> bool:
        return INSTRUCTOR in self.roles

    @property
    def is_learner(self) -> bool:
        return LEARNER in self.roles

    @property
    def enrolled(self) -> bool:
        """A member of the course (in its roster); the site administrator is not."""
        return self.is_instructor or self.is_learner

    @property
    def kind(self) -> str:
        """instructor, learner or admin: what the course page labels them."""
        return "instructor" if self.is_instructor else "learner" if self.is_learner else "admin"

    @property
    def role_label(self) -> str:
        return {"instructor": "Instructor", "learner": "Learner", "admin": "LMS admin"}[self.kind]

    @property
    def launchable(self) -> bool:
        """Offered a launch button: everyone but the learner kept as "never launched"."""
        return self.stage != "never_launched"


PEOPLE = (
    Person(
        "ines", "Ines", "Alvarez", (INSTRUCTOR,), "instructor",
        "Instructor: reviews submissions and follows the cohort.",
    ),
    Person(
        "sam", "Sam", "Rivera", (LEARNER,), "new",
        "New learner: start the certificate yourself.",
    ),
    Person(
        "noor", "Noor", "Haddad", (LEARNER,), "not_started",
        "Opened the certificate once and has not started.",
    ),
    Person(
        "mia", "Mia", "Chen", (LEARNER,), "mid_level_1",
        "Halfway through Level 1: modules 1 and 2 passed, the module 3 quiz failed twice.",
    ),
    Person(
        "wes", "Wes", "Okafor", (LEARNER,), "waiting_review",
        "Module 1 quiz passed; the assignment is waiting for review.",
    ),
    Person(
        "lea", "Lea", "Moreau", (LEARNER,), "level_1_complete",
        "Level 1 complete, with its credential.",
    ),
    Person(
        "nico", "Nico", "Rossi", (LEARNER,), "never_launched",
        "Enrolled but has never opened the tool: the cohort page shows him after a roster sync.",
    ),
    Person(
        "ada", "Ada", "Mensah", SITE_ADMIN, "lms_admin",
        "The LMS's administrator, not enrolled in the course: opens the tool's Administration "
        "pages for this LMS (its registration, the tool's keys, diagnostics).",
    ),
)  # fmt: skip


def person(sub: str) -> Person | None:
    """The course member with this LMS user id, or None."""
    return next((p for p in PEOPLE if p.sub == sub), None)


def instructor() -> Person:
    """The course's instructor, who reviews and adds activities."""
    return next(p for p in PEOPLE if p.is_instructor)
