"""Extension points: a higher app adds to a lower app's pages without being imported.

Imports run one way (orgchart <- indicators <- appraisals <- apps above).
A page of a lower app that should show something an app above it knows
renders the panels registered here; the app above registers them in its
AppConfig.ready(). A panel is a callable (request, obj) -> HTML text (""
for nothing); it should cost a fixed number of queries.

- PLAN_PANELS: under a plan on the plan page and the results page (obj: the Plan);
- UNIT_PANELS: on orgchart's unit page (obj: the unit Node).
"""

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

Panel = Callable[[object, object], str]

PLAN_PANELS: list[Panel] = []
UNIT_PANELS: list[Panel] = []


def register(hooks: list[Panel], panel: Panel) -> None:
    """Add `panel` once (ready() may run more than once in tests)."""
    if panel not in hooks:
        hooks.append(panel)


def render_panels(hooks: list[Panel], request, obj) -> SafeString:
    # Each panel renders through a template (autoescaped) and returns its HTML.
    return mark_safe("".join(str(panel(request, obj) or "") for panel in hooks))  # noqa: S308
