"""The one place that scopes partner data to a partner: every partner query starts here."""
from typing import TypeVar

from sqlalchemy import Select, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from hwaas.services.errors import NotFound

M = TypeVar("M")


class PartnerScope:
    """Queries over the tables that carry `partner_id`, limited to one partner.

    A record of another partner is reported as not found (a 404 to the web), never as
    forbidden: its existence is not the asker's business.
    """

    def __init__(self, session: Session, partner_id: int):
        self.session = session
        self.partner_id = partner_id

    def select(self, model: type[M], *columns) -> Select:
        column = getattr(model, "partner_id", None)
        if column is None:
            raise TypeError(f"{model.__name__} carries no partner_id and cannot be scoped")
        return (select(*columns) if columns else select(model)).where(column == self.partner_id)

    def partner_ids(self) -> list[int]:
        """The partners in scope, for IN (...): this one (as ManagerScope.partner_ids for staff)."""
        return [self.partner_id]

    def get(self, model: type[M], id_: int, *options) -> M:
        """The partner's record `id_`. One already loaded in this session (and not expired) is
        taken from the identity map without a query, if it is the partner's."""
        known = self.session.identity_map.get(identity_key(model, id_))
        if known is not None and "partner_id" not in inspect(known).unloaded and self.owns(known):
            return known
        obj = self.session.scalar(self.select(model).where(model.id == id_).options(*options))
        if obj is None:
            raise NotFound(f"No such {model.__name__.lower()}.")
        return obj

    def owns(self, obj) -> bool:
        return getattr(obj, "partner_id", None) == self.partner_id
