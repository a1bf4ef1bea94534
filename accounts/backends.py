"""Which authentication backend a password set here signs the person in with."""

from django.conf import settings
from django.contrib.auth import load_backend
from django.contrib.auth.backends import ModelBackend


def local_backend() -> str:
    """The first listed backend that checks local passwords (ModelBackend or a subclass).

    Settings may list django-axes' backend first and a directory backend
    (LDAP) beside it; a password set by activation or reset is a local one, so
    the session must belong to a backend that loads the account from the
    database on the next request.
    """
    for path in settings.AUTHENTICATION_BACKENDS:
        if isinstance(load_backend(path), ModelBackend):
            return path
    for path in settings.AUTHENTICATION_BACKENDS:
        backend = load_backend(path)
        if hasattr(backend, "get_user") and "axes" not in path:
            return path
    return "django.contrib.auth.backends.ModelBackend"
