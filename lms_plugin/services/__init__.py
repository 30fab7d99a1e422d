"""Use cases: plain functions taking a DB session and ports. No Flask, no Celery."""
