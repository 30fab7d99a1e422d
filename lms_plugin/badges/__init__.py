"""Open Badges 3.0 credential documents: signing and verifying them, offline.

JSON-LD contexts shipped as package data with a loader that never fetches (loader), RDFC-1.0
canonicalization (canonical), eddsa-rdfc-2022 Data Integrity proofs (data_integrity), Ed25519
Multikey keys (multikey, multibase), the issuer Profile and key resolution (profile), credential
verification (verify), VC-JWT (vc_jwt) and Bitstring Status Lists (status_list). The credential
payload itself is built in lms_plugin.domain (pure).

What the learner takes away, bytes in and bytes out: the level artwork (artwork), baked PNG/SVG
badges and reading them back (baking), the PDF certificate (pdf), the Open Badges 2.0 hosted
Assertion, BadgeClass and Issuer (ob2) and the LinkedIn Add to Profile link (linkedin).
"""
