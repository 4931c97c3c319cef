"""The briefing text: the format's parser and the citation-aware diff. Pure Python, no Django."""
