"""Pages: the user's API tokens (create, revoke), and the API's documentation page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated

from api.auth import TokenAuthentication
from api.models import ApiToken
from api.tokens import MAX_ACTIVE_TOKENS, token_create, token_revoke


@never_cache
@login_required
def token_list(request):
    """The caller's tokens; POST creates one and shows it once, on this answer only."""
    new_token = None
    if request.method == "POST":
        try:
            row, new_token = token_create(
                user=request.user, name=request.POST.get("name", ""), by=request.user
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("api:tokens")
        messages.success(request, _("สร้างโทเคน %(name)s แล้ว") % {"name": row.name})
    tokens = ApiToken.objects.filter(user=request.user)
    context = {"tokens": tokens, "new_token": new_token, "max_tokens": MAX_ACTIVE_TOKENS}
    return render(request, "api/tokens.html", context)


@login_required
@require_POST
def token_revoke_view(request, pk):
    """Only the token's own user revokes it here (administrators: the Django admin)."""
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token_revoke(token=token, by=request.user)
    messages.success(request, _("ยกเลิกโทเคน %(name)s แล้ว") % {"name": token.name})
    return redirect("api:tokens")


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, for a token or a signed-in browser (the docs page reads it)."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    # JSON first (errors too); ?format=yaml for YAML.
    renderer_classes = [OpenApiJsonRenderer, OpenApiYamlRenderer]


@method_decorator(login_required, name="dispatch")
class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from local files (drf-spectacular-sidecar), its script a separate file (CSP)."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]
    template_name = "api/swagger_ui.html"
    throttle_classes = []
