"""The login page: Django's LoginView, told when the agency's directory is down."""

from django.contrib.auth import views as auth_views

from kpi_portal.directory import REQUEST_FLAG


class SignInView(auth_views.LoginView):
    """Django's LoginView; a refused login while the directory was unreachable says so."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["directory_unavailable"] = getattr(self.request, REQUEST_FLAG, False)
        return context
