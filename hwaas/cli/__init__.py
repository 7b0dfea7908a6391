"""`flask` commands: data import, demo data, the mail sender."""
from flask import Flask


def register_commands(app: Flask) -> None:
    pass
