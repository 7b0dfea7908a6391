"""Sending generated or stored files as downloads that no cache keeps and no browser sniffs."""
import io

from flask import Response, send_file


def _sealed(response):
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Opened directly, the file runs nothing and loads nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def attachment(data: bytes, content_type: str, filename: str):
    return _sealed(send_file(io.BytesIO(data), mimetype=content_type, as_attachment=True,
                             download_name=filename, max_age=0))


def streamed_attachment(body, content_type: str, filename: str):
    """A download sent as it is produced: `body` is an open file, or an iterator of text chunks
    read after the request has ended (so it brings its own database session, if it needs one)."""
    if hasattr(body, "read"):
        return _sealed(send_file(body, mimetype=content_type, as_attachment=True, download_name=filename,
                                 max_age=0))
    response = Response(body, mimetype=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _sealed(response)
