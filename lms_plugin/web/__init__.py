"""The Flask web layer: ``create_app(settings)`` lives in :mod:`lms_plugin.web.app`."""
