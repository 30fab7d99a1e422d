"""Issuing level credentials on PostgreSQL, through the services: the award recorded with the
grade that completes a level, the badges drain issuing it exactly once, verifiable here and by
Digital Bazaar's verifier in Node; retries, index collisions, concurrent completions, and a
batch's statements."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import jwt
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lms_plugin.badges.vc_jwt import decode_vc_jwt
from lms_plugin.db.base import utcnow
from lms_plugin.db.credentials import Award
from lms_plugin.services import (
    award_records,
    awards,
    credentials,
    issuer_keys,
    status_lists,
    verification,
)
from tests.support.awards import (
    award_rows,
    complete_level,
    drain,
    issuer,
    launched,
    sql_sent,
    statements_of,
    write_passed_work,
)
from tests.support.content_keys import catalogue
from tests.support.node_verifier import node_verify
from tests.support.worker import wait_for

pytestmark = pytest.mark.integration

L1, L2 = "isp-level-1", "isp-level-2"


def published(tool) -> dict:
    """What anyone can fetch: the issuer profile and every status list, by URL."""
    from lms_plugin.db import db

    with tool.app.app_context():
        session, who = db.session(), issuer(tool)
        documents = {who.urls.issuer(): issuer_keys.issuer_profile_document(session, who)}
        for (list_id,) in tool.rows("SELECT id FROM status_list"):
            documents[who.urls.status_list(list_id)] = status_lists.status_list_document(
                session, list_id, who.urls
            )
        return documents


def issued(tool, credential_id: str) -> credentials.PublicCredential:
    from lms_plugin.db import db

    with tool.app.app_context():
        return credentials.get_public(db.session(), credential_id)


def test_completing_level_1_records_one_award_that_the_drain_issues_once(tool, platform):
    _, user_id = complete_level(tool, platform)
    [(credential_id, program, status, user, _)] = award_rows(tool)
    assert (program, status, user) == (L1, "pending", user_id)

    assert drain(tool) == 1
    assert drain(tool) == 0  # again: nothing is due
    complete_level(tool, platform)  # the same level's grades folded again: no second award
    assert drain(tool) == 0
    assert [row[:3] for row in award_rows(tool)] == [(credential_id, L1, "issued")]
    first = issued(tool, credential_id).credential
    assert drain(tool) == 0 and issued(tool, credential_id).credential == first


def test_the_credential_verifies_here_and_in_node_in_both_forms(tool, platform):
    complete_level(tool, platform)
    drain(tool)
    [(credential_id, *_)] = award_rows(tool)
    public = issued(tool, credential_id)
    credential, who = public.credential, issuer(tool)
    assert credential["id"] == who.urls.credential(credential_id) == public.url
    assert credential["issuer"]["id"] == who.urls.issuer()
    assert credential["issuer"]["name"] == "ISP Certificate Program"
    subject = credential["credentialSubject"]
    assert subject["id"].startswith("urn:uuid:") and "learner-1" not in json.dumps(credential)
    assert subject["identifier"][0]["identityType"] == "emailAddress"
    assert subject["achievement"]["name"] == catalogue().programs[0].badge.name
    assert {a["targetName"] for a in subject["achievement"]["alignment"]} >= {"Co-learning"}
    assert len(credential["evidence"]) == 6 and subject["result"]

    from lms_plugin.db import db

    with tool.app.app_context():
        as_document = verification.verify(db.session(), who, json.dumps(credential))
        as_jwt = verification.verify(db.session(), who, public.credential_jwt)
    assert (as_document.valid, as_document.code) == (True, "valid"), as_document
    assert (as_jwt.valid, as_jwt.form) == (True, "jwt"), as_jwt
    header = jwt.get_unverified_header(public.credential_jwt)
    assert header["alg"] == "RS256" and header["kid"].startswith(who.urls.issuer() + "/keys/")

    answer = node_verify(credential, published(tool))
    assert answer["verified"] is True, answer
    assert answer["status"] == [{"verified": True, "status": False}]


def test_the_jwt_form_verifies_with_the_published_jwk_by_another_jose_library(tool, platform):
    from jwcrypto import jwk, jws

    from lms_plugin.db import db

    complete_level(tool, platform)
    drain(tool)
    public = issued(tool, award_rows(tool)[0][0])
    kid = jwt.get_unverified_header(public.credential_jwt)["kid"]
    with tool.app.app_context():
        keys = issuer_keys.issuer_jwks(db.session(), issuer(tool).urls)
    [published_key] = [k for k in keys["keys"] if k["kid"] == kid]
    token = jws.JWS()
    token.deserialize(public.credential_jwt)
    token.verify(jwk.JWK(**published_key))
    assert json.loads(token.payload)["jti"] == public.url


def test_level_1_held_from_another_course_of_the_same_lms_is_not_issued_again(tool, platform):
    first_course, user_id = complete_level(tool, platform, course="course-101")
    drain(tool)
    second_course, same_user = complete_level(tool, platform, course="course-202")
    assert same_user == user_id and second_course != first_course

    assert drain(tool) == 0
    assert [(r[1], r[2], r[4]) for r in award_rows(tool)] == [(L1, "issued", first_course)]


def test_an_unfinished_level_records_no_award(tool, platform):
    final = catalogue().programs[0].modules[-1].slug
    complete_level(tool, platform, skip=(final,))
    assert award_rows(tool) == []


def test_level_2_waits_for_level_1_then_is_issued_after_it(tool, platform):
    complete_level(tool, platform, L1)
    complete_level(tool, platform, L2)
    (l1, *_), (l2, *_) = award_rows(tool)
    tool.rows(
        f"UPDATE award SET next_attempt_at = now() + interval '1 hour' WHERE uuid = '{l1}' "
        "RETURNING id"
    )

    assert drain(tool) == 1  # Level 2 alone: it waits
    [(status, error)] = tool.rows(f"SELECT status, last_error FROM award WHERE uuid = '{l2}'")
    assert status == "pending" and "Waiting for the ISP Level 1" in error
    tool.rows(f"UPDATE award SET next_attempt_at = now() WHERE uuid = '{l1}' RETURNING id")
    assert drain(tool) == 1  # Level 1, which wakes Level 2: due now, not after its backoff
    assert drain(tool) == 1
    assert [r[2] for r in award_rows(tool)] == ["issued", "issued"]


def test_level_1_and_level_2_due_together_are_issued_in_one_batch(tool, platform):
    complete_level(tool, platform, L1)
    complete_level(tool, platform, L2)

    assert drain(tool) == 2  # Level 2 in a round after Level 1's, not put back to wait
    assert tool.rows("SELECT program_slug, status, tries FROM award ORDER BY id") == [
        (L1, "issued", 0),
        (L2, "issued", 0),
    ]


def test_a_failed_issue_backs_off_is_retried_and_stops_at_max_tries(tool, platform):
    complete_level(tool, platform)
    tool.rows("UPDATE award SET program_slug = 'gone-level' RETURNING id")  # content removed

    assert drain(tool) == 1
    [(status, tries, error, wait)] = tool.rows(
        "SELECT status, tries, last_error, extract(epoch FROM next_attempt_at - now()) FROM award"
    )
    assert (status, tries) == ("failed", 1) and "gone-level" in error and 5 < wait <= 10
    assert drain(tool) == 0  # not due yet
    for tries in range(2, awards.MAX_TRIES + 1):
        assert drain(tool, now=utcnow() + timedelta(days=tries)) == 1
        assert tool.rows("SELECT tries FROM award") == [(tries,)]
    assert drain(tool, now=utcnow() + timedelta(days=30)) == 0  # given up: shown to admins

    tool.rows("UPDATE award SET program_slug = 'isp-level-1' RETURNING id")  # cause fixed
    from lms_plugin.db import db

    with tool.app.app_context():
        credentials.reissue(db.session(), award_rows(tool)[0][0])
    assert drain(tool) == 1 and award_rows(tool)[0][2] == "issued"


@pytest.mark.parametrize("step", ["build", "sign", "jwt"])
def test_what_one_award_refuses_leaves_the_rest_of_its_batch_issued(
    tool, platform, monkeypatch, step
):
    """A batch is built, signed and stored step by step for all its credentials: a refusal at
    any step puts back that award alone, with its reason, and the others are issued."""
    for user in ("r1", "r2", "r3"):
        complete_level(tool, platform, user=user)
    [(refused,)] = tool.rows(
        "SELECT a.uuid FROM award a JOIN lti_user u ON u.id = a.user_id WHERE u.sub = 'r2'"
    )
    names = {"build": "build_credential", "sign": "add_proof", "jwt": "encode_vc_jwt"}
    real = getattr(awards, names[step])

    def refusing(*args, **kwargs):
        subject = args[0].id if step == "build" else args[0]["id"]
        if subject.endswith(refused):
            raise ValueError(f"refused at {step}")
        return real(*args, **kwargs)

    monkeypatch.setattr(awards, names[step], refusing)

    assert drain(tool) == 3
    rows = tool.rows(
        "SELECT u.sub, a.status, a.tries, a.last_error, a.credential IS NULL,"
        " a.credential_jwt IS NULL FROM award a JOIN lti_user u ON u.id = a.user_id ORDER BY u.sub"
    )
    assert rows == [
        ("r1", "issued", 0, None, False, False),
        ("r2", "failed", 1, f"ValueError: refused at {step}", True, True),
        ("r3", "issued", 0, None, False, False),
    ]


def test_status_indexes_are_random_and_a_collision_is_drawn_again(tool, platform, monkeypatch):
    for user in ("a1", "a2", "a3"):
        complete_level(tool, platform, user=user)
    draws = iter([77, 77, 77, 4242, 99_000])  # the second and third credential collide
    monkeypatch.setattr(status_lists.secrets, "randbelow", lambda _n: next(draws))

    assert drain(tool) == 3
    indexes = [row[0] for row in tool.rows("SELECT status_index FROM award ORDER BY id")]
    assert indexes == [77, 4242, 99_000]
    [(size, bits)] = tool.rows("SELECT size, length(bits) FROM status_list")
    assert size == 131_072 and bits == 131_072 // 8


def test_an_index_another_drain_holds_uncommitted_is_drawn_again(tool, platform, monkeypatch):
    """The batch's draws are checked against the committed credentials of the list; one that a
    concurrent drain holds but has not committed fails the batch's write, which draws again."""
    from lms_plugin.db import db

    complete_level(tool, platform, user="first")
    draws = iter([5, 77, 4242])
    monkeypatch.setattr(status_lists.secrets, "randbelow", lambda _n: next(draws))
    assert drain(tool) == 1  # opens the list, index 5
    for user in ("mine", "theirs"):
        complete_level(tool, platform, user=user)
    _, (mine, *_), (theirs, *_) = award_rows(tool)
    with tool.app.app_context():
        other = Session(db.engine.connect())  # the other drain, holding "theirs" and index 77
        try:
            other.execute(
                update(Award).where(Award.uuid == theirs).values(status_list_id=1, status_index=77)
            )
            racer = threading.Thread(target=lambda: drain(tool))  # skips "theirs", draws 77
            racer.start()
            wait_for(lambda: waiting_for_a_lock(tool) >= 1, 30)
            other.commit()
            racer.join(timeout=30)
        finally:
            other.close()

    rows = tool.rows("SELECT uuid, status, status_index FROM award ORDER BY id")
    assert [row[1:] for row in rows] == [("issued", 5), ("issued", 4242), ("pending", 77)]
    assert drain(tool) == 1  # "theirs" keeps the index it was given
    assert tool.rows(f"SELECT status, status_index FROM award WHERE uuid = '{theirs}'") == [
        ("issued", 77)
    ]
    assert rows[1][0] == mine


