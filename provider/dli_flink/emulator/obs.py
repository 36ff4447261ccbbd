"""OBS, as far as the provider reads it: ListObjects of a bucket (its checkpoint and savepoint
folders), over the files the emulated DLI writes under DATA_DIR/obs/<bucket>/.

Served on the emulator's one port, path-style (`GET /<bucket>?prefix=...`): the addressing Huawei's
OBS SDK for Python (esdk-obs-python, obs/client.py `_check_path_style`) uses for a server given as
an IP address, as the emulator's is. A request under /v1.0/ or /v3/ is DLI's, under /_emulator/
the admin API's (responses.DliApp); everything else is OBS's.

The sources, each rule below citing the one it follows:
- OBS API reference, "Listing Objects in a Bucket" (obs_04_0022,
  https://support.huaweicloud.com/intl/en-us/api-obs/obs_04_0022.html): the parameters prefix,
  marker ("objects after this marker ... in alphabetical order"), max-keys (1 to 1,000; "if the
  value is beyond this range, 1,000 objects are returned by default") and delimiter (the part of a
  key from after the prefix to the first delimiter is rolled up into one CommonPrefixes element),
  and the ListBucketResult answer (Name, Prefix, Marker, NextMarker, MaxKeys, IsTruncated,
  Contents with Key, LastModified, ETag, Size, Owner/ID, StorageClass; CommonPrefixes/Prefix).
- OBS API reference, "Using an Authorization Header" (obs_04_0010): `Authorization: OBS AK:Signature`
  (`AWS AK:Signature` with the S3-compatible V2 signature the SDK uses path-style: obs/client.py
  switches `signature` to "v2" then), Signature = Base64(HMAC-SHA1(SK, StringToSign)),
  StringToSign = verb, Content-MD5, Content-Type, Date (empty when an x-obs-date / x-amz-date header
  is sent), the x-obs- / x-amz- headers, then the canonical resource; the SDK's obs/auth.py
  (`Authentication.__make_canonical_string`) builds the resource of a path-style bucket request as
  `/<bucket>` with no trailing slash, and the emulator checks what the SDK signs.
- OBS API reference, "Error Codes" (obs_04_0115): the XML error body (Code, Message, RequestId,
  HostId, BucketName) and the codes used here: AccessDenied 403, InvalidAccessKeyId 403,
  SignatureDoesNotMatch 403, RequestTimeTooSkewed 403 (more than 15 minutes off), NoSuchBucket 404,
  InvalidArgument 400, MethodNotAllowed 405.

What the emulator chooses where OBS's docs leave it open to it:
- which buckets exist: those DLI was authorised to use (register_bucket), those a job names as its
  obs_bucket, and those holding files;
  the admin API can make one missing or deny the tests' access key (`Backend.obs_bucket_state`);
- the objects: every file under the bucket's folder, its key the relative path; no folder objects
  (the emulated DLI writes files only); ETag the MD5 of the content, LastModified the file's mtime;
- only ListObjects (no versions, no encoding-type=url): any other method is MethodNotAllowed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from werkzeug.wrappers import Request, Response

from dli_flink.emulator.models import Backend

MAX_KEYS = 1000
"""obs_04_0022: max-keys ranges from 1 to 1,000, the default 1,000."""
MAX_SKEW_SECONDS = 15 * 60
"""obs_04_0115, RequestTimeTooSkewed: the request's time differs from the server's by over 15 min."""
NAMESPACE = "http://obs.myhwclouds.com/doc/2015-06-30/"
"""The namespace of obs_04_0022's example answer (the SDK strips it before parsing)."""
OWNER = "emulator-domain"
"""Owner/ID of every object: the emulator has one account."""


