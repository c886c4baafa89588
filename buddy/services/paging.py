"""A page of a plain list, shaped like Flask-SQLAlchemy's Pagination for the same templates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PER_PAGE = 50


@dataclass(frozen=True)
class ListPage:
    """One page of items out of `total`."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are."""
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def has_prev(self) -> bool:
        """Whether there is a page before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether there is a page after this one."""
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        """The previous page's number."""
        return self.page - 1

    @property
    def next_num(self) -> int:
        """The next page's number."""
        return self.page + 1


def page_of(values: list[Any], page: int, per_page: int = PER_PAGE) -> tuple[list[Any], int]:
    """The slice of `values` for a 1-based page number (out-of-range pages clamp)."""
    last = max((len(values) + per_page - 1) // per_page, 1)
    page = min(max(page, 1), last)
    return values[(page - 1) * per_page:page * per_page], page


def page_number(raw: str | None, last: int = 1_000_000) -> int:
    """A page number from the query string: 1 for anything odd, never past `last`."""
    if not raw or not raw.isascii() or not raw.isdigit() or len(raw) > 7:
        return 1
    return min(max(int(raw), 1), last)
