"""Sending generated or stored files as downloads that no cache keeps and no browser sniffs."""
import io

from collections.abc import Iterable

from flask import Response, send_file


def attachment(data: bytes, content_type: str, filename: str):
    response = send_file(io.BytesIO(data), mimetype=content_type, as_attachment=True,
                         download_name=filename, max_age=0)
    return _private(response)


def streamed_attachment(chunks: Iterable[bytes], content_type: str, filename: str):
    """A download sent as it is produced (no Content-Length), with the same headers."""
    response = Response(chunks, mimetype=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)


def _private(response):
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Opened directly, the file runs nothing and loads nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
