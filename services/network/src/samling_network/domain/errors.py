"""Why a decision was refused, in words a person understands (the shared problem handlers turn
each kind into the same status as in every other service)."""

from samling_kernel.decisions import Refusal, Refused


class Rejected(Refused):
    """The request is understood but breaks a rule of the domain."""

    kind = Refusal.INVALID


class Conflict(Rejected):
    """The request clashes with the current state (already a member, already withdrawn...)."""

    kind = Refusal.CONFLICT


class Forbidden(Rejected):
    """The caller may see the thing but not do this to it."""

    kind = Refusal.FORBIDDEN
