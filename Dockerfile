FROM python:3.11-slim
WORKDIR /app
RUN useradd --create-home --uid 10001 lms
COPY pyproject.toml README.md ./
COPY lms_plugin ./lms_plugin
COPY worker ./worker
COPY migrations ./migrations
COPY courses ./courses
RUN pip install --no-cache-dir -e .
USER lms
ENV LMS_INSTANCE_DIR=/tmp/instance
EXPOSE 8000
CMD ["gunicorn", "-w", "4", "-b", "0.0.0.0:8000", "--forwarded-allow-ips", "*", "lms_plugin.wsgi:app"]
