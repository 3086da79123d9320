"""The adaptive limiter's decisions, as pure functions on a fake clock (no sleeping, no timing)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

import minimax_core as mm
from minimax_core import _limiter as lim
from minimax_core._exceptions import status_error


def state(rate: float = 10.0, concurrency: int = 4, burst: float = 1.0) -> lim.LimiterState:
    return lim.LimiterState(max_rate=rate, min_rate=0.5, max_concurrency=concurrency, burst=burst)


def error(status: int, code: int | None = None, retry_after: float | None = None) -> Exception:
    message = f"too many ({code})" if code else "too many"
    body = {"type": "error", "error": {"type": "rate_limit_error", "message": message}}
    return status_error(status_code=status, body=body, retry_after=retry_after)[0]


def test_reservations_are_spaced_by_the_rate() -> None:
    s = state(rate=10.0)
    starts = [lim.reserve(s, now=100.0) for _ in range(4)]
    assert starts == pytest.approx([100.0, 100.1, 100.2, 100.3])
    # After a quiet spell nothing is owed: the next one starts at once.
    assert lim.reserve(s, now=200.0) == 200.0


def test_burst_lets_that_many_start_together() -> None:
    s = state(rate=10.0, burst=3.0)
    starts = [lim.reserve(s, now=5.0) for _ in range(5)]
    assert starts == pytest.approx([5.0, 5.0, 5.0, 5.1, 5.2])


def test_next_start_reserves_nothing() -> None:
    s = state(rate=2.0)
    assert lim.next_start(s, 1.0) == 1.0
    assert lim.next_start(s, 1.0) == 1.0
    lim.reserve(s, 1.0)
    assert lim.next_start(s, 1.0) == pytest.approx(1.5)


def test_slots_bound_requests_in_flight() -> None:
    s = state(concurrency=2)
    assert lim.take_slot(s) and lim.take_slot(s)
    assert not lim.take_slot(s)
    lim.release_slot(s)
    assert lim.take_slot(s)


def test_a_rate_limit_halves_the_rate_once_per_episode() -> None:
    s = state(rate=16.0)
    lim.on_rate_limited(s, 10.0, started=9.9, signal="rate")
    assert s.rate == 8.0
    # Attempts paced before that cut report the same congestion: no second cut.
    lim.on_rate_limited(s, 10.1, started=9.95, signal="rate")
    lim.on_rate_limited(s, 10.2, started=9.99, signal="rate")
    assert s.rate == 8.0
    # One paced after it is news: cut again.
    lim.on_rate_limited(s, 10.5, started=10.3, signal="rate")
    assert s.rate == 4.0
    assert s.rate_limited == 4


def test_the_rate_never_drops_below_the_floor() -> None:
    s = state(rate=1.0)
    for n in range(10):
        lim.on_rate_limited(s, float(n), started=float(n), signal="rate")
    assert s.rate == 0.5


def test_conn_limit_halves_concurrency_not_rate() -> None:
    s = state(rate=10.0, concurrency=8)
    lim.on_rate_limited(s, 1.0, started=1.0, signal="connections")
    assert (s.rate, s.concurrency) == (10.0, 4.0)
    for n in range(2, 10):
        lim.on_rate_limited(s, float(n), started=float(n), signal="connections")
    assert s.concurrency == 1.0
    assert lim.take_slot(s) and not lim.take_slot(s)


def test_retry_after_pauses_every_reservation() -> None:
    s = state(rate=10.0)
    lim.on_rate_limited(s, 50.0, started=50.0, signal="rate", retry_after=3.0)
    assert lim.next_start(s, 50.0) == 53.0
    assert lim.reserve(s, 51.0) == 53.0
    # A delay past the honoured maximum is not a pause (the backoff policy ignores it too).
    t = state()
    lim.on_rate_limited(t, 1.0, started=1.0, signal="rate", retry_after=3600.0)
    assert lim.next_start(t, 1.0) == 1.0


def test_successes_climb_back_to_the_ceilings_and_no_further() -> None:
    s = state(rate=10.0, concurrency=8)
    lim.on_rate_limited(s, 1.0, started=1.0, signal="rate")
    lim.on_rate_limited(s, 2.0, started=2.0, signal="connections")
    rates = []
    for _ in range(400):
        lim.on_success(s)
        rates.append(s.rate)
    assert rates == sorted(rates)  # only ever up
    assert rates[0] == pytest.approx(5.0 + lim.RATE_STEP)
    assert s.rate == 10.0 and s.concurrency == 8.0


@pytest.mark.parametrize(
    ("failure", "signal"),
    [
        (error(429), "rate"),
        (error(429, 1002), "rate"),
        (error(200, 1002), "rate"),
        (error(200, 1039), "rate"),
        (error(429, 1041), "connections"),
        (error(200, 1041), "connections"),
        (error(200, 2045), "rate"),
        (error(429, 2056), None),  # the plan's window is spent: pacing cannot help
        (error(500), None),
        (error(529), None),
        (mm.APIConnectionError("down"), None),
        (None, None),
    ],
)
def test_which_answers_are_rate_signals(failure: Exception | None, signal: str | None) -> None:
    assert lim.rate_signal(failure) == signal


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_shared_limit_learns_from_reports() -> None:
    clock = FakeClock()
    limit = lim.SharedLimit(mm.AdaptiveRateLimiter(requests_per_second=1000.0), "test", clock)
    first, second = limit.enter(), limit.enter()
    clock.now += 1
    limit.report(first, error(429, 1002))
    assert limit.state.rate == 500.0
    # The second attempt was paced before that cut: its rate limit does not cut again.
    limit.report(second, error(429, 1002))
    assert limit.state.rate == 500.0
    assert limit.state.in_flight == 2
    limit.release(first)
    limit.release(first)  # releasing twice frees one slot only
    assert limit.state.in_flight == 1
    limit.release(second)
    third = limit.enter()
    limit.report(third, None)
    assert limit.state.rate == pytest.approx(500.0 + lim.RATE_STEP)


def test_shared_limit_is_per_endpoint_key_and_settings_and_never_shows_the_key() -> None:
    settings = mm.AdaptiveRateLimiter(requests_per_second=3.0)
    one = settings.limit_for("https://api.minimax.io/v1", "sk-secret-one")
    assert settings.limit_for("https://api.minimax.io/v1", SecretStr("sk-secret-one")) is one
    assert settings.limit_for("https://api.minimax.io/v1", "sk-secret-two") is not one
    assert settings.limit_for("https://api.minimaxi.com/v1", "sk-secret-one") is not one
    other = mm.AdaptiveRateLimiter(requests_per_second=4.0)
    assert other.limit_for("https://api.minimax.io/v1", "sk-secret-one") is not one
    assert "sk-secret" not in repr(one) and "sk-secret" not in str(vars(one))


def test_client_takes_the_shared_limit_for_its_endpoint_and_key() -> None:
    settings = mm.AdaptiveRateLimiter(requests_per_second=5.0)
    a = mm.MiniMaxClient(api_key="k-1", base_url="https://x.test/v1", rate_limiter=settings)
    b = mm.AsyncMiniMaxClient(api_key="k-1", base_url="https://x.test/v1", rate_limiter=settings)
    c = mm.MiniMaxClient(api_key="k-2", base_url="https://x.test/v1", rate_limiter=settings)
    assert a.rate_limit is b.rate_limit is not None
    assert c.rate_limit is not a.rate_limit
    assert mm.MiniMaxClient(api_key="k-1").rate_limit is None


@pytest.mark.parametrize(
    "settings",
    [
        {"requests_per_second": 0},
        {"requests_per_second": 1.0, "min_requests_per_second": 2.0},
        {"max_concurrency": 0},
        {"burst": 0.5},
        {"patience": -1},
    ],
)
def test_bad_settings_are_refused(settings: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        mm.AdaptiveRateLimiter(**settings)  # type: ignore[arg-type]