def test_a_list_half_used_gives_way_to_a_new_one_counted_at_most_every_few_seconds(
    tool, platform, monkeypatch
):
    """A list takes indexes until half of it is used. A process counts a list's awards at most
    once per RECOUNT_SECONDS (3 ms at 65,000) and adds its own placements; another process's are
    seen at the next count."""
    from lms_plugin.db import db

    clock = [1000.0]
    monkeypatch.setattr(status_lists, "LIST_SIZE", 8)  # half used at 4
    monkeypatch.setattr(status_lists, "_COUNTED", {})
    monkeypatch.setattr(status_lists, "_clock", lambda: clock[0])
    lists = lambda: [row[0] for row in tool.rows("SELECT status_list_id FROM award ORDER BY id")]  # noqa: E731

    complete_level(tool, platform, user="u1")
    assert drain(tool) == 1 and lists() == [1]  # the list opened: this process counts 1 used
    for user in ("u2", "u3", "u4"):  # another process places three more in list 1
        complete_level(tool, platform, user=user)
    [held] = tool.rows("SELECT status_index FROM award WHERE status_list_id = 1")
    free = [i for i in range(8) if i != held[0]]
    with tool.app.app_context():
        for award_id, index in zip([2, 3, 4], free, strict=False):
            db.session.execute(
                update(Award)
                .where(Award.id == award_id)
                .values(status_list_id=1, status_index=index)
            )
        db.session.commit()
        drained: list[int] = []

        def placed_by_others_then_u5() -> None:
            drained.append(drain(tool))  # they keep their indexes
            complete_level(tool, platform, user="u5")
            drained.append(drain(tool))  # within RECOUNT_SECONDS: its own count, 1 used of 4

        sent = sql_sent(db.engine, placed_by_others_then_u5)
    assert drained == [3, 1]
    assert lists() == [1, 1, 1, 1, 1]
    counts = [s for s in sent if "count(" in s.lower() and "status_list" in s]
    assert not counts  # the list's awards were not counted

    clock[0] += status_lists.RECOUNT_SECONDS  # counted again: 5 used, past half
    complete_level(tool, platform, user="u6")
    assert drain(tool) == 1
    assert lists() == [1, 1, 1, 1, 1, 2]
    complete_level(tool, platform, user="u7")
    assert drain(tool) == 1 and lists()[-1] == 2  # the new list, counted when opened


