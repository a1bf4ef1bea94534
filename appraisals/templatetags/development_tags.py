"""{% development_plan plan %}: the plan's development part, on the results page and the form."""

from django import template

from appraisals.models import Appraisal, DevelopmentItem

register = template.Library()


@register.inclusion_tag("appraisals/_development_plan.html", takes_context=True)
def development_plan(context, plan, printable=False):
    appraisal = Appraisal.objects.filter(plan=plan).first()
    items = []
    if appraisal is not None:
        items = list(
            DevelopmentItem.objects.filter(appraisal=appraisal).select_related("competency")
        )
    return {
        "plan": plan,
        "appraisal": appraisal,
        "items": items,
        "printable": printable,
        "request": context.get("request"),
    }
