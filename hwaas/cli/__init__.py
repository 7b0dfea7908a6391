"""`flask` commands: data import, demo data, the mail sender, the renewal job."""
import datetime as dt
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from hwaas.extensions import db
from hwaas.models import User
from hwaas.services import importer
from hwaas.services.errors import ValidationFailed

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo.json"


def register_commands(app: Flask) -> None:
    app.cli.add_command(import_data)
    app.cli.add_command(demo)
    app.cli.add_command(demo_logins)
    from hwaas.cli.mail import send_mail

    app.cli.add_command(send_mail)
    from hwaas.cli.renew import renew

    app.cli.add_command(renew)


def business_today() -> dt.date:
    """The app's business date (HWAAS_TODAY when pinned), else the server's date."""
    from hwaas.web import today

    return today()


def read_document(path: Path) -> dict:
    """Parse an import file as the admin's upload does (importer.parse_document); a problem is a
    ClickException naming the file."""
    try:
        return importer.parse_document(path.read_bytes())
    except ValidationFailed as error:
        raise click.ClickException(f"{path}: {error.message}") from None

def _load(data: dict, dry_run: bool = False) -> importer.ImportReport:
    """Import `data` in one transaction: committed only if everything went in."""
    try:
        report = importer.load(db.session, data, business_today())
    except BaseException:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return report


@click.command("import-data")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and try the import, then roll it back.")
def import_data(file: Path, dry_run: bool) -> None:
    """Import partners, users, customers, PBXs, products, prices and invoices from a JSON FILE.

    Everything is validated first; on any problem nothing is changed. The format is described
    in docs/import-format.md.
    """
    data = read_document(file)
    try:
        report = _load(data, dry_run)
    except ValidationFailed as error:
        problems = getattr(error, "problems", [error.message])
        click.echo(f"{file}: {len(problems)} problem(s) found; nothing was imported.", err=True)
        for problem in problems:
            click.echo(f"  - {problem}", err=True)
        raise SystemExit(1)
    except SQLAlchemyError as error:
        raise click.ClickException(f"The database refused the import, so nothing was imported: {error}")
    click.echo(f"{file}: " + ("valid (dry run: nothing was saved)" if dry_run else "imported"))
    click.echo(str(report))


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Load the demo data set (hwaas/data/demo.json) if the database has no users yet."""
    try:
        users = db.session.scalar(select(func.count()).select_from(User))
    except SQLAlchemyError as error:
        db.session.rollback()
        raise click.ClickException(f"Cannot read the database (run `flask db upgrade` first?): {error}")
    if users:
        click.echo("Database not empty; demo data not loaded")
        return
    try:
        report = _load(read_document(DEMO_FILE))
    except IntegrityError:
        # Another process (a second worker starting at the same time) loaded it first.
        click.echo("Database not empty; demo data not loaded")
        return
    signed = _demo_signed_agreements()
    db.session.commit()
    click.echo("Demo data loaded")
    click.echo(str(report))
    for customer in signed:
        click.echo(f"signed agreement uploaded for {customer} (awaiting the area manager's review)")


# Demo customers whose signed agreement is already uploaded, so that the demo can check out
# at once; the area manager finds it waiting for review. Other customers start without one.
DEMO_SIGNED_AGREEMENTS = (("partner@example.com", "Acme Srl"),)


def _demo_signed_agreements() -> list[str]:
    from hwaas.models import Customer
    from hwaas.services import agreements
    from hwaas.services.tenancy import PartnerScope

    done = []
    for email, customer_name in DEMO_SIGNED_AGREEMENTS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None or user.partner_id is None:
            continue
        scope = PartnerScope(db.session, user.partner_id)
        customer = db.session.scalar(scope.select(Customer).where(Customer.name == customer_name))
        if customer is None:
            continue
        # The signed copy is the agreement the portal prefills, as the customer would return it.
        document = agreements.prefilled_pdf(scope, customer.id, business_today())
        agreements.upload(scope, customer.id, user, f"{customer_name} signed agreement.pdf", document.data)
        done.append(customer_name)
    return done


@click.command("demo-logins")
@with_appcontext
def demo_logins() -> None:
    """Print the demo logins and their password."""
    data = read_document(DEMO_FILE)
    partners = {p["name"]: p for p in data.get("partners", [])}
    users = data.get("users", [])
    passwords = {u.get("password") for u in users}
    shared = passwords.pop() if len(passwords) == 1 else None
    click.echo("Demo logins" + (f" (password: {shared})" if shared else "") + ":")
    width = max((len(u["email"]) for u in users), default=0)
    for user in users:
        role = user["role"].replace("_", " ")
        if user.get("partner"):
            partner = partners.get(user["partner"], {})
            tier = f", {partner['tier']} tier" if partner.get("tier") else ""
            team = user.get("team_role", "owner").capitalize()
            role = f"{team} at {user['partner']}{tier}"
        line = f"  {user['email']:<{width}}  {user['name']} ({role})"
        if not shared:
            line += f"  password: {user.get('password', '(set by hash)')}"
        click.echo(line)
