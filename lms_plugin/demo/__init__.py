"""The practice LMS: a small LTI 1.3 platform built into the tool, for trying it without one.

``lms-plugin demo`` starts it on 127.0.0.1 beside the tool, registers it with the tool through
the same services an admin's ``platform add`` uses, and seeds a sample course whose learners'
work goes through the tool's own services. Every launch is a real LTI 1.3 launch: the practice
LMS signs id_tokens with its own RSA key, publishes its JWKS, answers the OIDC authentication
request, and serves the token endpoint, AGS and NRPS, so grades and the roster work too.
It refuses to start with ``LMS_ENV=production`` and listens on the loopback address only.
"""
