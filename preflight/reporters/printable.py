"""Text from input (file names, template strings, server replies) made safe to print: on a terminal a
control character moves the cursor, erases lines or sets the title, and in a line-based CI format a
line break forges a finding. Every such character is written as a visible escape, as git and ripgrep
quote paths; a byte of a file name that is not UTF-8 (a surrogate escape) becomes `\\xNN`."""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, the line and paragraph separators, and the bidirectional overrides and
# isolates that reorder what a terminal or a code review shows. Patterns, not compiled ones: most text
# is printable (str.isprintable is false for every character here), and compiling this character set
# costs half a millisecond that a clean run need not pay; `re` compiles each once, when first used.
_UNSAFE = "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
_SURROGATE = "[\ud800-\udfff]"
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}


def _escaped(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by the surrogateescape handler
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with every control character, line break and direction override escaped."""
    if text.isprintable():
        return text
    return re.sub(_UNSAFE, lambda match: _escaped(match.group()), text)


def printable_path(file: str) -> str:
    """A file name for JSON and SARIF: valid UTF-8 whatever bytes the name had; only the bytes that are
    not UTF-8 change (to `\\xNN`), so every other name is kept exactly."""
    if file.isprintable() or not re.search(_SURROGATE, file):
        return file
    return re.sub(_SURROGATE, lambda match: _escaped(match.group()), file)
