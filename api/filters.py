"""Filters every list shares: ?round= (id or code, e.g. 2569/1) and ?unit= (a subtree)."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from indicators.models import Round
from orgchart.access import get_node_for


def _whole(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValidationError(
            {name: [_("ต้องเป็นเลขรหัส (id) จำนวนเต็ม (ได้รับ: %(value)s)") % {"value": value}]}
        ) from None


def round_of(value: str) -> Round:
    """A round by id or by code ("2569/1"); 404 when there is none."""
    value = value.strip()
    if "/" in value:
        try:
            fiscal_year, number = Round.parse_code(value)
        except ValueError:
            raise Http404 from None
        found = Round.objects.filter(fiscal_year=fiscal_year, number=number).first()
    else:
        found = Round.objects.filter(pk=_whole(value, "round")).first()
    if found is None:
        raise Http404
    return found


def by_round(queryset: QuerySet, request, field: str) -> QuerySet:
    value = request.query_params.get("round")
    if not value:
        return queryset
    return queryset.filter(**{field: round_of(value)})


def by_unit(queryset: QuerySet, request, prefix: str) -> QuerySet:
    """Rows whose node (behind `prefix`) is the unit or below it; 404 for a unit outside the view.

    `unit` is a node's code or id.
    """
    value = (request.query_params.get("unit") or "").strip()
    if not value:
        return queryset
    try:
        unit = get_node_for(request.user, code=value)
    except Http404:
        if not value.isdigit():
            raise
        unit = get_node_for(request.user, pk=int(value))
    return queryset.filter(
        **{
            f"{prefix}tree_id": unit.tree_id,
            f"{prefix}lft__gte": unit.lft,
            f"{prefix}lft__lte": unit.rght,
        }
    )


def by_whole(queryset: QuerySet, request, name: str, field: str) -> QuerySet:
    value = request.query_params.get(name)
    if not value:
        return queryset
    return queryset.filter(**{field: _whole(value, name)})


def by_text(queryset: QuerySet, request, name: str, field: str) -> QuerySet:
    value = (request.query_params.get(name) or "").strip()
    return queryset.filter(**{field: value}) if value else queryset
