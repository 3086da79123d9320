"""Both adapters declare the same model settings, each with the core's one default."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from langchain_minimax import ChatMiniMax
from llamaindex_minimax import MiniMax
from minimax_core import MiniMaxClient
from minimax_core.adapter_kit import SETTING_DEFAULTS, SettingDefaults

SETTINGS = [field.name for field in dataclasses.fields(SettingDefaults)]


@pytest.mark.parametrize("setting", SETTINGS)
def test_both_adapters_declare_each_setting_with_the_core_default(setting: str) -> None:
    expected = getattr(SETTING_DEFAULTS, setting)
    langchain_name = "model_name" if setting == "model" else setting  # LangChain's spelling
    assert ChatMiniMax.model_fields[langchain_name].default == expected
    assert MiniMax.model_fields[setting].default == expected
    assert inspect.signature(MiniMax.__init__).parameters[setting].default == expected


def test_the_client_retries_as_often_as_the_adapters() -> None:
    retries = inspect.signature(MiniMaxClient.__init__).parameters["max_retries"].default
    assert retries == SETTING_DEFAULTS.max_retries == 2
