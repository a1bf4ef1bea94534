"""HR pages that import a spreadsheet into one round: upload, preview, confirm.

The results import (appraisals) and the check-in import (monitoring) are the
same page over a different reader, import service and wording: the HR user
picks a round and a file, sees every bad row of a dry run, confirms, and the
file kept between the two steps is checked again and imported all or nothing
(kpi_portal.import_flow keeps it, and sends big files to the worker). Each app
declares a RoundImport and takes the three views `round_import_views` makes.
Officers and heads who are not HR get 403.
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from indicators.models import Round
from indicators.views.imports import round_scope
from kpi_portal.import_flow import (
    ImportPage,
    TableUploadForm,
    TemplateSheet,
    attempt,
    in_background,
    register_import,
    result_view,
    template_response,
)
from orgchart.access import require_hr


@dataclass(frozen=True)
class RoundImport:
    """What differs between two round imports."""

    namespace: str  # URL namespace with "import", "import_confirm", "import_result"
    prefix: str  # the kept file's session key
    job_kind: str  # the background job's kind
    title: str  # the job's title
    statuses: tuple  # the rounds offered on the upload form
    columns: tuple  # the importer's Column list
    column_help: dict  # column key -> help text on the upload page
    read: Callable  # read(path, progress=None) -> table
    load: Callable  # load(*, table, round, by, dry_run) -> report
    done: str  # the success message, with %(created)s %(updated)s %(unchanged)s
    template_dir: str  # holds import.html and import_preview.html
    examples: tuple = ()  # example rows of the downloadable template
    template_filename: str = "import-template.xlsx"


def round_import_views(spec: RoundImport) -> SimpleNamespace:
    """The upload, confirm, background-result and template views of `spec`, and its job."""

    class UploadForm(TableUploadForm):
        round = forms.ModelChoiceField(
            label=gettext_lazy("รอบการประเมิน"),
            queryset=Round.objects.filter(status__in=spec.statuses),
            empty_label=None,
            widget=forms.Select(attrs={"class": "form-select"}),
        )
        field_order = ("round", "file")

    def run(path, params, user, *, dry_run: bool, progress=None):
        """Check (dry run) or import the kept file into params["round"]."""
        the_round = Round.objects.filter(pk=params.get("round") or 0).first()
        if the_round is None:
            raise ValidationError(_("ไม่พบรอบการประเมินที่ขอ"))
        table = spec.read(path, progress=progress)
        return spec.load(table=table, round=the_round, by=user, dry_run=dry_run)

    page = ImportPage(
        prefix=spec.prefix,
        job_kind=spec.job_kind,
        check=run,
        upload_url=f"{spec.namespace}:import",
        result_url=f"{spec.namespace}:import_result",
    )
    register_import(page, title=spec.title)
    preview = f"{spec.template_dir}/import_preview.html"

    def check(path, the_round: Round, user, *, dry_run: bool):
        return attempt(lambda: run(path, {"round": the_round.pk}, user, dry_run=dry_run))

    def done(request, report):
        counts = {"created": report.created, "updated": report.updated}
        messages.success(request, str(spec.done) % {**counts, "unchanged": report.unchanged})
        return redirect(page.upload_url)

    @login_required
    @require_http_methods(["GET", "POST"])
    def import_upload(request):
        """GET: the upload form; POST: check the file (dry run) and show every bad row."""
        require_hr(request.user)
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            pending = page.pending(request)
            upload, the_round = form.cleaned_data["file"], form.cleaned_data["round"]
            kept = pending.keep(upload, round=the_round.pk)
            background = in_background(page, request, kept, dry_run=True, round=the_round.pk)
            if background:
                return background
            outcome = check(kept, the_round, request.user, dry_run=True)
            if outcome.failed:
                pending.forget()
            context = {"filename": upload.name, "round": the_round, "form": form}
            return render(request, preview, {**context, **outcome.context()})
        columns = [(column, spec.column_help[column.key]) for column in spec.columns]
        template_url = reverse(f"{spec.namespace}:import_template")
        context = {"form": form, "columns": columns, "template_url": template_url}
        return render(request, f"{spec.template_dir}/import.html", context)

    @login_required
    @require_POST
    def import_confirm(request):
        """Import the file checked at the preview step, all or nothing; or cancel it."""
        require_hr(request.user)
        pending = page.pending(request)
        kept = pending.path
        the_round = Round.objects.filter(pk=pending.info.get("round") or 0).first()
        if request.POST.get("action") == "cancel" or kept is None or the_round is None:
            if request.POST.get("action") != "cancel":
                messages.error(request, _("ไม่พบไฟล์ที่รอยืนยัน กรุณาอัปโหลดไฟล์อีกครั้ง"))
            pending.forget()
            return redirect(page.upload_url)
        filename = pending.filename or kept.name
        background = in_background(page, request, kept, dry_run=False, round=the_round.pk)
        if background:
            return background
        outcome = check(kept, the_round, request.user, dry_run=False)
        pending.forget()
        if outcome.failed:
            # Something changed since the preview (a plan reopened, the round moved on).
            context = {"filename": filename, "round": the_round, "confirm_failed": True}
            context.update(outcome.context(), form=UploadForm())
            return render(request, preview, context)
        return done(request, outcome.report)

    import_result = result_view(
        page,
        template=preview,
        guard=require_hr,
        done=lambda request, report, round: done(request, report),
        scope=round_scope,
        retry_form=lambda scope: UploadForm(),
    )

    @login_required
    @require_GET
    def import_template(request):
        """An .xlsx with the Thai headers, example rows, and a sheet explaining the columns."""
        require_hr(request.user)
        return template_response(
            TemplateSheet(
                title=str(spec.title),
                columns=spec.columns,
                meanings=[(column, spec.column_help[column.key]) for column in spec.columns],
                examples=spec.examples,
                widths=lambda column: 30 if column.key == "note" else 16,
                filename=spec.template_filename,
            )
        )

    return SimpleNamespace(
        page=page,
        upload=import_upload,
        confirm=import_confirm,
        result=import_result,
        template=import_template,
    )
