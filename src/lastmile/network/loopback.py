"""A loopback NAS for tests and the bench (NET-3): a UDP listener that parses
CoA / Disconnect requests with pyrad (the same library lastmile sends them with) and
answers ACK, NAK, or nothing, as told."""
from __future__ import annotations

import socket
import threading

from .coa import dictionary


class LoopbackNas:
    """`answer(packet) -> "ack" | "nak" | None` decides each reply (None = drop it)."""

    def __init__(self, secret: str = "nas-secret", answer=None):
        self.secret = secret.encode()
        self.answer = answer or (lambda pkt: "ack")
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.received: list = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()

    def _serve(self) -> None:
        from pyrad import packet

        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            if self._stop.is_set():
                return
            pkt = packet.CoAPacket(packet=data, secret=self.secret, dict=dictionary())
            self.received.append(pkt)
            verdict = self.answer(pkt)
            if verdict is None:
                continue
            reply = pkt.CreateReply()
            if pkt.code == packet.CoARequest:
                reply.code = packet.CoAACK if verdict == "ack" else packet.CoANAK
            else:
                reply.code = packet.DisconnectACK if verdict == "ack" else packet.DisconnectNAK
            self.sock.sendto(reply.ReplyPacket(), peer)
