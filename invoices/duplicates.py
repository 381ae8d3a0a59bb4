"""Possible duplicates (§8): one vendor's invoice numbers compared as people retype them."""

import re

# What people add or drop when they retype a number: FE-20931, fe 20931 and FE20931 are one number.
_IGNORED = re.compile(r"[\s\-_./#]+")


def number_key(number: str) -> str:
    """The number as duplicates are compared: case, whitespace and the characters -_./# ignored, e.g. 'fe20931'."""
    return _IGNORED.sub("", number).casefold()
