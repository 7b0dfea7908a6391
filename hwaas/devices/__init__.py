"""Devices: a PBX's services and devices, Replace, Cancel, Order CLASSOUND."""
from flask import Blueprint

bp = Blueprint("devices", __name__, url_prefix="/devices")

from hwaas.devices import routes  # noqa: E402,F401
