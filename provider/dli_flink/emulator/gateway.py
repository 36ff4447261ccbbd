"""The API gateway's limit on request bodies, which it applies before DLI (or the signature check)
sees the body.

The gateway in front of DLI forwards only requests whose body is at most 12 MB (APIG FAQ, "Does APIG
Have a Limit on the Size of the API Request Body?",
https://support.huaweicloud.com/intl/en-us/apig_faq/apig-faq-180606013.html) and answers a larger one
413 "Request entity too large", code APIG(W).0201 (APIG User Guide, Error Codes,
https://support.huaweicloud.com/intl/en-us/usermanual-apig/apig_03_0048.html). The docs do not say
whether MB means 10^6 or 2^20 bytes: the emulator takes 12 MiB, the more lenient reading, so that it
never refuses a body DLI takes.
"""

from __future__ import annotations

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request

MAX_BODY = 12 * 1024 * 1024
_READ = 64 * 1024


class BoundedRequest(Request):
    """A request whose body is never read past MAX_BODY (see `read_body`)."""

    max_content_length = MAX_BODY


def read_body(request: BoundedRequest) -> bytes:
    """The body, or RequestEntityTooLarge once it is known to exceed MAX_BODY: before reading a byte
    when its Content-Length says so, at the limit when it comes chunked (werkzeug applies
    max_content_length to a Content-Length only and hands a chunked body over unbounded)."""
    if request.content_length is not None:
        return request.get_data()
    parts, size = [], 0
    while chunk := request.stream.read(_READ):
        size += len(chunk)
        if size > MAX_BODY:
            raise RequestEntityTooLarge()
        parts.append(chunk)
    return b"".join(parts)
