#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpi_portal.settings")
    # Without a SECRET_KEY this is a developer's checkout: run commands in
    # development mode. Production sets SECRET_KEY (and DEBUG=0, deploy/serve.sh),
    # and gunicorn (kpi_portal.wsgi) never takes this default.
    if not os.environ.get("SECRET_KEY"):
        os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
