"""Transfer plans (seed 004): three confidential conversations between a participant and their
manager, before, during and after an event, shared with a third party only when both agree."""
