"""Vendor names as people mean them: the closest QuickBooks vendor names to a QB accounting name that has none.

QuickBooks matches a Bill's vendor exactly (docs/quickbooks.md), so 'Rosaprima SA' finds nothing when the company has
'Rosaprima S.A.'. The person who fixes it needs the names QuickBooks does have, ranked as they would read them:
letter case, accents, punctuation and company suffixes (S.A., SAS, LLC, BV, Ltda, Inc...) carry no meaning there.
"""

import re
import unicodedata
from collections.abc import Iterable

from rapidfuzz import fuzz, process

MOST = 3
# WRatio 80: "Rosas Ecuador" → "Rosas del Ecuador" (95), "Rosa Prima" → "Rosaprima" (95), but "Acme" → "Rosa's
# Farm" (51) is no suggestion; below 80 the names shared little more than a word.
CUTOFF = 80
# Legal forms a farm's name may or may not carry at its end: S.A., S.A.S., Ltda., Cía., Inc., LLC, B.V., GmbH...
SUFFIXES = frozenset("sa sas sac sl srl sarl spa ltda ltd llc lp inc corp co cia bv nv gmbh ag plc pty ca cv".split())
# Dots and apostrophes join what they separate ("S.A." is "sa", "Rosa's" is "rosas"); other punctuation splits.
_JOINING = re.compile(r"[.'’‘`´]")
_SPLITTING = re.compile(r"[^0-9a-z]+")


def normalized(name: str) -> str:
    """The name as compared: no case, accents, punctuation or trailing company suffix, e.g. 'Rosaprima S.A.' →
    'rosaprima', 'Floricultura Cotopaxi Cía. Ltda.' → 'floricultura cotopaxi'."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).casefold()
    words = _SPLITTING.sub(" ", _JOINING.sub("", plain)).split()
    kept = list(words)
    while kept and kept[-1] in SUFFIXES:
        kept.pop()
    # A name that is nothing but a legal form ("S.A.") is still compared as itself.
    return " ".join(kept or words)


def closest(name: str, candidates: Iterable[str], most: int = MOST) -> tuple[str, ...]:
    """Up to `most` of `candidates` closest to `name`, best first (ties by name), e.g. 'Rosaprima SA' →
    ('Rosaprima S.A.',); `name` itself is never one."""
    choices = sorted({c for c in candidates if c and c != name})
    wanted = normalized(name)
    if not wanted or not choices:
        return ()
    found = process.extract(
        wanted, choices, scorer=fuzz.WRatio, processor=normalized, score_cutoff=CUTOFF, limit=len(choices)
    )
    ranked = sorted(found, key=lambda hit: (-hit[1], hit[0]))
    return tuple(choice for choice, _, _ in ranked[:most])


def differing_in_case(name: str, candidates: Iterable[str]) -> str | None:
    """A candidate equal to `name` but for letter case or Unicode normalisation, e.g. 'ROSA' → 'Rosa'."""
    wanted = _folded(name)
    return next((c for c in candidates if c and c != name and _folded(c) == wanted), None)


def _folded(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def no_such_vendor(name: str, candidates: Iterable[str]) -> str:
    """Why no Bill can name vendor `name`, with the QuickBooks names a person may have meant and what to do."""
    names = list(candidates)
    like, meant = differing_in_case(name, names), closest(name, names)
    if like:
        said = f" (it has {like!r}, which differs in letter case or in how a character is encoded): correct"
    elif meant:
        said = f"; did you mean {_either(meant)}? Correct"
    else:
        said = ": correct"
    return (
        f"QuickBooks has no active vendor named exactly {name!r}{said} the QB accounting name in the ERP and upload "
        f"the invoice again, or create (or rename, or reactivate) that vendor in QuickBooks and Retry"
    )


def _either(names: tuple[str, ...]) -> str:
    quoted = [repr(n) for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
