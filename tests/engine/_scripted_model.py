"""A tiny GGUF model that says exactly what its scripts say, for a real `llama-server`.

The model is one `llama` layer whose attention and feed-forward weights are zero, so the residual
stream is the current token's (one-hot) embedding and the logits are one column of the output
matrix: the next token depends on the current token only. Each script is a list of pieces; each
piece is one token, and the output matrix makes a piece's successor the next piece of its script.

Scripts share tokens (the tags, `\\n\\n` after `</think>`, a call two scripts make), so a shared
token can have several successors. Those get an equal, weaker logit, and a request picks its
script with `logit_bias` on its own successors (`ScriptedModel.steer`): the first piece, which
follows the prompt's final `\\n` (the template pre-fills `<think>\\n`), always among them. The
default script wins when nothing is biased. `ScriptedModel.decode` replays greedy decoding in
Python; building a model fails unless it reproduces every script exactly, with a margin.

The vocabulary is byte-level BPE with no merges (prompts tokenize to bytes and the special
tokens), MiniMax's role tokens as control tokens and the tags as user-defined tokens, which
llama.cpp renders in the output as MiniMax's real tokenizer makes it do.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BOS, ROLE, EOS = "]~!b[", "]~b]", "[e~["  # the template's control tokens; EOS ends a turn
TAGS = ("<think>", "</think>", "<minimax:tool_call>", "</minimax:tool_call>")
PROMPT_END = "\n"  # the last prompt token: the template ends with "]~b]ai\n<think>\n"

# Logit levels. A piece with one successor: STRONG. A shared token: SHARED for each successor,
# DEFAULT_EDGE more for the default script's. A request's bias: BIAS on its own successors of
# shared tokens. STRONG > BIAS + FALLBACK keeps a bias from ever beating a script's own step.
STRONG, SHARED, DEFAULT_EDGE, BIAS, FALLBACK = 40.0, 10.0, 1.0, 20.0, 5.0
MARGIN = 1.0
# Where a grammar forbids the next piece, a real model would rather close the tool-call block
# than write anything else: after a call's `</invoke>`, the closing tag is the second choice.
CALL_END = "</invoke>"
UNUSED_PAIR = "\x01\x02"


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's byte-level alphabet: every byte as one printable character."""
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    chars = list(printable)
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            chars.append(256 + extra)
            extra += 1
    return dict(zip(printable, map(chr, chars), strict=True))


_BYTE_CHARS = bytes_to_unicode()


def byte_level(text: str) -> str:
    """A piece's token text in the byte-level alphabet."""
    return "".join(_BYTE_CHARS[b] for b in text.encode("utf-8"))


@dataclass(frozen=True)
class Script:
    """One reply: its pieces in order (a piece equal to a tag is that tag's token)."""

    name: str
    pieces: tuple[str, ...]

    @property
    def text(self) -> str:
        return "".join(self.pieces)


class ScriptError(ValueError):
    """The scripts cannot all be reproduced by a model whose next token depends on one token."""


