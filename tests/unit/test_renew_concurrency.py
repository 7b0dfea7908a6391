"""Two hosts running `flask renew` for the same days at once charge each period once (PostgreSQL)."""
import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hwaas import models as m
from hwaas.extensions import db
from hwaas.services import charges

ROOT = Path(__file__).resolve().parents[2]
DAY = dt.date(2026, 6, 15)


@pytest.mark.postgres
def test_two_renew_processes_on_the_same_days_charge_each_period_once(app, make, session, tmp_path):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("two processes on one database: PostgreSQL's; set TEST_DATABASE_URL=postgresql+psycopg://…")
    partner = make.partner()
    user = make.user(partner=partner)
    customer = make.customer(partner)
    phone = make.product(opex={"monthly": Decimal("10.00"), "yearly": Decimal("100.00"),
                               "five_years": Decimal("450.00")})
    for n in range(240):  # anchors on each of the five days caught up, all terms
        term = ("monthly", "yearly", "five_years")[n % 3]
        activated_on = dt.date(2021, 6, 11 + n % 5)
        pbx = make.pbx(customer, term=term, activated_on=activated_on)
        service = m.PbxService(pbx_id=pbx.id, term=term, kind="hwaas", product_id=phone.id, quantity=3,
                               unit_price=Decimal("1.00"), started_on=activated_on)
        session.add(service)
        session.flush()
        if n % 10 == 0:  # a pending cancellation effective on the renewal day, with a fee
            session.add(m.DeviceCancellation(partner_id=partner.id, pbx_id=pbx.id, service_id=service.id,
                                             effective_on=dt.date(2026, 6, 11 + n % 5), quantity=1,
                                             fee=Decimal("6.10"), requested_by_id=user.id))
    charges.record_run(session, DAY - dt.timedelta(days=5))
    session.commit()

    env = {**os.environ, "FLASK_APP": "wsgi", "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "HWAAS_INSTANCE_PATH": str(tmp_path), "HWAAS_CONFIG": "development"}
    command = [str(Path(sys.executable).with_name("flask")), "renew", "--today", DAY.isoformat()]
    hosts = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outputs = [host.communicate(timeout=120) for host in hosts]
    assert [host.returncode for host in hosts] == [0, 0], outputs

    session.expire_all()
    per_period = select(m.Charge.service_id, m.Charge.kind, m.Charge.period_start, func.count()).group_by(
        m.Charge.service_id, m.Charge.kind, m.Charge.period_start)
    assert {row[-1] for row in session.execute(per_period)} == {1}
    count = lambda kind: session.scalar(select(func.count()).where(m.Charge.kind == kind))  # noqa: E731
    assert count("renewal") == 240  # every PBX starts a period on one of the days (five years: 2021 → 2026)
    assert count("cancellation_fee") == 24
    assert session.scalar(select(func.count()).select_from(m.DeviceCancellation)
                          .where(m.DeviceCancellation.status == "effective")) == 24
    # Each day the two hosts did is noted once; both said what they did.
    assert session.scalars(select(m.JobRun.day).order_by(m.JobRun.day)).all() == [
        DAY - dt.timedelta(days=d) for d in range(5, -1, -1)]
    assert all("service(s) renewed" in out for out, _ in outputs)
