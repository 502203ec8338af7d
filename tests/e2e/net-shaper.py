#!/usr/bin/env python3
"""
The lab's packet shaper (tests/e2e/netns.ts): netem's loss and delay in user
space, for kernels built without sch_netem (this machine's and CI's).

What one side of the lab sends to the other sides is routed into a TUN
device in that side's namespace; this process reads each IP packet from it,
drops or delays it as the condition says, and writes it into a TUN device in
the receiving side's namespace, where the kernel takes it in as if it had
come over the wire. Only side-to-side traffic goes this way (the calls'
media, ICE and DTLS); traffic to the bridge (the signaling server) does not.

Usage: net-shaper.py SOURCE_NETNS SOURCE_TUN DEST_NETNS:DEST_TUN:DEST_ADDR ...
Creates the TUN devices (in the namespaces named, through setns), prints
"ready", then reads one JSON condition per line on stdin:
  {"seed": 39, "loss": {"model": "random", "pct": 10}}
  {"seed": 39, "loss": {"model": "gilbert-elliott", "p": 1.3, "r": 25, "lossInBad": 100, "lossInGood": 0}}
  {"loss": {"model": "rtp-runs", "every": 30, "run": 3}}
  {"seed": 39, "delayMs": 50, "jitterMs": 30}
  {}   (no impairment)
Each condition starts afresh from its seed: the same packets meet the same
fate run after run. After each line it prints one JSON line of counts for
the condition before: {"passed": N, "dropped": N}.
Loss models are netem's: "random" drops each packet with probability pct;
"gilbert-elliott" moves Good->Bad with p and Bad->Good with r (percent, per
packet) and loses 1-h (lossInBad) in Bad and 1-k (lossInGood) in Good.
"rtp-runs" is not netem's: of every `every` RTP packets it loses the first
`run` in a row (no randomness); everything else passes (RTCP, STUN, DTLS
and the data channels), so each run is exactly `run` packets of media.
Delay: each packet waits delayMs plus a normal draw of sigma jitterMs
(never below 0), so packets can overtake each other, as with netem.
"""
import ctypes
import fcntl
import heapq
import json
import os
import random
import select
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL("libc.so.6", use_errno=True)


def enter(netns):
    fd = os.open(f"/run/netns/{netns}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {netns}")
    finally:
        os.close(fd)


def open_tun(netns, name):
    enter(netns)
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def is_rtp(packet):
    """An RTP packet in UDP (RFC 7983's demultiplexing: first byte 128-191; RTCP's second byte is 192-223)."""
    if packet[9] != 17:
        return False
    start = (packet[0] & 0x0F) * 4 + 8
    payload = packet[start:start + 2]
    return len(payload) == 2 and 128 <= payload[0] <= 191 and not 192 <= payload[1] <= 223


class Condition:
    def __init__(self, spec):
        self.rng = random.Random(spec.get("seed", 39))
        self.loss = spec.get("loss")
        self.delay = spec.get("delayMs", 0) / 1000
        self.jitter = spec.get("jitterMs", 0) / 1000
        self.bad = False
        self.rtp = 0
        self.passed = 0
        self.dropped = 0

    def lost(self, packet):
        m = self.loss
        if not m:
            return False
        if m["model"] == "random":
            return self.rng.random() * 100 < m["pct"]
        if m["model"] == "rtp-runs":
            if not is_rtp(packet):
                return False
            self.rtp += 1
            return (self.rtp - 1) % m["every"] < m["run"]
        # Gilbert-Elliott, netem's order: the state moves, then the packet meets the new state's loss.
        if self.bad:
            if self.rng.random() * 100 < m["r"]:
                self.bad = False
        elif self.rng.random() * 100 < m["p"]:
            self.bad = True
        return self.rng.random() * 100 < (m["lossInBad"] if self.bad else m["lossInGood"])

    def wait(self):
        if self.jitter == 0:
            return self.delay
        return max(0.0, self.rng.gauss(self.delay, self.jitter))


def main():
    source_netns, source_tun, *dests = sys.argv[1:]
    routes = {}
    outs = []
    for d in dests:
        netns, tun, addr = d.split(":")
        fd = open_tun(netns, tun)
        outs.append(fd)
        routes[bytes(int(x) for x in addr.split("."))] = fd
    src = open_tun(source_netns, source_tun)
    print("ready", flush=True)
    cond = Condition({})
    queue = []  # (due, n, fd, packet)
    n = 0
    stdin = sys.stdin.fileno()
    buffered = b""
    while True:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, fd, packet = heapq.heappop(queue)
            try:
                os.write(fd, packet)
            except OSError:
                pass
        timeout = max(0.0, queue[0][0] - now) if queue else 1.0
        ready, _, _ = select.select([src, stdin], [], [], timeout)
        if stdin in ready:
            chunk = os.read(stdin, 4096)
            if not chunk:
                return
            buffered += chunk
            while b"\n" in buffered:
                line, buffered = buffered.split(b"\n", 1)
                print(json.dumps({"passed": cond.passed, "dropped": cond.dropped}), flush=True)
                cond = Condition(json.loads(line or b"{}"))
        if src in ready:
            while True:
                try:
                    packet = os.read(src, 65535)
                except BlockingIOError:
                    break
                if len(packet) < 20 or packet[0] >> 4 != 4:
                    continue
                fd = routes.get(packet[16:20])
                if fd is None:
                    continue
                if cond.lost(packet):
                    cond.dropped += 1
                    continue
                cond.passed += 1
                wait = cond.wait()
                if wait <= 0:
                    try:
                        os.write(fd, packet)
                    except OSError:
                        pass
                else:
                    n += 1
                    heapq.heappush(queue, (time.monotonic() + wait, n, fd, packet))


if __name__ == "__main__":
    main()
