FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY grader grader
COPY quizapp quizapp
COPY question_bank question_bank
RUN pip install --no-cache-dir .
COPY . .
RUN DEBUG=1 python manage.py collectstatic --noinput
RUN useradd --create-home app
USER app
EXPOSE 8000
CMD ["gunicorn", "quizapp.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
