# Certificates as signed Verifiable Credentials (Open Badges 3.0).
certificate-vc-not-json = This file is not valid JSON, so it cannot be a credential.
certificate-vc-not-credential = This file is not a Verifiable Credential issued by this platform.
certificate-vc-no-proof = The credential has no digital signature (no "proof"), so it cannot be verified.
certificate-vc-wrong-cryptosuite = The credential is signed another way ({ $found }); only eddsa-rdfc-2022 signatures are accepted.
certificate-vc-bad-proof = The credential's signature is damaged or malformed.
certificate-vc-other-issuer = The credential was issued by someone else ({ $found }), not by this platform.
certificate-vc-unknown-key = The credential is signed with a key the issuer does not publish ({ $found }).
certificate-vc-signature-mismatch = The signature does not match the content: the credential was changed after it was issued.
certificate-vc-unsupported-context = The credential uses an unsupported JSON-LD context ({ $url }); contexts are never fetched from outside.
certificate-vc-bad-base-url = The platform's base address "{ $url }" cannot make a did:web identifier: use https://domain or https://domain:port, without a path.
certificate-vc-bad-verify-url = The verification address "{ $url }" must be a web address ending in /xac-minh/{ $code }.
certificate-vc-bad-status-index = Position { $index } is beyond the status list's size (131072 entries).
certificate-vc-internal = The credential could not be made because of an internal error: { $error }
certificate-vc-undefined-term = The credential has a field "{ $term }" that its JSON-LD contexts do not define, so the signature cannot cover it; the credential is refused.
