"""The desk end to end in Debian's Chromium, in Indonesian and in English.

    SIGAP_SCREENSHOT_DIR=/tmp/desk-shots CI=true pytest tests/e2e

writes a screenshot of every main page there (else into the run's temporary directory) and
lists them at the end of the run; every page also passes axe-core's accessibility scan
(tests/fixtures/axe, never served by the desk).
"""
