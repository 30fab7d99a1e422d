"""Celery configuration from Settings, shared by the worker and the web's dispatcher."""

from __future__ import annotations

from typing import Any

from lms_plugin.settings import Settings

QUEUES = ("grading", "lms", "badges", "default")
ROUTES = {
    "grading.*": {"queue": "grading"},
    "lti.*": {"queue": "lms"},
    "badges.*": {"queue": "badges"},
    "system.*": {"queue": "default"},
}


def celery_config(settings: Settings) -> dict[str, Any]:
    options: dict[str, Any] = {"visibility_timeout": 3600}
    transport = None  # the URL's
    if settings.broker_url.startswith("filesystem://"):
        # The embedded broker: messages are files in instance/broker, shared by web and worker,
        # through kombu's file-system transport mended for a reader/writer race (file_broker).
        folder = settings.broker_folder
        (folder / "processed").mkdir(parents=True, exist_ok=True)
        transport = "worker.file_broker:Transport"
        options = {
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),  # kombu's default is the working dir
            "store_processed": False,
        }
    sweep = float(settings.sweep_seconds)
    return {
        "broker_url": settings.broker_url,
        "broker_transport": transport,
        "broker_transport_options": options,
        "broker_connection_retry_on_startup": True,
        "task_default_queue": "default",
        "task_routes": ROUTES,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        # A task running when the broker connection drops finishes its work (a drain sending
        # scores ends its batch and writes each row's outcome); Celery 6's default would cancel
        # it, leaving the rows it leased hidden for the lease (passback.LEASE_SECONDS). Its
        # message cannot be acknowledged on the lost connection and may come again: the drains
        # are idempotent.
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "task_ignore_result": True,  # results live in our own tables, not a result backend
        "worker_prefetch_multiplier": 1,
        "task_serializer": "json",
        "accept_content": ["json"],
        # The drains run on the beat too: a doorbell message may be lost with the broker.
        "beat_schedule": {
            "drain-grading": {"task": "grading.grade_submitted", "schedule": sweep},
            "drain-outbox": {"task": "lti.publish_scores", "schedule": sweep},
            "drain-badges": {"task": "badges.issue_awards", "schedule": sweep},
            # Checked hourly; each acts only on what is due.
            "rotate-keys": {"task": "lti.rotate_keys", "schedule": 3600.0},
            "sync-rosters": {"task": "lti.sync_rosters", "schedule": 3600.0},
        },
    }
