from orgchart.access import roles_of


def portal(request):
    """Expose the signed-in person's node and roles to every template (nav)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"me": None, "roles": frozenset()}
    return {"me": roles_of(user).node, "roles": roles_of(user).names}
