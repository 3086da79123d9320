"""A local MiniMax-compatible chat-completions server, for tests, notebooks and demos.

It speaks MiniMax's wire format (and the self-hosted dialects) on loopback, with a scripted,
deterministic model instead of an LLM, so agents can be tested offline and without a key.
Standard library only.

```python
from minimax_server import MiniMaxServer

with MiniMaxServer(api_key="test-key", strict=True) as server:
    client = OpenAI(base_url=server.base_url, api_key=server.api_key)
```

Or from a shell: `python -m minimax_server --port 8000`.

## Endpoints

- `POST /v1/chat/completions`, JSON or SSE (`stream: true`), `Authorization: Bearer <key>`
  (else HTTP 401, code 1004). `GET /v1/models`, `GET /health`.
- The Files API: `POST /v1/files/upload` (multipart `purpose`, `file`; streamed to a temporary
  directory), `GET /v1/files/retrieve?file_id=`, `GET /v1/files/list?purpose=`,
  `POST /v1/files/delete`. Chat requests may reference held files as `mm_file://{file_id}`;
  MiniMax-M3's media limits (formats, `detail`, `fps`, 10/50 MB inline, 64 MB bodies) are
  enforced as MiniMax does (HTTP 400, code 2013).
- `POST /_control/fault`, `/_control/reply`, `/_control/reset`, `/_control/config`
  (`dialect`, `strict`, `any_model`, `send_done`, `chunk_delay`), `GET /_control/requests`,
  `GET /_control/stats`: the Python API over HTTP, for servers run in another process.

## The scripted model

1. A reply queued with `enqueue(ScriptedReply(...))` answers the next valid request, exactly.
2. Tool choice: `"none"` never calls a tool; a named function or `"required"` (or `"any"`)
   always calls one; `"auto"` or absent calls the tools the latest user message asks for
   that have not been called since that message.
3. A tool is asked for when the latest user message writes `name(...)` (each occurrence is
   one call), names it, or contains a word of its name (`get_weather` <- "weather"; generic
   words such as get/set/tool/function don't count). "Use the tool" asks for the only tool
   offered; "use the tools" adds every tool not already asked for, after those that are.
   Calls go one per turn in the order asked, or all in one turn (indexes 0..k) when the
   message says "in parallel", "at the same time" or "simultaneously" and
   `parallel_tool_calls` is not false. `"required"` with nothing pending calls the first
   tool asked for, else the first tool offered; once every tool asked for has run, it calls
   the first tool not used since that message (an agent's structured-output tool), else the
   last one offered.
4. Arguments: `name(3, "x", key=value)` maps positional values onto the schema's properties
   in order; `key=value` or `key: value` anywhere in the message sets that property. Other
   required properties are filled by type:
   - integer/number: the number right after the property's name, else the message's
     numbers in order (numbers inside a `name(...)` or used by `key=value` excepted);
   - string: for location-like names the place after "in"/"at"/"for" ("San Francisco, CA"),
     else the quoted strings in order, then runs of CJK text, then the capitalised word after
     the property's name, else `"<property>: <message snippet>"`;
   - enum: the first value the message mentions, else the first value;
   - boolean: true when the property is mentioned without a negation before it;
   - array: `minItems` items (at least one at top level); object, `$ref`, `anyOf`/`oneOf`
     (first non-null branch) and `allOf` are followed.
   Values are coerced to the schema's type and bounds. If the message mentions a "result"
   and tool results arrived since it, the first numeric property of the next call takes the
   most recent numeric tool result (`"Call f(3), then pass the result to g."`).
5. After tool results, once nothing asked for is pending, the answer quotes each result of
   this loop: `"The result of magic_function is 5."`.
6. `response_format` `json_schema` gives a schema-valid object (optional properties too);
   `json_object` gives an object keyed by the quoted identifiers of the prompt (`'setup'`,
   `'punchline'`), else `{"answer": ...}`.
7. Otherwise it greets back a greeting, or quotes the user's message.
8. Every answer carries reasoning naming the decision and a fingerprint of the conversation,
   unless M3 gets `thinking: {"type": "disabled"}`. `stop` cuts the answer; `max_tokens` /
   `max_completion_tokens` (about 4 characters a token) cut it with finish_reason `length`,
   reasoning first, so a small budget can leave reasoning and no answer.
9. The models (`_models.py`): M4 and M3.1-Flash (and its Preview) always think: `thinking`
   disabled answers HTTP 400 `invalid params, model requires adaptive thinking (2013)`. They
   take `reasoning_effort` `low`, `medium`, `high`, `xhigh` or `max` (another value: 400,
   2013) and think at `max` when none is sent; each level above `low` makes the reasoning one
   sentence longer. M3 honours `thinking` disabled, M2.x ignores it, neither has an effort.
   `max_completion_tokens` above a model's limit (M4 262,144, M3.1-Flash and M3 524,288,
   M2.x 204,800) is 400, 2013; media input needs M3, M3.1-Flash or M4.
10. Usage: about 4 characters a token; `cached_tokens` is the longest prefix of messages seen
   in an earlier request, or half of a prompt of 512 tokens or more.

## Dialects

`minimax` (the cloud: `<think>` inline, or `reasoning_content` + `reasoning_details` with
`reasoning_split`), `vllm` (`reasoning`), `sglang` (`reasoning_content`), `inline` (vLLM's
`minimax_m2_append_think`: everything in `content`), `raw_xml` (`<minimax:tool_call>` XML
left in `content`, finish_reason `stop`), `raw_no_parser` (vLLM or SGLang started with neither
a reasoning nor a tool parser: the chat template's pre-filled `<think>` never reaches the client,
so `content` starts inside the reasoning and holds only `</think>`, then the answer and any
`<minimax:tool_call>` XML, finish_reason `stop`), `proxy` (the MiniMax-M2 proxy: `reasoning_details`
of type `chain_of_thought` with `reasoning_split`, zero usage).

## Strict mode

Each produced assistant turn is remembered (by tool call ids, else by its answer text). When
it comes back, its reasoning must come back in the same form, unchanged: the `<think>` block
byte-for-byte in `content`, `reasoning_details` equal, or the dialect's reasoning field.
Otherwise: HTTP 400, code 2013, naming the message index and the problem. Turns the server
did not produce are accepted.
"""

from __future__ import annotations

from ._lifecycle import MiniMaxServer
from ._types import (
    DIALECTS,
    FAULT_KINDS,
    KNOWN_MODELS,
    Dialect,
    Fault,
    FaultKind,
    RecordedRequest,
    ScriptedReply,
    ToolCallSpec,
)

__all__ = [
    "DIALECTS",
    "FAULT_KINDS",
    "KNOWN_MODELS",
    "Dialect",
    "Fault",
    "FaultKind",
    "MiniMaxServer",
    "RecordedRequest",
    "ScriptedReply",
    "ToolCallSpec",
]
