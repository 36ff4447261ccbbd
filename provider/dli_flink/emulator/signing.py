"""SDK-HMAC-SHA256 verification, as the API gateway in front of DLI does it (see dli-api.md).

Rebuilds the canonical request from what arrived on the wire (the official SDK's `Signer` builds it
from what it sent) and compares signatures in constant time. Any failure is one 401 APIGW.0301. In two
steps: `check_headers` before the body is read, `verify` with it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, unquote

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
MAX_SKEW_SECONDS = 15 * 60
_AUTH = re.compile(
    r"^SDK-HMAC-SHA256\s+Access=(?P<ak>[^,\s]+),\s*SignedHeaders=(?P<headers>[^,\s]+),"
    r"\s*Signature=(?P<signature>[0-9a-f]+)$"
)


class SignatureError(Exception):
    """Why the gateway refuses the request (the detail goes after APIGW.0301's fixed message)."""


def canonical_uri(path: str) -> str:
    uri = "/".join(quote(segment, safe="~") for segment in unquote(path).split("/"))
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(raw_query: str) -> str:
    pairs = []
    for item in raw_query.split("&"):
        if item:
            key, _, value = item.partition("=")
            pairs.append((unquote(key), unquote(value)))
    pairs.sort()
    return "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in pairs)


@dataclass(frozen=True)
class Claim:
    """What a request's Authorization and X-Sdk-Date headers claim, checked as far as they can be
    without the body (whose SHA-256 the signature covers)."""

    secret: str
    signed_headers: tuple[str, ...]
    signature: str
    date: str


def check_headers(
    *, headers: Mapping[str, str], secrets: Mapping[str, str], now: datetime
) -> Claim:
    """The claim of a request whose headers could carry a valid signature; SignatureError if they
    cannot (no or a malformed Authorization, an unknown access key, a date more than 15 minutes
    off). Needs no body, so a request refused here costs no body read."""
    match = _AUTH.match(headers.get("Authorization", "").strip())
    if not match:
        raise SignatureError("missing or malformed Authorization header")
    secret = secrets.get(match["ak"])
    if secret is None:
        raise SignatureError("unknown access key")
    signed = tuple(match["headers"].split(";"))
    if "x-sdk-date" not in signed or "host" not in signed:
        raise SignatureError("host and x-sdk-date must be signed")
    date = headers.get("X-Sdk-Date", "")
    try:
        sent = datetime.strptime(date, DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError as error:
        raise SignatureError("missing or malformed X-Sdk-Date") from error
    if abs((now - sent).total_seconds()) > MAX_SKEW_SECONDS:
        raise SignatureError("X-Sdk-Date is more than 15 minutes off")
    return Claim(secret, signed, match["signature"], date)


def verify(
    claim: Claim,
    *,
    method: str,
    path: str,
    raw_query: str,
    headers: Mapping[str, str],
    body: bytes,
) -> None:
    """SignatureError unless `claim`'s signature is the one of this request and body."""
    header_lines = "".join(
        f"{name}:{headers.get(name, '').strip()}\n" for name in claim.signed_headers
    )
    canonical = "\n".join(
        [
            method.upper(),
            canonical_uri(path),
            canonical_query(raw_query),
            header_lines,
            ";".join(claim.signed_headers),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    to_sign = f"{ALGORITHM}\n{claim.date}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    expected = hmac.new(claim.secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, claim.signature):
        raise SignatureError("verify aksk signature fail")
