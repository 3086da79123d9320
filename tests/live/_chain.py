"""Checks on what went over the wire during one live test."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from minimax_core.recording import Exchange
from tests.guarantees import assert_replayed, assistant_turns, expected_replay, view_of


def chat_exchanges(exchanges: Sequence[Exchange]) -> list[Exchange]:
    return [e for e in exchanges if e.url.rstrip("/").endswith("/chat/completions")]


def request_of(exchange: Exchange) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(exchange.request_body)
    return body


def content_type(exchange: Exchange) -> str:
    return exchange.headers.get("content-type", "")


def assert_chain_kept(exchanges: Sequence[Exchange]) -> int:
    """One conversation: every answer came back, with its reasoning, in every later request.

    The k-th assistant turn of a request is the k-th answer before it. Returns how many
    answers were checked as replayed.
    """
    calls = chat_exchanges(exchanges)
    assert calls, "no request reached the endpoint"
    for exchange in calls:
        assert exchange.status == 200, f"HTTP {exchange.status}: {exchange.body[:300]!r}"
    checked = 0
    for later_index, later in enumerate(calls[1:], start=1):
        turns = assistant_turns(request_of(later))
        earlier = calls[:later_index][-len(turns) :] if turns else []
        for sent, answer in zip(turns, earlier, strict=True):
            view = view_of(content_type(answer), answer.body)
            assert view.reasoning_location != "none", "an answer came without reasoning"
            assert_replayed(sent, expected_replay(content_type(answer), answer.body))
            checked += 1
    return checked
