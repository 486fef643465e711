ARG BASE
FROM ${BASE}
WORKDIR /work
COPY b/ ./
CMD ["python3", "worker.py"]
