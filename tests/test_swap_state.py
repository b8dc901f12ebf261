"""The swap proposal's state machine (domain.swap): the stored values and the allowed moves."""

from __future__ import annotations

import pytest

from domain.swap import TRANSITIONS, SwapState, SwapTransitionError, can_move, move


def test_the_stored_values_are_unchanged():
    assert [s.value for s in SwapState] == ["proposed", "accepted", "declined", "expired", "undone"]
    assert SwapState("proposed") is SwapState.PROPOSED and SwapState.EXPIRED == "expired"


@pytest.mark.parametrize("to", [SwapState.ACCEPTED, SwapState.DECLINED, SwapState.EXPIRED])
def test_an_open_proposal_is_accepted_declined_or_expires(to):
    assert can_move(SwapState.PROPOSED, to)
    assert move("proposed", to) is to  # as the column stores it


@pytest.mark.parametrize("state", [SwapState.ACCEPTED, SwapState.DECLINED, SwapState.EXPIRED, SwapState.UNDONE])
@pytest.mark.parametrize("to", list(SwapState))
def test_an_answered_or_expired_proposal_moves_no_more(state, to):
    if (state, to) == (SwapState.ACCEPTED, SwapState.UNDONE):
        assert move(state, to) is to  # an accepted swap is undone as a whole, once
        return
    assert not can_move(state, to)
    with pytest.raises(SwapTransitionError):
        move(state, to)


def test_a_proposal_does_not_return_to_proposed_nor_knows_unknown_states():
    assert not can_move(SwapState.PROPOSED, SwapState.PROPOSED)
    assert not can_move("withdrawn", SwapState.ACCEPTED)
    with pytest.raises(SwapTransitionError):
        move("withdrawn", SwapState.ACCEPTED)
    assert set(TRANSITIONS) == set(SwapState)
