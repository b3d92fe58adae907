"""A per-client limit on the registration form: a token bucket per IP address, in process.

Each client may send ``burst`` forms at once and then one more every ``3600 / per_hour``
seconds. A municipality's office shares one address behind its NAT, so the burst is generous;
a bot is held to ``per_hour``. The buckets live in this process (each web worker counts for
itself, so the real limit is the workers times this one) and the least recently seen clients
are forgotten beyond ``max_clients``, so memory stays bounded whatever a flood sends.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    burst: int
    per_hour: float
    max_clients: int = 10_000
    _buckets: OrderedDict[str, tuple[float, float]] = field(default_factory=OrderedDict)

    def take(self, client: str, now: float) -> int:
        """Take one token for ``client`` at monotonic time ``now``: 0 when allowed, else the
        whole seconds until the next token (for ``Retry-After``)."""
        per_second = self.per_hour / 3600
        tokens, then = self._buckets.pop(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * per_second)
        wait = 0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = max(1, math.ceil((1 - tokens) / per_second))
        self._buckets[client] = (tokens, now)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return wait
