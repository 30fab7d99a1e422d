"""Pure domain logic: no Flask, SQLAlchemy, Celery, pylti1p3, Redis or HTTP in here."""
