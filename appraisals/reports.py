"""HR's reports: the round report and the official achievement form.

The exporters live in `reports_round` and `reports_form`; the per-unit figures
shared with the dashboard in `summary`. Commands, download views and (later)
the background worker all import them from here and write them with
`kpi_portal.exporters.write_workbook`.
"""

from appraisals.reports_form import OfficerForm, form_data, scores_shown_to
from appraisals.reports_round import RoundReport

__all__ = ["OfficerForm", "RoundReport", "form_data", "scores_shown_to"]
