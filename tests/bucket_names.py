"""OBS bucket names for the emulator's and the schema's tests, one list for both: OBS's naming
rules (OBS User Guide, Creating a Bucket): 3-63 characters, lowercase letters, digits, hyphens and
periods, starting and ending with a letter or digit, no "..", ".-" or "-.", not an IP address."""

BAD_BUCKETS = [
    "../../../etc",
    "a/../../b",
    "bucket/sub",
    "/abs",
    "bucket\x00x",
    "a..b",
    "ab",
    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    "Bucket",
    "-bucket",
    "bucket-",
    ".bucket",
    "bucket.",
    "my-.bucket",
    "my.-bucket",
    "192.168.1.10",
    "bucket_1",
    "büçket",
    "",
    "a/../b",
    "bucket\n",
]
GOOD_BUCKETS = [
    "abc",
    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    "my.bucket-1",
    "1.2.3",
    "10.0.0.1.example",
    "9bucket",
    "my-bucket",
]
