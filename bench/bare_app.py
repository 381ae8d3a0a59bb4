"""The baseline of the intake benchmark: a bare endpoint that reads the body and answers 202."""

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/webhooks/vendor-invoices")
def bare():
    """Parse the JSON and answer, nothing else."""
    request.get_json(force=True)
    return jsonify(id=1, status="AP", revision=1), 202
