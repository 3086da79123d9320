"""Retry delays and Retry-After parsing, as tables."""

from __future__ import annotations

import email.utils

import pytest

from minimax_core._retry import parse_retry_after, retry_delay

NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after-ms": "soon", "retry-after": "2"}, 2.0),
        ({"retry-after": email.utils.formatdate(NOW + 10, usegmt=True)}, 10.0),
        ({"retry-after": "not a date"}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers, now=NOW) == expected


@pytest.mark.parametrize(
    ("attempt", "retry_after", "jitter", "expected"),
    [
        (0, None, 0.0, 0.5),
        (1, None, 0.0, 1.0),
        (2, None, 0.0, 2.0),
        (5, None, 0.0, 8.0),  # capped
        (0, None, 1.0, 0.375),  # at most 25% shorter
        (3, None, 1.0, 3.0),
        (0, 4.0, 0.0, 4.0),  # the server's delay wins
        (0, 60.0, 0.0, 60.0),
        (0, 61.0, 0.0, 0.5),  # too long: back off instead
        (1, -1.0, 0.0, 1.0),  # a date in the past
    ],
)
def test_retry_delay(
    attempt: int, retry_after: float | None, jitter: float, expected: float
) -> None:
    assert retry_delay(attempt, retry_after, jitter=jitter) == pytest.approx(expected)


def test_jitter_stays_within_a_quarter() -> None:
    delays = {retry_delay(2) for _ in range(200)}
    assert all(1.5 <= d <= 2.0 for d in delays)
    assert len(delays) > 1
