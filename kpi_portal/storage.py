"""Static files storage for production (DEBUG off)."""

import logging

from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files, tolerant of fonts we do not ship.

    The Sarabun stylesheets name Vietnamese and Latin-extended font files that
    `make` does not copy (we only need Thai and Latin). Django's manifest
    storage refuses to finish collectstatic over a missing url(); the browser
    only fetches those files for characters we never show, so the reference
    is left as it is.
    """

    def url_converter(self, name, hashed_files, template=None):
        convert = super().url_converter(name, hashed_files, template)

        def convert_or_keep(matchobj):
            try:
                return convert(matchobj)
            except ValueError:
                logger.debug("%s: left %s as it is (no such file)", name, matchobj["url"])
                return matchobj["matched"]

        return convert_or_keep