class ObsError(Exception):
    """An OBS error answer: HTTP status, Code and Message (obs_04_0115)."""

    def __init__(self, status: int, code: str, message: str, bucket: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.bucket = status, code, message, bucket


def handle(backend: Backend, request: Request, credentials: Mapping[str, str]) -> Response:
    """Answer one OBS request: a ListObjects answer or OBS's XML error."""
    request_id = uuid.uuid4().hex[:16].upper()
    bucket, _, key = request.path.lstrip("/").partition("/")
    try:
        if request.method != "GET" or not bucket or key:
            raise ObsError(
                405,
                "MethodNotAllowed",
                "The specified method is not allowed against the requested resource "
                "(the emulator serves ListObjects only)",
                bucket,
            )
        _authenticate(request, bucket, credentials)
        state, root = backend.obs_bucket(bucket)
        if state == "missing":
            raise ObsError(404, "NoSuchBucket", "The specified bucket does not exist", bucket)
        if state == "denied":
            raise ObsError(403, "AccessDenied", "Access Denied", bucket)
        body = _list(bucket, root, request.args)
    except ObsError as error:
        body = (
            f"<Error><Code>{error.code}</Code><Message>{escape(error.message)}</Message>"
            f"<RequestId>{request_id}</RequestId><HostId>emulator</HostId>"
            + (f"<BucketName>{escape(error.bucket)}</BucketName>" if error.bucket else "")
            + "</Error>"
        )
        return _xml(error.status, body, request_id)
    return _xml(200, body, request_id)


def _xml(status: int, body: str, request_id: str) -> Response:
    text = '<?xml version="1.0" encoding="UTF-8"?>\n' + body
    response = Response(text, status=status, content_type="application/xml")
    response.headers["x-obs-request-id"] = request_id
    return response


def _authenticate(request: Request, bucket: str, credentials: Mapping[str, str]) -> None:
    """The V2 header signature of obs_04_0010, as the SDK's obs/auth.py computes it."""
    scheme, _, claim = request.headers.get("Authorization", "").partition(" ")
    access_key, _, signature = claim.rpartition(":")
    if scheme not in ("OBS", "AWS") or not access_key:
        raise ObsError(403, "AccessDenied", "Access Denied (no signature)", bucket)
    secret = credentials.get(access_key)
    if secret is None:
        raise ObsError(
            403,
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.",
            bucket,
        )
    prefix = "x-obs-" if scheme == "OBS" else "x-amz-"
    own = sorted(
        (name.lower(), value)
        for name, value in request.headers.items()
        if name.lower().startswith(prefix)
    )
    dated = any(name == f"{prefix}date" for name, _ in own)
    sent = dict(own).get(f"{prefix}date") if dated else request.headers.get("Date", "")
    try:
        when = parsedate_to_datetime(sent or "")
    except (TypeError, ValueError):
        raise ObsError(403, "AccessDenied", "Access Denied (no valid Date)", bucket) from None
    if abs((datetime.now(UTC) - when).total_seconds()) > MAX_SKEW_SECONDS:
        raise ObsError(
            403,
            "RequestTimeTooSkewed",
            "The difference between the request time and the server's time is too large.",
            bucket,
        )
    string_to_sign = "".join(
        [
            f"{request.method}\n",
            f"{request.headers.get('Content-MD5', '')}\n",
            f"{request.headers.get('Content-Type', '')}\n",
            f"{'' if dated else request.headers.get('Date', '')}\n",
            *(f"{name}:{value}\n" for name, value in own),
            f"/{bucket}",
        ]
    )
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha1).digest()
    if not hmac.compare_digest(base64.b64encode(digest).decode(), signature):
        raise ObsError(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.",
            bucket,
        )


def _list(bucket: str, root: Path, args: Mapping[str, str]) -> str:
    """ListBucketResult for the query (obs_04_0022)."""
    prefix, marker, delimiter = (args.get(n, "") for n in ("prefix", "marker", "delimiter"))
    raw = args.get("max-keys", str(MAX_KEYS))
    try:
        max_keys = int(raw)
    except ValueError:
        raise ObsError(400, "InvalidArgument", f"max-keys must be an integer: {raw}") from None
    if max_keys < 0:
        raise ObsError(400, "InvalidArgument", "max-keys must not be negative", bucket)
    if not 1 <= max_keys <= MAX_KEYS:
        max_keys = MAX_KEYS  # "beyond this range, 1,000 objects are returned by default"
    files = (
        {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}
        if root.is_dir()
        else {}
    )
    contents: list[str] = []
    prefixes: list[str] = []
    truncated, last = False, ""
    for key in sorted(files, key=lambda k: k.encode()):  # "alphabetical": by UTF-8 bytes
        if not key.startswith(prefix) or key.encode() <= marker.encode():
            continue
        cut = key.find(delimiter, len(prefix)) if delimiter else -1
        rolled = key[: cut + len(delimiter)] if cut >= 0 else None
        if rolled is not None and (rolled.encode() <= marker.encode() or rolled in prefixes[-1:]):
            continue  # its common prefix was listed already (in this page or before the marker)
        if len(contents) + len(prefixes) == max_keys:
            truncated = True
            break
        if rolled is not None:
            prefixes.append(rolled)
            last = rolled
        else:
            contents.append(_content(key, files[key]))
            last = key
    fields = [
        f"<Name>{escape(bucket)}</Name>",
        f"<Prefix>{escape(prefix)}</Prefix>",
        f"<Marker>{escape(marker)}</Marker>",
        f"<NextMarker>{escape(last)}</NextMarker>" if truncated else "",
        f"<MaxKeys>{max_keys}</MaxKeys>",
        f"<Delimiter>{escape(delimiter)}</Delimiter>" if delimiter else "",
        f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>",
        *contents,
        *(f"<CommonPrefixes><Prefix>{escape(p)}</Prefix></CommonPrefixes>" for p in prefixes),
    ]
    return f'<ListBucketResult xmlns="{NAMESPACE}">{"".join(fields)}</ListBucketResult>'


def _content(key: str, path: Path) -> str:
    stat: Any = path.stat()
    modified = datetime.fromtimestamp(stat.st_mtime, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    etag = hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
    return (
        f"<Contents><Key>{escape(key)}</Key><LastModified>{modified}Z</LastModified>"
        f'<ETag>"{etag}"</ETag><Size>{stat.st_size}</Size>'
        f"<Owner><ID>{OWNER}</ID></Owner><StorageClass>STANDARD</StorageClass></Contents>"
    )
