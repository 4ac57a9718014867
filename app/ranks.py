"""Fractional order keys: a key strictly between any two keys, so a move rewrites one row.

A key is an *integer part* followed by an optional *fraction*, over the 62 digits
`0-9A-Za-z`, compared byte-wise (PostgreSQL `COLLATE "C"`, Python `str` order):

- The integer part's first character says how many digits follow: `a` one, `b` two, ... `z`
  twenty-six for non-negative integers; `Z` one, `Y` two, ... `A` twenty-six for negative ones
  (whose digit strings grow towards zero). So `Zz < a0 < a1 < ... < az < b00`.
- Appending after the last key or prepending before the first steps the integer part, so n
  moves to an end cost O(log n) characters instead of one character per few moves.
- Inserting between two keys with the same integer part extends the fraction; a fraction
  never ends in `0`, which keeps room below every key.
"""

from __future__ import annotations

DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BASE = len(DIGITS)
_INDEX = {c: i for i, c in enumerate(DIGITS)}
FIRST = "a0"
"""The key of the first item in an empty list."""
_SMALLEST_INTEGER = "A" + DIGITS[0] * 26


class RankError(ValueError):
    """A malformed key, or bounds in the wrong order."""


def _integer_length(head: str) -> int:
    if "a" <= head <= "z":
        return ord(head) - ord("a") + 2
    if "A" <= head <= "Z":
        return ord("Z") - ord(head) + 2
    raise RankError(f"invalid rank head {head!r}")


def _split(key: str) -> tuple[str, str]:
    """(integer part, fraction) of a valid key."""
    if not key:
        raise RankError("empty rank")
    size = _integer_length(key[0])
    if len(key) < size:
        raise RankError(f"rank {key!r} is shorter than its integer part")
    integer, fraction = key[:size], key[size:]
    if any(c not in _INDEX for c in key):
        raise RankError(f"rank {key!r} has a character outside 0-9A-Za-z")
    if fraction.endswith(DIGITS[0]):
        raise RankError(f"rank {key!r} has a fraction ending in 0")
    if integer == _SMALLEST_INTEGER and not fraction:
        raise RankError(f"rank {key!r} is the reserved smallest integer")
    return integer, fraction


def validate(key: str) -> str:
    """`key` if it is well formed, else RankError."""
    _split(key)
    return key


def _step(integer: str, delta: int) -> str | None:
    """The integer part plus `delta` (±1), or None past the largest/smallest integer."""
    head, digits = integer[0], list(integer[1:])
    edge, reset = (DIGITS[-1], DIGITS[0]) if delta > 0 else (DIGITS[0], DIGITS[-1])
    i = len(digits) - 1
    while i >= 0 and digits[i] == edge:
        digits[i] = reset
        i -= 1
    if i >= 0:
        digits[i] = DIGITS[_INDEX[digits[i]] + delta]
        return head + "".join(digits)
    # Every digit overflowed: move to the neighbouring head (one more or one fewer digit).
    if head == ("z" if delta > 0 else "A"):
        return None
    if delta > 0:
        new_head = "a" if head == "Z" else chr(ord(head) + 1)
        return new_head + DIGITS[0] * (_integer_length(new_head) - 1)
    new_head = "Z" if head == "a" else chr(ord(head) - 1)
    return new_head + DIGITS[-1] * (_integer_length(new_head) - 1)


def _midpoint(low: str, high: str | None) -> str:
    """A fraction strictly between fractions `low` and `high` (None = no upper bound)."""
    if high is not None:
        # Keep the common prefix (padding `low` with the smallest digit) and recurse past it.
        n = 0
        while n < len(high) and (low[n] if n < len(low) else DIGITS[0]) == high[n]:
            n += 1
        if n:
            return high[:n] + _midpoint(low[n:], high[n:])
    lo = _INDEX[low[0]] if low else 0
    hi = _INDEX[high[0]] if high else _BASE
    if hi - lo > 1:
        return DIGITS[(lo + hi) // 2]
    if high is not None and len(high) > 1:
        return high[0]
    return DIGITS[lo] + _midpoint(low[1:], None)


def key_between(low: str | None, high: str | None) -> str:
    """A key strictly between `low` and `high`; None is an open end."""
    if low is not None and high is not None and low >= high:
        raise RankError(f"rank {low!r} is not below {high!r}")
    if low is None and high is None:
        return FIRST
    if low is None:
        assert high is not None
        integer, fraction = _split(high)
        if integer == _SMALLEST_INTEGER:
            return integer + _midpoint("", fraction)
        if fraction:
            return integer
        below = _step(integer, -1)
        if below is None:  # unreachable: only the smallest integer has no predecessor
            raise RankError("no room before the smallest rank")
        return below
    integer, fraction = _split(low)
    if high is None:
        above = _step(integer, +1)
        return integer + _midpoint(fraction, None) if above is None else above
    high_integer, high_fraction = _split(high)
    if integer == high_integer:
        return integer + _midpoint(fraction, high_fraction)
    above = _step(integer, +1)
    if above is not None and above < high:
        return above
    return integer + _midpoint(fraction, None)


def keys_after(low: str | None, count: int) -> list[str]:
    """`count` increasing keys after `low` (None = from the start of an empty list)."""
    keys: list[str] = []
    previous = low
    for _ in range(count):
        previous = key_between(previous, None)
        keys.append(previous)
    return keys
