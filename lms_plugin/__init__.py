"""LTI 1.3 tool for the Implementation Support Practitioner certificate."""

__version__ = "0.1.0"
