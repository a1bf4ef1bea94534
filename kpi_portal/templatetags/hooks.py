"""{% plan_panels plan %} and {% unit_panels unit %}: the panels of kpi_portal.hooks."""

from django import template

from kpi_portal import hooks

register = template.Library()


@register.simple_tag(takes_context=True)
def plan_panels(context, plan):
    return hooks.render_panels(hooks.PLAN_PANELS, context.get("request"), plan)


@register.simple_tag(takes_context=True)
def unit_panels(context, unit):
    return hooks.render_panels(hooks.UNIT_PANELS, context.get("request"), unit)
