#!/usr/bin/env python3
"""Writes N distinct signed Alertmanager webhooks for wrk: the real 0.25 capture, one distinct alert each (so that
deduplication lets every one through), signed the Standard Webhooks way with a fresh webhook-id and timestamp.

One request a line: webhook-id <TAB> timestamp <TAB> signature <TAB> body (the body is JSON without newlines;
Alertmanager's trailing newline is added back by the Lua script)."""
import argparse
import base64
import hashlib
import hmac
import json
import pathlib
import time

parser = argparse.ArgumentParser()
parser.add_argument("--count", type=int, required=True)
parser.add_argument("--secret", required=True, help="whsec_... as in the relay's config")
parser.add_argument("--fixture", required=True)
parser.add_argument("--out", required=True)
parser.add_argument("--first", type=int, default=0, help="the first bench_seq: two loads that must not overlap start apart")
parser.add_argument("--hex", action="store_true",
                    help="sign as GitHub and adnanh/webhook's payload-hmac-sha256 do: sha256=<hex HMAC of the body>, keyed with the secret as written")
args = parser.parse_args()

key = base64.b64decode(args.secret.removeprefix("whsec_"))
template = json.loads(pathlib.Path(args.fixture).read_text())
# 240 s ahead: the relay takes timestamps within 300 s either way, so the file stays good for nine minutes from
# now, however long wrk takes to load it.
now = str(int(time.time()) + 240)
with open(args.out, "w") as out:
    for n in range(args.first, args.first + args.count):
        payload = dict(template)
        alert = dict(template["alerts"][0])
        alert["labels"] = dict(alert["labels"], bench_seq=str(n))
        alert["fingerprint"] = f"{n:016x}"
        payload["alerts"] = [alert]
        payload["groupKey"] = f'{{}}:{{bench_seq="{n}"}}'
        body = json.dumps(payload, separators=(",", ":")) + "\n"
        msg_id = f"msg_bench_{n}"
        if args.hex:
            signature = "sha256=" + hmac.new(args.secret.encode(), body.encode(), hashlib.sha256).hexdigest()
        else:
            signature = "v1," + base64.b64encode(hmac.new(key, f"{msg_id}.{now}.{body}".encode(), hashlib.sha256).digest()).decode()
        out.write(f"{msg_id}\t{now}\t{signature}\t{body[:-1]}\n")
