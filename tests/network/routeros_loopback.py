"""A loopback MikroTik router that speaks the RouterOS API's wire protocol (NET-3).

Words are length-prefixed (1 to 5 bytes, MikroTik's encoding), a sentence ends with
an empty word, and every reply carries the command's `.tag`. It knows the commands
lastmile uses: `/login` (plain, RouterOS 6.43 and later),
`/ip/firewall/address-list/print` with `=.proplist=` and `?=key=value` queries (ANDed,
as a router does with a stack of them), `/add` and `/remove` of one or more `.id`s. A wrong
password or an unknown command answers `!trap` then `!done`, as a router does.
"""
from __future__ import annotations

import socket
import socketserver
import threading


def _encode_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    if n < 0x4000:
        return (n | 0x8000).to_bytes(2, "big")
    if n < 0x200000:
        return (n | 0xC00000).to_bytes(3, "big")
    if n < 0x10000000:
        return (n | 0xE0000000).to_bytes(4, "big")
    return b"\xf0" + n.to_bytes(4, "big")


def _read_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def _read_length(sock: socket.socket) -> int:
    first = _read_exact(sock, 1)[0]
    if first < 0x80:
        return first
    if first < 0xC0:
        return ((first & 0x3F) << 8) | _read_exact(sock, 1)[0]
    if first < 0xE0:
        return ((first & 0x1F) << 16) | int.from_bytes(_read_exact(sock, 2), "big")
    if first < 0xF0:
        return ((first & 0x0F) << 24) | int.from_bytes(_read_exact(sock, 3), "big")
    return int.from_bytes(_read_exact(sock, 4), "big")


def read_sentence(sock: socket.socket) -> list[str]:
    words = []
    while True:
        length = _read_length(sock)
        if length == 0:
            return words
        words.append(_read_exact(sock, length).decode())


def write_sentence(sock: socket.socket, words: list[str]) -> None:
    sock.sendall(b"".join(_encode_length(len(w.encode())) + w.encode() for w in [*words, ""]))


class LoopbackRouter:
    """`entries` is the router's address list: dicts with .id, list, address, comment."""

    def __init__(self, username: str = "lastmile", password: str = "router-secret"):
        self.username, self.password = username, password
        self.entries: list[dict[str, str]] = []
        self.commands: list[str] = []
        self._next_id = 1
        router = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                logged_in = False
                while True:
                    try:
                        words = read_sentence(self.request)
                    except (ConnectionError, OSError):
                        return
                    if not words:
                        continue
                    logged_in = router._answer(self.request, words, logged_in)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def _answer(self, sock, words: list[str], logged_in: bool) -> bool:
        command, args, queries, tag = words[0], {}, {}, []
        for word in words[1:]:
            if word.startswith(".tag="):
                tag = [word]
            elif word.startswith("="):
                key, _, value = word[1:].partition("=")
                args[key] = value
            elif word.startswith("?=") or (word.startswith("?") and not word.startswith("?#")):
                key, _, value = word.lstrip("?=").partition("=")  # `?=key=value` and `?key=value`
                queries[key] = value
        self.commands.append(command)

        def trap(message: str) -> None:
            write_sentence(sock, ["!trap", f"=message={message}", *tag])
            write_sentence(sock, ["!done", *tag])

        if command == "/login":
            if args.get("name") == self.username and args.get("password") == self.password:
                write_sentence(sock, ["!done", *tag])
                return True
            trap("invalid user name or password (6)")
            return False
        if not logged_in:
            trap("not logged in")
            return False
        if command == "/ip/firewall/address-list/print":
            keys = [k for k in args.get(".proplist", "").split(",") if k]
            for entry in self.entries:
                if all(entry.get(k) == v for k, v in queries.items()):
                    shown = {k: v for k, v in entry.items() if not keys or k in keys}
                    write_sentence(sock, ["!re", *[f"={k}={v}" for k, v in shown.items()], *tag])
            write_sentence(sock, ["!done", *tag])
        elif command == "/ip/firewall/address-list/add":
            if any(e["list"] == args.get("list") and e["address"] == args.get("address") for e in self.entries):
                trap("failure: already have such entry")
                return True
            entry = {".id": f"*{self._next_id:X}", "list": args.get("list", ""),
                     "address": args.get("address", ""), "comment": args.get("comment", "")}
            self._next_id += 1
            self.entries.append(entry)
            write_sentence(sock, ["!done", f"=ret={entry['.id']}", *tag])
        elif command == "/ip/firewall/address-list/remove":
            ids = set(args.get(".id", "").split(","))
            if not ids <= {e[".id"] for e in self.entries}:
                trap("no such item")
            else:
                self.entries = [e for e in self.entries if e[".id"] not in ids]
                write_sentence(sock, ["!done", *tag])
        else:
            trap("no such command")
        return True

    def listed(self, list_name: str = "lastmile_suspended") -> set[str]:
        return {e["address"] for e in self.entries if e["list"] == list_name}
