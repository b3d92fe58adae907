"""The fact handlers: one module per consumed topic, listed in :mod:`.table`."""