def test_a_batch_reads_and_writes_in_the_same_statements_whatever_its_size(tool, platform):
    """The drain's queries are per batch, not per credential (benchmarks/README.md, Badges)."""
    from lms_plugin.db import db

    complete_level(tool, platform, user="warm")
    drain(tool)  # the keys are made and a status list is opened
    counts = []
    for size in (2, 6):
        for n in range(size):
            complete_level(tool, platform, user=f"b{size}-{n}")
        with tool.app.app_context():
            counts.append(statements_of(db.engine, lambda: drain(tool)))
    assert [row[2] for row in award_rows(tool)] == ["issued"] * 9
    assert counts[0] == counts[1], counts


def test_recording_an_award_reads_no_lesson_views(tool, platform):
    """Lessons viewed are never part of completion: the check made with every grade change that
    completes a module does not read them (one query fewer), and still records the award."""
    from lms_plugin.db import db
    from lms_plugin.db.learning import LessonView

    program = catalogue().program(L1)
    assert program is not None
    context_id, user_id = launched(tool, platform, "reader", "course-101")
    with tool.app.app_context():
        session = db.session()
        write_passed_work(session, context_id, user_id, program.modules)
        first = program.modules[0]
        session.add(
            LessonView(
                context_id=context_id,
                user_id=user_id,
                module_slug=first.slug,
                lesson_slug=first.lessons[0].slug,
            )
        )
        session.commit()
        awarded: list[int] = []

        def record() -> None:
            awarded.extend(award_records.record_completions(session, [(context_id, user_id)]))
            session.commit()

        sent = sql_sent(db.engine, record)
    assert len(awarded) == 1
    assert sent and not [statement for statement in sent if "lesson_view" in statement]


