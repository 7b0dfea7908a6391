"""Entry point for gunicorn and the flask command: `gunicorn wsgi:app`."""
import gc

from hwaas import create_app

app = create_app()
# What the app built at start lives as long as the process: keep it out of the cyclic garbage
# collector's full passes, which otherwise walk these ~130,000 objects in the middle of a request
# (a 60 ms pause every few dozen requests on the heaviest pages; docs/performance.md).
gc.freeze()
