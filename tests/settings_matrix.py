"""The settings matrix both adapters and the core client must agree on.

Each row: the constructor arguments, whether `MINIMAX_BASE_URL` is set, and the endpoint that
must result. `ENV_URL` is the environment's endpoint; what the code says always wins over it.
"""

from __future__ import annotations

from typing import Any

from minimax_core import CHINA_BASE_URL, DEFAULT_BASE_URL

ENV_URL = "http://127.0.0.1:9/v1"
OWN_URL = "http://127.0.0.1:7/v1"

# (id, arguments, environment set, expected endpoint)
ENDPOINT_CASES: list[tuple[str, dict[str, Any], bool, str]] = []
for env_set in (False, True):
    unset = ENV_URL if env_set else DEFAULT_BASE_URL
    suffix = "env-set" if env_set else "env-unset"
    ENDPOINT_CASES += [
        (f"nothing-{suffix}", {}, env_set, unset),
        (f"base_url-{suffix}", {"base_url": OWN_URL + "/"}, env_set, OWN_URL),
        (f"region-cn-{suffix}", {"region": "cn"}, env_set, CHINA_BASE_URL),
        (f"region-CN-{suffix}", {"region": "CN"}, env_set, CHINA_BASE_URL),
        (f"region-global-{suffix}", {"region": "global"}, env_set, DEFAULT_BASE_URL),
        (
            f"base_url-beats-region-{suffix}",
            {"base_url": OWN_URL, "region": "cn"},
            env_set,
            OWN_URL,
        ),
        (f"region-None-{suffix}", {"region": None}, env_set, unset),
    ]

# (id, arguments, environment key or None, expected key or None)
KEY_CASES: list[tuple[str, dict[str, Any], str | None, str | None]] = [
    ("argument-env-unset", {"api_key": "arg-key"}, None, "arg-key"),
    ("argument-env-set", {"api_key": "arg-key"}, "env-key", "arg-key"),
    ("environment", {}, "env-key", "env-key"),
    ("none", {}, None, None),
    ("empty-argument", {"api_key": ""}, None, None),
]

BAD_REGIONS = ["eu", "mars", "us-east-1"]
