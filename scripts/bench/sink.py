"""A loopback HTTP sink for the benchmarks: answers every request 200 at once (keep-alive, pipelining-safe),
and records when each alert arrived. asyncio protocols, no framework: it should never be the bottleneck.

    python3 scripts/bench/sink.py --port 19102 --record arrivals.txt

On SIGTERM or SIGINT it writes `arrivals.txt`: one line per alert, "<arrival unix time> <bench_seq label>", and
`arrivals.txt.per-second`: requests received in each wall-clock second (to check a rate limit)."""
import argparse
import asyncio
import collections
import json
import re
import signal
import time

CONTENT_LENGTH = re.compile(rb"(?i)\r\ncontent-length:[ \t]*(\d+)")
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"


class Sink(asyncio.Protocol):
    arrivals = []
    per_second = collections.Counter()
    record = False

    def connection_made(self, transport):
        self.transport = transport
        self.buffer = b""

    def data_received(self, data):
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            match = CONTENT_LENGTH.search(self.buffer[:head_end])
            length = int(match.group(1)) if match else 0
            if len(self.buffer) < head_end + 4 + length:
                return
            body = self.buffer[head_end + 4:head_end + 4 + length]
            self.buffer = self.buffer[head_end + 4 + length:]
            now = time.time()
            Sink.per_second[int(now)] += 1
            if Sink.record:
                try:
                    for alert in json.loads(body).get("alerts", []):
                        Sink.arrivals.append((now, alert.get("labels", {}).get("bench_seq", "")))
                except ValueError:
                    pass
            self.transport.write(RESPONSE)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--record", help="file to write arrivals to at exit")
    args = parser.parse_args()
    Sink.record = bool(args.record)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Sink, "127.0.0.1", args.port, backlog=1024)
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    await stop
    server.close()
    if args.record:
        with open(args.record, "w") as f:
            f.writelines(f"{t:.6f} {n}\n" for t, n in Sink.arrivals)
        with open(args.record + ".per-second", "w") as f:
            f.writelines(f"{second} {count}\n" for second, count in sorted(Sink.per_second.items()))


asyncio.run(main())