def waiting_for_a_lock(tool) -> int:
    return tool.rows(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND datname = current_database()"
    )[0][0]


def test_concurrent_completions_of_a_levels_last_two_modules_record_the_award(tool, platform):
    """One drain grades the last quiz while another folds the last review: each, on its own,
    sees the other's part missing; the per-learner lock makes the second one see it done."""
    from lms_plugin.db import db

    program = catalogue().program(L1)
    assert program is not None
    *firsts, fifth, sixth = program.modules
    context_id, user_id = launched(tool, platform, "racer", "course-101")
    with tool.app.app_context():
        session = db.session()
        write_passed_work(session, context_id, user_id, firsts)
        session.commit()
        engine = db.engine

        first, second = Session(engine.connect()), Session(engine.connect())
        try:
            write_passed_work(first, context_id, user_id, [fifth])
            missing_sixth = award_records.record_completions(first, [(context_id, user_id)])
            assert missing_sixth == []  # the 6th module is not passed in this transaction
            found: list[list[int]] = []
            write_passed_work(second, context_id, user_id, [sixth])
            racer = threading.Thread(
                target=lambda: found.append(
                    award_records.record_completions(second, [(context_id, user_id)])
                )
            )
            racer.start()
            racer.join(timeout=1)
            assert racer.is_alive()  # waiting for the first transaction's lock
            first.commit()
            racer.join(timeout=30)
            second.commit()
        finally:
            first.close()
            second.close()
    assert len(found) == 1 and len(found[0]) == 1, found
    assert [r[1:4] for r in award_rows(tool)] == [(L1, "pending", user_id)]


