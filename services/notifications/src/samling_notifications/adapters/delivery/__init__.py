"""E-mail delivery: notices handed over in memory, sent over reused SMTP connections, outcomes
written in batches — and a slow sweep for what a crashed process left behind.

The hot path never queries by anything but ``_id`` (FerretDB v1 scans for any other filter):

1. :meth:`DeliveryWorker.queue` (called by the fact handlers and the scheduler) writes a
   ``mail_chunks`` document (its owner: this process; the notice ids) and then the notices of
   that chunk with one ``insert_many(ordered=False)``. The notice ``_id`` is the unique key
   (recipient, source fact, kind, channel): a duplicate means "queued before", so only the
   fresh e-mail notices are put on this process's in-memory queue, at once (the inbox
   entries' facts are written after that, while the mails go out). The preferences it read
   for the notices go with them.
2. A few sender tasks, each with its own SMTP connection (several messages per connection),
   take them from the queue, read the recipient's address, render them from a cached
   :mod:`prototype <samling_notifications.adapters.email.prototype>` per (fact, kind,
   language) and send them. An address (or event details) that arrives while its mail waits
   for it puts the mail back on the queue at once, also when it arrives during the attempt
   that found none (:meth:`Ledger.arrived_for <.ledger.Ledger.arrived_for>`).
3. The recorder writes the outcomes in batches: first attempts as new ``deliveries``
   aggregates with one ``create_many`` (state = log line, fact = NotificationSent/Failed for
   the outbox), later attempts as the next revision. Retries wait in memory (a heap against
   ``runtime.clock``); a chunk whose notices all reached a final state is deleted (by ``_id``).

Crash safety: every process writes a heartbeat (``delivery_workers/<instance>``). The sweep
(at start-up and every ``delivery_sweep_seconds``) scans the small ``mail_chunks`` collection
(only open chunks are in it); a chunk whose owner's heartbeat is older than
``delivery_lease_seconds`` is taken over (a unique ``mail_chunk_takeovers`` document: one
taker) and its notices without a final outcome are queued again, retries at their time.

SMTP cannot say whether a mail accepted just before a crash arrived: at most
``delivery_record_every`` mails are in flight or sent without a written outcome at any time,
and after a crash only those can go out twice (with the same Message-ID). A graceful stop
finishes and records the mails in flight.

Where each part lives: :mod:`.intake` (notices written, e-mails handed over), :mod:`.senders`
(SMTP), :mod:`.recorder` (outcomes and retries), :mod:`.recovery` (heartbeat and takeover),
:mod:`.ledger` (what this process holds in memory), :mod:`.worker` (the coordinator); the
message itself is built in :mod:`samling_notifications.adapters.email.builder`.
"""

from samling_notifications.adapters.delivery.worker import DeliveryWorker

__all__ = ["DeliveryWorker"]
