"""What an error page says: what happened in plain words, what to do next, and a reference id.

Every 4xx/5xx page or JSON error of the tool goes through here (``web/errors.py``), so none is a
bare HTTP code. The reference id is logged with the error, so an administrator can find the log
line the person reads out. The sentences are in the page's language (lazy: read per request);
the error codes stay English (they are for programs).
"""

from __future__ import annotations

import secrets

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

Advice = tuple[LazyString, ...]  # sentences said one after the other

RELAUNCH = _l(
    "Open the activity again from your course in the LMS (the link in Canvas, Moodle or your "
    "other learning platform): that starts a new session."
)
ASK = _l("If it keeps happening, tell your instructor this error's reference.")
ASK_ADMIN = _l(
    "If it keeps happening, send this error's reference to the person who runs the tool at your "
    "institution."
)
ASK_ISSUER = _l(
    "If it keeps happening, send this error's reference to the organisation that issued the "
    "credential."
)

# status -> (what happened, when the error brings no sentence of its own; what to do next)
BY_STATUS: dict[int, tuple[LazyString, Advice]] = {
    400: (_l("The request could not be understood."), (_l("Go back and try again."), ASK)),
    401: (_l("Your session with the tool has ended or could not be found."), (RELAUNCH,)),
    403: (
        _l("This page is not open to you."),
        (
            _l(
                "If you think it should be, ask your instructor to check your role in the "
                "course, then open the activity again from the course."
            ),
        ),
    ),
    404: (
        _l("This page does not exist, or no longer does."),
        (
            _l(
                "Check the address. If you followed a link from your course, open the activity "
                "again from the course."
            ),
        ),
    ),
    405: (
        _l("This page cannot be used that way."),
        (_l("Go back and use the page's own links and buttons."), RELAUNCH),
    ),
    409: (
        _l("This action does not fit the current state."),
        (_l("Reload the page to see where things stand now."),),
    ),
    410: (_l("This is no longer available."), (_l("Go back to the page you came from."),)),
    413: (
        _l("This request is larger than this page accepts."),
        (_l("Make it smaller and try again."),),
    ),
    415: (
        _l("This kind of content is not accepted here."),
        (_l("Go back and try again with a form of the page."),),
    ),
    422: (
        _l("What was sent cannot be accepted."),
        (_l("Correct what the message names and try again."),),
    ),
    424: (
        _l("The tool could not reach your learning platform to check the launch."),
        (_l("Try again in a few minutes."), ASK),
    ),
    429: (_l("Too many requests came from your network."), (_l("Wait a little, then try again."),)),
    500: (
        _l("Something went wrong on our side. Nothing you entered was lost."),
        (
            _l(
                "Try again in a moment. If it happens again, tell your instructor this error's "
                "reference: it lets the tool's administrator find what went wrong."
            ),
        ),
    ),
    502: (
        _l("Your learning platform did not answer as expected."),
        (_l("Try again in a few minutes."), ASK),
    ),
    503: (_l("The tool is busy or being updated."), (_l("Try again in a minute."),)),
}

# What course staff are told instead, where learners are sent to their instructor: staff have no
# instructor to turn to, but the person who runs the tool (who finds the reference in the log).
# ASK becomes ASK_ADMIN wherever it is said; these statuses' advice has its own words for staff.
FOR_STAFF: dict[int, Advice] = {
    403: (
        _l(
            "If you think it should be, ask your LMS administrator to check your role in the "
            "course, then open the activity again from the course."
        ),
    ),
    500: (
        _l(
            "Try again in a moment. If it happens again, send this error's reference to the "
            "person who runs the tool at your institution: it lets them find what went wrong."
        ),
    ),
}

# What readers of the public credential pages are told instead: an employer or a registrar
# checking a credential has no instructor; the organisation that issued it runs the tool.
# ASK becomes ASK_ISSUER for them.
FOR_PUBLIC: dict[int, Advice] = {
    404: (
        _l(
            "Check the address against the one on the certificate or in the badge: a "
            "credential's page stays at that address for as long as the credential exists."
        ),
    ),
    500: (
        _l(
            "Try again in a moment. If it happens again, send this error's reference to the "
            "organisation that issued the credential: it lets them find what went wrong."
        ),
    ),
}

# error code -> what to do next, where it differs from its status's advice
BY_CODE: dict[str, Advice] = {
    "locked": (_l("Finish what is listed above: the module opens by itself once it is done."),),
    "csrf_failed": (_l("Reload the page and try again."), RELAUNCH),
    "attempts_exhausted": (
        _l("Your best score counts. Ask your instructor if you need another try."),
    ),
    "cooldown": (_l("Come back when the next attempt opens; meanwhile, read the lessons again."),),
    "already_submitted": (_l("Reload the page to see your submission and what happens next."),),
    "state_unknown": (RELAUNCH,),
    "state_cookie_mismatch": (_l("Open the activity again, or open it in a new window."),),
    "token_expired": (RELAUNCH,),
    "token_too_old": (RELAUNCH,),
    "nonce_replayed": (RELAUNCH,),
    "deployment_pending": (_l("Ask your LMS administrator to activate the tool for this course."),),
    "deployment_disabled": (
        _l("Ask your LMS administrator to activate the tool for this course."),
    ),
    "admin_only": (
        _l(
            "They open when an administrator of the LMS (a Moodle site administrator, a Canvas "
            "account admin) opens the tool. If something in how the tool is set up needs "
            "changing, ask your LMS administrator."
        ),
    ),
    "unknown_platform": (_l("Ask your LMS administrator to register the tool."),),
    "platform_inactive": (_l("Ask your LMS administrator to switch the tool back on."),),
    "storage_unavailable": (
        _l("Try again in a minute: reload the page, or go back and send the form again."),
        ASK,
    ),
    # the same during a launch, whose form cannot be sent twice (its nonce is spent)
    "storage_unavailable_launch": (
        _l("Wait a minute, then open the activity again from your course in the LMS."),
        ASK,
    ),
}

_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U: easy to read out on the phone


def reference_id() -> str:
    """A short random id for one error, e.g. ``K7Q2-9XDM`` (logged with the error)."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def _status_key(status: int) -> int:
    """The status whose sentences stand for ``status`` (an unlisted one: 400 or 500)."""
    return status if status in BY_STATUS else 500 if status >= 500 else 400


def _for_status(status: int) -> tuple[LazyString, Advice]:
    return BY_STATUS[_status_key(status)]


def what_happened(status: int) -> str:
    """The plain sentence for a status, when the error brings none of its own."""
    return str(_for_status(status)[0])


READERS: dict[str, tuple[dict[int, Advice] | None, LazyString]] = {
    "learner": (None, ASK),
    "staff": (FOR_STAFF, ASK_ADMIN),
    "public": (FOR_PUBLIC, ASK_ISSUER),
}


def what_to_do(status: int, code: str, *, reader: str = "learner") -> str:
    """What the person can do next, for this error code or else its status. ``reader``: a
    learner (sent to their instructor), the course's ``staff`` (to whoever runs the tool), or
    the ``public`` reading a credential's pages (to the organisation that issued it)."""
    own, ask = READERS[reader]
    advice = (
        BY_CODE.get(code)
        or (own.get(_status_key(status)) if own else None)
        or _for_status(status)[1]
    )
    advice = tuple(ask if sentence is ASK else sentence for sentence in advice)
    return " ".join(str(sentence) for sentence in advice)
