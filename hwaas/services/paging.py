"""Page-by-page lists: one count query and one slice query, whatever the length of the list."""
import math
from dataclasses import dataclass
from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Page:
    items: list[Any]
    number: int  # 1-based
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        return 0 if not self.total else (self.number - 1) * self.size + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.number * self.size)


def page_number(raw: object) -> int:
    """A page number from a query string: anything that is not a positive integer is page 1."""
    try:
        number = int(str(raw))
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= 100_000 else 1


def clamp(number: int, size: int, total: int) -> int:
    """`number` moved into 1 … the last page of `total` rows, `size` a page."""
    return min(max(1, number), max(1, math.ceil(total / size)))


def paginate(session: Session, stmt: Select, number: int, size: int, count: Select | None = None,
             around: Callable[[Select], Select] | None = None) -> Page:
    """Count the rows of `count` (default: `stmt`), clamp `number` to the last page, and fetch
    that page of `stmt`. A statement of one entity yields the entities; of several columns, rows.
    `around` wraps the sliced statement, to join what the page shows to its rows only.
    """
    counted = (count if count is not None else stmt).order_by(None).subquery()
    total = session.scalar(select(func.count()).select_from(counted)) or 0
    number = clamp(number, size, total)
    sliced = stmt.limit(size).offset((number - 1) * size)
    if around is not None:
        sliced = around(sliced)
    result = session.execute(sliced)
    items = list(result.scalars()) if len(sliced.column_descriptions) == 1 else list(result.all())
    return Page(items=items, number=number, size=size, total=total)
