"""What an error page says: what happened in plain words, what to do next, and a reference id.

Every 4xx/5xx page or JSON error of the tool goes through here (``web/errors.py``), so none is a
bare HTTP code. The reference id is logged with the error, so an administrator can find the log
line the person reads out.
"""

from __future__ import annotations

import secrets

RELAUNCH = (
    "Open the activity again from your course in the LMS (the link in Canvas, Moodle or your "
    "other learning platform): that starts a new session."
)
ASK = "If it keeps happening, tell your instructor this error's reference."

# status -> (what happened, when the error brings no sentence of its own; what to do next)
BY_STATUS: dict[int, tuple[str, str]] = {
    400: ("The request could not be understood.", f"Go back and try again. {ASK}"),
    401: ("Your session with the tool has ended or could not be found.", RELAUNCH),
    403: (
        "This page is not open to you.",
        "If you think it should be, ask your instructor to check your role in the course, "
        "then open the activity again from the course.",
    ),
    404: (
        "This page does not exist, or no longer does.",
        "Check the address. If you followed a link from your course, open the activity again "
        "from the course.",
    ),
    405: (
        "This page cannot be used that way.",
        "Go back and use the page's own links and buttons. " + RELAUNCH,
    ),
    409: (
        "This action does not fit the current state.",
        "Reload the page to see where things stand now.",
    ),
    410: ("This is no longer available.", "Go back to the page you came from."),
    413: ("This request is larger than this page accepts.", "Make it smaller and try again."),
    415: (
        "This kind of content is not accepted here.",
        "Go back and try again with a form of the page.",
    ),
    422: ("What was sent cannot be accepted.", "Correct what the message names and try again."),
    424: (
        "The tool could not reach your learning platform to check the launch.",
        f"Try again in a few minutes. {ASK}",
    ),
    429: ("Too many requests came from your network.", "Wait a little, then try again."),
    500: (
        "Something went wrong on our side. Nothing you entered was lost.",
        "Try again in a moment. If it happens again, tell your instructor this error's "
        "reference: it lets the tool's administrator find what went wrong.",
    ),
    502: (
        "Your learning platform did not answer as expected.",
        f"Try again in a few minutes. {ASK}",
    ),
    503: ("The tool is busy or being updated.", "Try again in a minute."),
}

# error code -> what to do next, where it differs from its status's advice
BY_CODE: dict[str, str] = {
    "locked": "Finish what is listed above: the module opens by itself once it is done.",
    "csrf_failed": "Reload the page and try again. " + RELAUNCH,
    "attempts_exhausted": "Your best score counts. Ask your instructor if you need another try.",
    "cooldown": "Come back when the next attempt opens; meanwhile, read the lessons again.",
    "already_submitted": "Reload the page to see your submission and what happens next.",
    "state_unknown": RELAUNCH,
    "state_cookie_mismatch": "Open the activity again, or open it in a new window.",
    "token_expired": RELAUNCH,
    "token_too_old": RELAUNCH,
    "nonce_replayed": RELAUNCH,
    "deployment_pending": "Ask your LMS administrator to activate the tool for this course.",
    "unknown_platform": "Ask your LMS administrator to register the tool.",
    "platform_inactive": "Ask your LMS administrator to switch the tool back on.",
}

_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U: easy to read out on the phone


def reference_id() -> str:
    """A short random id for one error, e.g. ``K7Q2-9XDM`` (logged with the error)."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def what_happened(status: int) -> str:
    """The plain sentence for a status, when the error brings none of its own."""
    return BY_STATUS.get(status, BY_STATUS[500 if status >= 500 else 400])[0]


def what_to_do(status: int, code: str) -> str:
    """What the person can do next, for this error code or else its status."""
    if code in BY_CODE:
        return BY_CODE[code]
    return BY_STATUS.get(status, BY_STATUS[500 if status >= 500 else 400])[1]
