"""The only package that speaks LTI wire protocol and imports pylti1p3."""
