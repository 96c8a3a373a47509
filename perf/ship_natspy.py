#!/usr/bin/env python3
"""The same publishes as `connect-ingest ship`, from a stock client: nats-py (PyPI), for
perf/ship-bench.sh only. Reads the records of a log printed by `connect-ingest read --format
jsonl`, builds the same subject and headers ship would (subject prefix given), then publishes
them with nats-py's pipelined JetStream publish (publish_async, at most --max-pending awaiting
acknowledgement, like ship's --max-in-flight) and waits for every acknowledgement. Prints one JSON
object: records, seconds (publishing only, loading excluded), rate, acknowledged, duplicates.
"""
import argparse, asyncio, json, re, sys, time

import nats

KEEP = re.compile(rb"[^A-Za-z0-9_-]")


def token(value):
    if value is None or value == "":
        return "_"
    raw = value.encode()[:128]
    return KEEP.sub(b"_", raw).decode()


def load(path, prefix, instance):
    messages = []
    with open(path, "rb") as handle:
        for line in handle:
            r = json.loads(line)
            body = r["body"].encode() if "body" in r else __import__("base64").b64decode(r["bodyBase64"])
            seq = r["seq"]
            subject = "%s.%s.%s.%s" % (prefix, token(r["accountId"]), token(r["configurationId"]), token(r["event"]))
            headers = {
                "Nats-Msg-Id": r["messageId"] or "%s-%d" % (instance, seq),
                "Connect-Instance": instance,
                "Connect-Seq": str(seq),
                "Connect-Format": r["format"],
            }
            for key, name in (("event", "Connect-Event"), ("configurationId", "Connect-Configuration-Id"),
                              ("envelopeId", "Connect-Envelope-Id"), ("generatedDateTime", "Connect-Generated-Date-Time"),
                              ("accountId", "Connect-Account-Id"), ("messageId", "Connect-Message-Id")):
                if r.get(key) is not None:
                    headers[name] = r[key]
            messages.append((subject, headers, body))
    return messages


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--servers", required=True)
    parser.add_argument("--stream", required=True)
    parser.add_argument("--prefix", required=True, help="first subject token; the stream takes PREFIX.>")
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--input", required=True)
    parser.add_argument("--instance", default="natspy")
    parser.add_argument("--max-pending", type=int, default=4096)
    args = parser.parse_args()

    messages = load(args.input, args.prefix, args.instance)
    nc = await nats.connect(servers=args.servers.split(","))
    js = nc.jetstream(publish_async_max_pending=args.max_pending)
    await js.add_stream(name=args.stream, subjects=[args.prefix + ".>"], num_replicas=args.replicas,
                        duplicate_window=24 * 3600, storage="file")
    futures = []
    start = time.perf_counter()
    for subject, headers, body in messages:
        futures.append(await js.publish_async(subject, body, headers=headers))
    await js.publish_async_completed()
    seconds = time.perf_counter() - start
    acks = [f.result() for f in futures]
    duplicates = sum(1 for a in acks if a.duplicate)
    info = await js.stream_info(args.stream)
    await nc.close()
    print(json.dumps({"client": "nats-py", "records": len(messages), "seconds": round(seconds, 3),
                      "rate": round(len(messages) / seconds), "acknowledged": len(acks), "duplicates": duplicates,
                      "stream_messages": info.state.messages}))


asyncio.run(main())
