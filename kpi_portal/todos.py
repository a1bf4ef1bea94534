"""The home page's to-do list: each app registers a provider (in AppConfig.ready()).

kpi_portal sits below the apps and knows nothing of plans or appraisals; the
apps above tell it what a person has to do next. A provider takes the user and
their roles (orgchart.access.Roles) and returns Todo items; it must cost a
fixed number of queries whatever the size of the agency or of the team.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from orgchart.access import Roles, roles_of


@dataclass(frozen=True)
class Todo:
    """One thing to do: a sentence, the page that does it, and what to know first."""

    role: str  # "officer" (my own work) or "head" (my team's)
    text: str
    url: str
    action: str  # the link's words ("เปิดแผน", "อนุมัติ"...)
    detail: str = ""  # e.g. the supervisor's comment on a returned plan
    deadline: datetime.date | None = None
    count: int | None = None
    order: int = 50  # smaller first within a role


Provider = Callable[[object, Roles], Iterable[Todo]]
_providers: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Register (or replace) a provider under `name` (idempotent across ready() calls)."""
    _providers[name] = provider


def todos_for(user) -> list[Todo]:
    """Everything `user` has to do, officer items first, in each provider's order."""
    roles = roles_of(user)
    if roles.node is None:
        return []
    items = [item for provider in _providers.values() for item in provider(user, roles)]
    return sorted(items, key=lambda item: (item.role != "officer", item.order))