def test_public_view_needs_an_issued_credential_and_a_well_formed_id(tool, platform):
    from lms_plugin.db import db
    from lms_plugin.domain.errors import NotFoundError

    complete_level(tool, platform)
    [(credential_id, *_)] = award_rows(tool)
    with tool.app.app_context():
        for bad in (credential_id, "nope", "../../etc", "1" * 5000, credential_id.upper() + "x"):
            with pytest.raises(NotFoundError):
                credentials.get_public(db.session(), bad)  # pending, then malformed ones
    drain(tool)
    public = issued(tool, credential_id.upper())  # any spelling of the uuid
    assert public.recipient_name is None and public.status == "issued"
    tool.rows("UPDATE award SET show_name = true RETURNING id")
    assert issued(tool, credential_id).recipient_name == platform.users["learner-1"].name


def test_the_jwt_carries_the_signed_credential_and_its_claims(tool, platform):
    from lms_plugin.db import db

    complete_level(tool, platform)
    drain(tool)
    public = issued(tool, award_rows(tool)[0][0])
    with tool.app.app_context():
        resolver = issuer_keys.jwt_key_resolver(db.session(), issuer(tool).urls)
        inside = decode_vc_jwt(public.credential_jwt, resolver, now=utcnow())
        award = db.session.scalars(select(Award)).one()
    assert inside == public.credential and inside["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    claims = jwt.decode(public.credential_jwt, options={"verify_signature": False})
    assert claims["sub"] == award.subject_id and claims["iss"] == issuer(tool).urls.issuer()


def test_credentials_outlive_the_removal_of_their_platform(tool, platform):
    from lms_plugin.db import db
    from lms_plugin.services.platforms import remove_platform
    from lms_plugin.web import deps

    _, user_id = complete_level(tool, platform)
    drain(tool)
    with tool.app.app_context():
        [mine] = credentials.learner_awards(db.session(), user_id)
        assert credentials.learner_awards(db.session(), user_id + 1) == []
        remove_platform(db.session(), deps.tenants(), platform.issuer, platform.client_id)
    assert tool.rows("SELECT count(*) FROM lti_user") == [(0,)]
    [(status, user, context, index)] = tool.rows(
        "SELECT status, user_id, context_id, status_index FROM award"
    )
    assert (status, user, context) == ("issued", None, None) and index is not None
    public = issued(tool, mine.uuid)  # still verifiable by anyone; its index is never reused
    assert node_verify(public.credential, published(tool))["verified"] is True
