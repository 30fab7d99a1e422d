# The production image: the tool installed from its wheel (not a source tree, not editable),
# production settings by default, a non-root user. With no LMS_SECRET_KEY (or SQLite, a dev
# broker, plain http) every entry point prints one line naming the variable and exits non-zero.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY lms_plugin ./lms_plugin
COPY worker ./worker
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LMS_ENV=production \
    LMS_INSTANCE_DIR=/tmp/instance
RUN useradd --create-home --uid 10001 lms
COPY --from=build /wheels /wheels
# The dependencies at the versions the test suite passed with (scripts/lock writes the file).
COPY constraints.txt /tmp/constraints.txt
RUN pip install --no-cache-dir -c /tmp/constraints.txt /wheels/*.whl && rm -rf /wheels /tmp/constraints.txt
# Data the installed package reads from its working directory (lms_plugin/paths.py).
WORKDIR /app
COPY migrations ./migrations
COPY courses ./courses
USER lms
EXPOSE 8000
CMD ["gunicorn", "-c", "python:lms_plugin.gunicorn_conf", "-w", "4", "-b", "0.0.0.0:8000", "--forwarded-allow-ips", "*", "lms_plugin.wsgi:app"]
