"""Stable addresses for published sentences.

A claim's anchor (``#claim-…`` on the briefing page) is worked out from the
sentence's words alone: its citation (and any other) markers are dropped and
its whitespace collapsed, and the rest is hashed. So a sentence keeps its
address through later publications for as long as its words stay the same,
even when sentences before it are added, removed or moved, or when its
citations change. A sentence written twice on one page gets ``-2``, ``-3`` …
on its later copies, so every anchor on a page is unique.

Pure Python, like the rest of ``briefings/text``.
"""

import hashlib
from collections import Counter

from briefings.text.parsing import MARKER_RE

PREFIX = "claim-"
DIGEST_CHARS = 10  # 40 bits: a collision between two different sentences of one page is ~1 in 10^8


def sentence_key(text: str) -> str:
    """The words of a sentence as its address depends on them: no markers, single spaces."""
    return " ".join(MARKER_RE.sub(" ", text).split())


def claim_anchors(texts) -> list[str]:
    """The anchors of a page's claims, given their texts in page order."""
    seen = Counter()
    anchors = []
    for text in texts:
        digest = hashlib.sha256(sentence_key(text).encode("utf-8")).hexdigest()[:DIGEST_CHARS]
        base = PREFIX + digest
        seen[base] += 1
        anchors.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return anchors
