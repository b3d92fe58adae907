"""What a request or a sweep asks of registrations, between the routes and the store.

Each use case calls the pure rules of :mod:`samling_events.domain` and the store through the
small ports of :mod:`.ports`, so it runs the same over FerretDB and over an in-memory store
(the fast tier). Routes parse, authorise and translate; the registration desk batches.
"""
