"""A swap proposal's life (SPEC §2.1): one person proposes swapping a day with another, who
accepts or declines it; unanswered by the day, it expires. An accepted swap is one unit: clearing
or overriding one of its days undoes both halves (UNDONE). Pure, no I/O.

The values are what the `swap_proposal.state` column stores.
"""

from __future__ import annotations

from enum import StrEnum


class SwapState(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    UNDONE = "undone"  # accepted, then both halves taken back together


# Only an open proposal moves on, and each of its ends is final - except that an accepted swap can
# still be undone as a whole.
TRANSITIONS: dict[SwapState, frozenset[SwapState]] = {
    SwapState.PROPOSED: frozenset({SwapState.ACCEPTED, SwapState.DECLINED, SwapState.EXPIRED}),
    SwapState.ACCEPTED: frozenset({SwapState.UNDONE}),
    SwapState.DECLINED: frozenset(),
    SwapState.EXPIRED: frozenset(),
    SwapState.UNDONE: frozenset(),
}


class SwapTransitionError(ValueError):
    """A move the state machine does not allow, e.g. accepting a declined proposal."""


def can_move(state: str, to: SwapState) -> bool:
    """Whether a proposal in `state` (as stored) may become `to`."""
    try:
        current = SwapState(state)
    except ValueError:
        return False
    return to in TRANSITIONS[current]


def move(state: str, to: SwapState) -> SwapState:
    """The state after moving a proposal in `state` to `to`; refuses any move not allowed."""
    if not can_move(state, to):
        raise SwapTransitionError(f"a swap proposal cannot move from {state!r} to {to.value!r}")
    return to
