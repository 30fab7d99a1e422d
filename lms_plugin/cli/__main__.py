"""``python -m lms_plugin.cli``."""

from lms_plugin.cli import main

main()
