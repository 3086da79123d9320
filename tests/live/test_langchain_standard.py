"""LangChain's standard integration suite (`langchain-tests`), once per live model.

Image tests run for models the catalog says take images. Their image is made here rather than
downloaded (the suite otherwise fetches one with `httpx.get`), and image URLs are not sent,
since a self-hosted server may have no internet access.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.language_models import BaseChatModel
from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_minimax import ChatMiniMax
from minimax_core import model_info

from .conftest import live_endpoint


def png(width: int = 64, height: int = 64) -> bytes:
    """A real, decodable PNG: a red square on white, made without any image library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            inside = width // 4 <= x < 3 * width // 4 and height // 4 <= y < 3 * height // 4
            rows += b"\xff\x00\x00" if inside else b"\xff\xff\xff"
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows)))
        + chunk(b"IEND", b"")
    )


def _local_image(url: str, **_: Any) -> httpx.Response:
    return httpx.Response(200, content=png(), request=httpx.Request("GET", url))


class _LiveStandard(ChatModelIntegrationTests):
    """The standard suite against the live endpoint; subclasses fix `model_name`."""

    model_name = ""

    @pytest.fixture(autouse=True)
    def _no_downloads(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
        monkeypatch.setattr("langchain_tests.integration_tests.chat_models.httpx.get", _local_image)
        yield

    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatMiniMax

    @property
    def chat_model_params(self) -> dict[str, Any]:
        endpoint = live_endpoint()
        assert endpoint is not None
        return {
            "model": self.model_name,
            "api_key": endpoint.api_key,
            "base_url": endpoint.base_url,
            **endpoint.settings,
            **endpoint.http_clients(),
        }

    @property
    def model_override_value(self) -> str | None:
        endpoint = live_endpoint()
        others = [m for m in endpoint.models if m != self.model_name] if endpoint else []
        return others[0] if others else None

    @property
    def returns_usage_metadata(self) -> bool:
        # False only for endpoints that send zero usage (some proxies): the standard usage
        # tests then skip, and test_conversation.py::test_usage_reported says why.
        endpoint = live_endpoint()
        return endpoint is not None and endpoint.reports_usage

    @property
    def supports_image_inputs(self) -> bool:
        info = model_info(self.model_name)
        return info.known and info.image_input

    @property
    def supports_image_tool_message(self) -> bool:
        return self.supports_image_inputs

    @property
    def supports_image_urls(self) -> bool:
        return False

    @property
    def supports_anthropic_inputs(self) -> bool:
        return True

    @property
    def supported_usage_metadata_details(self) -> dict[str, list[Any]]:
        # Reasoning-token and cache counts are not reported by every endpoint; the standard
        # tests still check the totals.
        return {"invoke": [], "stream": []}


def _class_name(model: str) -> str:
    return "TestStandard_" + re.sub(r"\W+", "_", model)


_endpoint = live_endpoint()
for _model in _endpoint.models if _endpoint is not None else []:
    globals()[_class_name(_model)] = type(
        _class_name(_model), (_LiveStandard,), {"model_name": _model}
    )
