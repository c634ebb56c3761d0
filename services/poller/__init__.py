"""The poller: which WABAs a cycle reads, reading them, backoff, the lease, and the loop.

`python -m services.poller [--once] [--interval SECONDS]` runs it as its own process; in demo mode
the app runs the loop on a thread. May import `services.health`, `services.access`,
`services.graph`, `services.store`, `services.runtime` and `services.demo`.
"""
