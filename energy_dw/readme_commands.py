"""The README's shell blocks, as tests/python/test_readme_commands.py runs them.

Every ```sh block of README.md carries a marker on the line before it (blank lines allowed):

    <!-- readme-test: run -->                 run it as written, from the repository root
    <!-- readme-test: skip: <why> -->         not run here; the reason is required

A `run` block may be followed directly (blank lines allowed) by a ```text block: the output the
command prints, which the run must reproduce. Without one, the command must only succeed.

What a run's output is compared as (`normalise`), and nothing else:

- each line is what a terminal shows, the text after its last carriage return that has text
  after it (the `mf` spinner redraws its line in place);
- `mf query`'s status line `✔ Success 🦄 - query completed after <seconds> seconds` is dropped
  (the time varies);
- trailing spaces, and blank lines before the first and after the last line, are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MARKER = re.compile(r"^<!--\s*readme-test:\s*(run|skip)\s*(?::\s*(.*?))?\s*-->\s*$")
FENCE = re.compile(r"^```\s*([\w-]*)\s*$")
TIMING = re.compile(r"^✔ Success .* - query completed after [0-9.]+ seconds$")


@dataclass(frozen=True)
class Block:
    line: int  # 1-based line of the opening fence
    language: str
    text: str
    action: str | None = None  # "run", "skip" or None (no marker)
    reason: str = ""
    expected: str | None = None  # the ```text block after a run block


def _fenced(lines: list[str]) -> list[tuple[int, int, str, str]]:
    """(index of the opening fence, index of the closing fence, language, text)."""
    blocks, index = [], 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        end = index + 1
        while end < len(lines) and lines[end].rstrip() != "```":
            end += 1
        if end == len(lines):
            raise ValueError(f"README line {index + 1}: a fence that is never closed")
        blocks.append((index, end, opening.group(1), "\n".join(lines[index + 1 : end])))
        index = end + 1
    return blocks


def _previous_line(lines: list[str], index: int) -> str:
    index -= 1
    while index >= 0 and not lines[index].strip():
        index -= 1
    return lines[index].strip() if index >= 0 else ""


def parse(markdown: str) -> list[Block]:
    """Every ```sh block with its marker and, for a run block, its expected output."""
    lines = markdown.splitlines()
    fenced = _fenced(lines)
    blocks = []
    for position, (start, end, language, text) in enumerate(fenced):
        if language != "sh":
            continue
        marker = MARKER.match(_previous_line(lines, start))
        action = marker.group(1) if marker else None
        reason = (marker.group(2) or "") if marker else ""
        expected = None
        if position + 1 < len(fenced):
            next_start, _, next_language, next_text = fenced[position + 1]
            between = lines[end + 1 : next_start]
            if next_language == "text" and not any(line.strip() for line in between):
                expected = next_text
        blocks.append(Block(start + 1, language, text, action, reason, expected))
    return blocks


def normalise(output: str) -> str:
    shown = []
    for line in output.split("\n"):
        line = line.rstrip("\r").rsplit("\r", 1)[-1].rstrip()
        if not TIMING.match(line):
            shown.append(line)
    return "\n".join(shown).strip("\n")


def readme_blocks(root: Path) -> list[Block]:
    return parse((Path(root) / "README.md").read_text())
