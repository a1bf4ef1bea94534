"""Background e-mail: activation links and password-reset links.

The tasks receive ids, never a code or a token: they make the secret
themselves just before sending, so nothing secret sits in the task queue.
"""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from accounts import codes
from accounts.models import ActivationCode

logger = logging.getLogger("kpi_portal.security")
CHUNK = 200


def _uid(user) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def _message(subject_template: str, body_template: str, context: dict, to: str) -> EmailMessage:
    subject = "".join(render_to_string(subject_template, context).splitlines())
    body = render_to_string(body_template, context)
    return EmailMessage(subject, body, None, [to])


@task()
def send_activation_emails(user_ids: list[int], by_id: int | None, base_url: str, language: str):
    """Make a code for each person and e-mail them their one-time link; returns how many went.

    A chunk whose sending fails has its codes revoked (nobody can know them)
    and is logged, so the people show up again as "without a password".
    """
    from accounts.services import activation_codes_create, email_of

    sent = 0
    model = get_user_model()
    with translation.override(language):
        for start in range(0, len(user_ids), CHUNK):
            chunk = user_ids[start : start + CHUNK]
            users = {u.pk: u for u in model.objects.filter(pk__in=chunk).select_related("node")}
            issued = activation_codes_create(
                user_ids=[pk for pk in chunk if pk in users],
                by_id=by_id,
                delivery=ActivationCode.Delivery.EMAIL,
            )
            messages = []
            for item in issued:
                user = users[item.user_id]
                path = reverse("accounts:activate_link", args=[_uid(user), item.code])
                context = {
                    "user": user,
                    "name": user.node.name if getattr(user, "node", None) else user.get_username(),
                    "username": user.get_username(),
                    "code": codes.code_display(item.code),
                    "link": base_url.rstrip("/") + path,
                    "activate_url": base_url.rstrip("/") + reverse("accounts:activate"),
                    "expires_at": item.expires_at,
                }
                messages.append(
                    _message(
                        "accounts/email/activation_subject.txt",
                        "accounts/email/activation.txt",
                        context,
                        email_of(user),
                    )
                )
            try:
                sent += get_connection(fail_silently=False).send_messages(messages) or 0
            except Exception:
                logger.exception("Activation e-mail failed for %s people", len(messages))
                ActivationCode.objects.filter(
                    user_id__in=[item.user_id for item in issued], used_at__isnull=True
                ).update(revoked_at=timezone.now())
    logger.info("Activation e-mails sent: %s of %s", sent, len(user_ids))
    return sent


@task()
def send_password_reset(user_id: int, email: str, base_url: str, language: str) -> bool:
    """E-mail a password-reset link to `email` (one of the person's addresses)."""
    user = (
        get_user_model().objects.filter(pk=user_id, is_active=True).select_related("node").first()
    )
    if user is None or not user.has_usable_password():
        return False
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", args=[_uid(user), token])
    context = {
        "user": user,
        "name": user.node.name if getattr(user, "node", None) else user.get_username(),
        "username": user.get_username(),
        "link": base_url.rstrip("/") + path,
    }
    with translation.override(language):
        message = _message(
            "accounts/email/password_reset_subject.txt",
            "accounts/email/password_reset.txt",
            context,
            email,
        )
    try:
        message.send(fail_silently=False)
    except Exception:
        logger.exception("Password reset e-mail failed: user#%s", user.pk)
        return False
    return True
