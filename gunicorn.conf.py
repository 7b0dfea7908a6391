"""gunicorn's settings, read from the working directory by `make run`, `make bench` and any
`gunicorn wsgi:app` started from the repository (command-line flags still win)."""
import logging


def post_worker_init(worker):
    """Import WeasyPrint as each worker starts, so that no partner waits for it: imported on first
    use, it added 0.5–2 s to the first price list or confirmation PDF of every worker."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:  # its system libraries missing: PDFs will say so on use
        logging.getLogger("gunicorn.error").warning("WeasyPrint not preloaded: %s", error)