@dataclass
class ScriptedModel:
    """The vocabulary, the successor logits and each script's bias; `write` makes the GGUF."""

    scripts: dict[str, Script]
    default: str
    tokens: list[str] = field(default_factory=list)  # token texts as stored in the GGUF
    types: list[int] = field(default_factory=list)  # gguf TokenType values
    ids: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, text) -> id
    logits: dict[int, dict[int, float]] = field(default_factory=dict)  # current -> next -> logit
    sequences: dict[str, list[int]] = field(default_factory=dict)

    # --- building (pure) ---

    @classmethod
    def build(cls, scripts: Sequence[Script], default: str) -> ScriptedModel:
        model = cls({s.name: s for s in scripts}, default)
        model._vocabulary()
        model._successors()
        for name in model.scripts:
            model._check(name)
        return model

    def _add(self, kind: str, text: str, stored: str, token_type: int) -> int:
        key = (kind, text)
        if key not in self.ids:
            self.ids[key] = len(self.tokens)
            self.tokens.append(stored)
            self.types.append(token_type)
        return self.ids[key]

    def _vocabulary(self) -> None:
        normal, control, user_defined = 1, 3, 4  # gguf.TokenType
        for byte in range(256):
            self._add("byte", bytes([byte]).decode("latin-1"), _BYTE_CHARS[byte], normal)
        # llama.cpp refuses a BPE vocabulary without merges: one, of two bytes no text holds.
        self._add("merge", UNUSED_PAIR, byte_level(UNUSED_PAIR), normal)
        for text in (BOS, ROLE, EOS):
            self._add("special", text, text, control)
        for text in TAGS:
            self._add("special", text, text, user_defined)
        for script in self.scripts.values():
            self.sequences[script.name] = [self._piece(p) for p in script.pieces]

    def _piece(self, piece: str) -> int:
        if not piece:
            raise ScriptError("a script piece must not be empty")
        if piece in TAGS:
            return self.ids[("special", piece)]
        if len(piece.encode("utf-8")) == 1:
            return self.ids[("byte", piece)]
        stored = byte_level(piece)
        for text in (BOS, ROLE, EOS, *TAGS):
            if piece == text:
                raise ScriptError(f"{piece!r} is a special token")
        return self._add("piece", piece, stored, 1)

    def token(self, text: str) -> int:
        """The id of a special token, a tag or a single byte."""
        if ("special", text) in self.ids:
            return self.ids[("special", text)]
        return self.ids[("byte", text)]

    def _transitions(self, name: str) -> list[tuple[int, int]]:
        sequence = [self.token(PROMPT_END), *self.sequences[name], self.token(EOS)]
        return list(itertools.pairwise(sequence))

    def _successors(self) -> None:
        candidates: dict[int, list[int]] = {}
        for name in self.scripts:
            for current, following in self._transitions(name):
                row = candidates.setdefault(current, [])
                if following not in row:
                    row.append(following)
        for current, row in candidates.items():
            level = STRONG if len(row) == 1 else SHARED
            self.logits[current] = dict.fromkeys(row, level)
        for current, following in self._transitions(self.default):
            if len(candidates[current]) > 1:
                self.logits[current][following] += DEFAULT_EDGE
        close = self.token("</minimax:tool_call>")
        for key, token_id in self.ids.items():
            if key[0] == "piece" and key[1].rstrip("\n").endswith(CALL_END):
                row = self.logits.setdefault(token_id, {})
                row[close] = max(row.get(close, 0.0), FALLBACK)

    def steer(self, name: str) -> dict[int, float]:
        """The `logit_bias` that makes the model say script `name`."""
        bias: dict[int, float] = {}
        for current, following in self._transitions(name):
            if len(self.logits[current]) > 1 and name != self.default:
                bias[following] = BIAS
        return bias

    def decode(self, bias: Mapping[int, float], limit: int = 400) -> tuple[list[int], list[float]]:
        """Greedy decoding from the prompt's end: the tokens and each step's winning margin."""
        current, out, margins = self.token(PROMPT_END), [], []
        for _ in range(limit):
            scores = dict.fromkeys(bias, 0.0)
            scores.update(self.logits.get(current, {}))
            for token_id, extra in bias.items():
                scores[token_id] += extra
            ranked = sorted(scores.items(), key=lambda item: -item[1])
            best = ranked[0]
            runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
            margins.append(best[1] - max(runner_up, 0.0))
            if best[0] == self.token(EOS):
                return out, margins
            out.append(best[0])
            current = best[0]
        return out, margins

    def _check(self, name: str) -> None:
        out, margins = self.decode(self.steer(name))
        if out != self.sequences[name] or min(margins) < MARGIN:
            said = "".join(self.text_of(t) for t in out)
            raise ScriptError(
                f"script {name!r} cannot be reproduced by one-token successors: greedy decoding "
                f"says {said!r} (smallest margin {min(margins):.1f}); merge pieces that repeat "
                "with different successors"
            )

    def text_of(self, token_id: int) -> str:
        for (_kind, text), known in self.ids.items():
            if known == token_id:
                return text
        raise KeyError(token_id)

    # --- writing (I/O) ---

    def write(self, path: Path, chat_template: str) -> Path:
        """Write the GGUF file (a few MB of float32) and return its path."""
        import numpy as np
        from gguf import GGUFWriter

        n_vocab = len(self.tokens)
        head = 64
        n_embd = -(-n_vocab // head) * head
        n_ff = head
        embedding = np.zeros((n_vocab, n_embd), dtype=np.float32)
        embedding[np.arange(n_vocab), np.arange(n_vocab)] = 1.0
        output = np.zeros((n_vocab, n_embd), dtype=np.float32)
        for current, row in self.logits.items():
            for following, logit in row.items():
                output[following, current] = logit

        writer = GGUFWriter(path, "llama")
        writer.add_name("minimax-agents scripted MiniMax-M2 stand-in")
        writer.add_context_length(32768)
        writer.add_embedding_length(n_embd)
        writer.add_block_count(1)
        writer.add_feed_forward_length(n_ff)
        writer.add_head_count(n_embd // head)
        writer.add_head_count_kv(n_embd // head)
        writer.add_rope_dimension_count(head)
        writer.add_layer_norm_rms_eps(1e-6)
        writer.add_vocab_size(n_vocab)
        writer.add_file_type(0)
        writer.add_tokenizer_model("gpt2")
        writer.add_tokenizer_pre("default")
        writer.add_token_list(self.tokens)
        writer.add_token_types(self.types)
        writer.add_token_merges([" ".join(byte_level(c) for c in UNUSED_PAIR)])
        writer.add_bos_token_id(self.token(BOS))
        writer.add_eos_token_id(self.token(EOS))
        writer.add_add_bos_token(False)
        writer.add_add_eos_token(False)
        writer.add_chat_template(chat_template)

        zeros: dict[str, Any] = {
            "blk.0.attn_q.weight": (n_embd, n_embd),
            "blk.0.attn_k.weight": (n_embd, n_embd),
            "blk.0.attn_v.weight": (n_embd, n_embd),
            "blk.0.attn_output.weight": (n_embd, n_embd),
            "blk.0.ffn_gate.weight": (n_ff, n_embd),
            "blk.0.ffn_up.weight": (n_ff, n_embd),
            "blk.0.ffn_down.weight": (n_embd, n_ff),
        }
        writer.add_tensor("token_embd.weight", embedding)
        # The final RMS norm scales a one-hot vector by sqrt(n_embd); this weight undoes it, so
        # the logits are the output matrix's entries as written.
        writer.add_tensor(
            "output_norm.weight", np.full(n_embd, 1.0 / np.sqrt(n_embd), dtype=np.float32)
        )
        writer.add_tensor("output.weight", output)
        writer.add_tensor("blk.0.attn_norm.weight", np.ones(n_embd, dtype=np.float32))
        writer.add_tensor("blk.0.ffn_norm.weight", np.ones(n_embd, dtype=np.float32))
        for name, shape in zeros.items():
            writer.add_tensor(name, np.zeros(shape, dtype=np.float32))
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        return path
