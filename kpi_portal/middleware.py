from django.conf import settings
from django.utils import translation


class ThaiFirstLocaleMiddleware:
    """Activate the language the user chose (cookie), else Thai.

    Django's LocaleMiddleware would follow the browser's Accept-Language and
    show English to a Thai officer whose browser is set up in English; the
    product is Thai first, so only an explicit choice switches language.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
