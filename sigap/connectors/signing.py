"""HMAC-SHA256 signatures of webhook bodies, the same both ways.

    X-Sigap-Timestamp: 1767225600                  (Unix seconds when the request was signed)
    X-Sigap-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>." + raw body, keyed by the secret>
    X-Sigap-Delivery:  <an id for this delivery>    (optional; a retry repeats it)

The timestamp is inside the signed bytes, so an old request cannot be replayed with a new one.
Several signatures may be given, separated by commas, while a secret is being changed.
"""

from __future__ import annotations

import hashlib
import hmac

TIMESTAMP_HEADER = "X-Sigap-Timestamp"
SIGNATURE_HEADER = "X-Sigap-Signature"
DELIVERY_HEADER = "X-Sigap-Delivery"
SCHEME = "sha256="


def signature(*, secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return SCHEME + digest.hexdigest()


def signature_matches(*, secret: str, timestamp: str, body: bytes, given: str) -> bool:
    expected = signature(secret=secret, timestamp=timestamp, body=body).encode()
    matched = False
    for candidate in given.split(","):
        # Every candidate is compared, each in constant time, so timing tells nothing.
        matched |= hmac.compare_digest(expected, candidate.strip().encode())
    return matched


def signed_headers(*, secret: str, timestamp: int, body: bytes, delivery: str) -> dict[str, str]:
    stamp = str(timestamp)
    return {
        TIMESTAMP_HEADER: stamp,
        SIGNATURE_HEADER: signature(secret=secret, timestamp=stamp, body=body),
        DELIVERY_HEADER: delivery,
    }
