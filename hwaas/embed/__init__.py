"""Embedding in the partner portal: the signed launch link, the third-party-cookie check, and
`flask embed link` to make a launch link by hand."""
from flask import Blueprint

bp = Blueprint("embed", __name__, url_prefix="/embed")

from hwaas.embed import routes  # noqa: E402,F401
