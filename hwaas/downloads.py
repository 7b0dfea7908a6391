"""Sending generated or stored files as downloads that no cache keeps and no browser sniffs."""
import io

from flask import send_file


def attachment(data: bytes, content_type: str, filename: str):
    response = send_file(io.BytesIO(data), mimetype=content_type, as_attachment=True,
                         download_name=filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Opened directly, the file runs nothing and loads nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
