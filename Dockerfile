FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY core core
COPY schema schema
COPY plugins plugins
COPY yixian yixian
RUN pip install --no-cache-dir .
EXPOSE 8000
CMD ["yixian", "serve", "--host", "0.0.0.0", "--port", "8000"]
