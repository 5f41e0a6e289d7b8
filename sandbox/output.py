"""Drain a child's output concurrently, keeping only a bounded tail in memory."""

from __future__ import annotations

import threading
from typing import IO


class TailBuffer:
    """Keeps the last `cap` bytes written to it and counts what was dropped."""

    def __init__(self, cap: int) -> None:
        self.cap = max(cap, 0)
        self._buf = bytearray()
        self.dropped = 0
        self._lock = threading.Lock()

    def write(self, chunk: bytes) -> None:
        with self._lock:
            self._buf += chunk
            # Trim only past twice the cap so trimming stays amortised O(1) per byte.
            if len(self._buf) > 2 * self.cap:
                cut = len(self._buf) - self.cap
                self.dropped += cut
                del self._buf[:cut]

    @property
    def truncated(self) -> bool:
        return self.dropped > 0 or len(self._buf) > self.cap

    def text(self) -> str:
        with self._lock:
            data = bytes(self._buf[-self.cap :]) if self.cap else b""
            dropped = self.dropped + len(self._buf) - len(data)
        body = data.decode("utf-8", errors="replace")
        if dropped:
            return f"[... {dropped} earlier bytes dropped ...]\n{body}"
        return body


def drain(stream: IO[bytes], sink: TailBuffer) -> threading.Thread:
    """Start a daemon thread copying `stream` into `sink` until EOF."""

    def pump() -> None:
        try:
            while chunk := stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536):
                sink.write(chunk)
        except (OSError, ValueError):
            pass  # the pipe was closed under us while shutting down
        finally:
            stream.close()

    thread = threading.Thread(target=pump, name="sandbox-drain", daemon=True)
    thread.start()
    return thread
