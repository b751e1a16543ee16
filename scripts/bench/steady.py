"""Sends make_requests.py's signed webhooks at a steady rate (not as fast as possible, as wrk does) and records
when each was sent and how it was answered, for end-to-end latency: sent here, received at the sink.

    python3 scripts/bench/steady.py --requests requests.tsv --url http://127.0.0.1:19101/webhook/signed \
        --rate 1000 --seconds 20 --out sent.txt
Writes "<send unix time> <bench_seq> <status>" lines; prints how many were sent and acknowledged, and the
rate achieved."""
import argparse
import http.client
import threading
import time
import urllib.parse

parser = argparse.ArgumentParser()
parser.add_argument("--requests", required=True)
parser.add_argument("--url", required=True)
parser.add_argument("--rate", type=float, required=True, help="webhooks per second, in all")
parser.add_argument("--seconds", type=float, required=True)
parser.add_argument("--threads", type=int, default=32)
parser.add_argument("--out", required=True)
args = parser.parse_args()

url = urllib.parse.urlsplit(args.url)
total = int(args.rate * args.seconds)
lines = open(args.requests).read().splitlines()[:total]
if len(lines) < total:
    raise SystemExit(f"{args.requests} holds {len(lines)} requests; {total} needed")
records = [None] * total
start = time.time() + 0.5


def worker(index):
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    for i in range(index, total, args.threads):
        msg_id, timestamp, signature, body = lines[i].split("\t", 3)
        seq = msg_id.removeprefix("msg_bench_")
        due = start + i / args.rate
        delay = due - time.time()
        if delay > 0:
            time.sleep(delay)
        sent = time.time()
        try:
            connection.request("POST", url.path, body=body + "\n", headers={
                "Content-Type": "application/json", "webhook-id": msg_id, "webhook-timestamp": timestamp,
                "webhook-signature": signature})
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
            status = 0
        records[i] = (sent, seq, status)


threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.threads)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
elapsed = max(r[0] for r in records) - start
with open(args.out, "w") as f:
    f.writelines(f"{sent:.6f} {seq} {status}\n" for sent, seq, status in records)
acknowledged = sum(1 for r in records if r[2] in (200, 202))
late = sum(1 for i, r in enumerate(records) if r[0] - (start + i / args.rate) > 0.05)
print(f"sent {total} in {elapsed:.1f} s ({total / elapsed:.0f}/s), {acknowledged} acknowledged, {late} sent over 50 ms late")
