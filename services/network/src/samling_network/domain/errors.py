"""Why a decision was refused, in words a person understands (the API maps them to problems)."""


class Rejected(Exception):
    """The request is understood but breaks a rule of the domain."""

    status = 422
    kind = "rule-broken"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Conflict(Rejected):
    """The request clashes with the current state (already a member, already withdrawn...)."""

    status = 409
    kind = "conflict"


class Forbidden(Rejected):
    """The caller may see the thing but not do this to it."""

    status = 403
    kind = "forbidden"
