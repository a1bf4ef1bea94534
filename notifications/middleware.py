from django.urls import reverse

from notifications.services import language_remember


class RememberLanguageMiddleware:
    """Keep a signed-in person's language choice (the nav's switch) for their e-mails.

    The switch is Django's set_language view, which only sets a cookie; the
    worker that writes an e-mail has no cookie, so the choice is stored too.
    Costs a query only on that switch.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.path = None

    def __call__(self, request):
        response = self.get_response(request)
        if self.path is None:
            self.path = reverse("set_language")
        if (
            request.method == "POST"
            and request.path == self.path
            and response.status_code in (302, 204)
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
        ):
            language_remember(user=request.user, language=request.POST.get("language", ""))
        return response
