"""Names printed safely: a path may hold any bytes but "/" and NUL, and a printed line must stay
one line that the terminal shows as text.

    shown("./ckpt.npy")          ->  ./ckpt.npy             (unchanged: every ordinary name)
    shown("a\\nb.png")            ->  a\\nb.png               (a newline, as two characters)
    shown("\\x1b[31mred.png")     ->  \\x1b[31mred.png        (an escape sequence, not obeyed)
    shown(b"caf\\xe9.png")        ->  caf\\xe9.png            (a byte that is not UTF-8)
"""

import os
import shlex
import sys


def shown(path) -> str:
    """``path`` (str, bytes or os.PathLike) as one printable line: itself when every character is
    printable and the output can encode it; otherwise each other character as a backslash escape
    (a byte that is not UTF-8 as \\xNN, the byte it was)."""
    text = os.fsdecode(path)
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    if text.isprintable() and _encodes(text, encoding):
        return text
    return "".join(char if char.isprintable() and _encodes(char, encoding) else _escape(char) for char in text)


def quoted(path) -> str:
    """``path`` in single quotes, as ``repr`` shows a name, but printed safely: ``quoted(b"d\\xff")`` is
    'd\\xff', the byte that was there (``repr`` would show the surrogate '\\udcff')."""
    return "'" + shown(path) + "'"


def shell_word(arg) -> str:
    """``arg`` as one word a shell reads back: shlex's quoting for an ordinary name, else bash's
    $'...' with the escapes of ``shown`` (a backslash and a quote escaped too)."""
    if shown(arg) == os.fsdecode(arg):
        return shlex.quote(os.fsdecode(arg))
    special = {"\\": "\\\\", "'": "\\'"}
    return "$'" + "".join(special.get(char) or shown(char) for char in os.fsdecode(arg)) + "'"


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _escape(char: str) -> str:
    """A backslash escape of one character: a surrogate of a raw byte (0xDC80-0xDCFF) as that byte."""
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return char.encode("unicode_escape").decode("ascii")
