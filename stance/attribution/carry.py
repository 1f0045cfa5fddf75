"""Carry-over: the small state machine that remembers who is speaking within a document.

The extractors (`extract.py`) read one statement and return plain records; this machine turns
"subjectless" records into speakers:

* a subjectless reporting verb (وأضاف، وتابعت، "Il a ajouté", "Она добавила") → the most recent
  speaker whose grammatical gender agrees with the verb;
* a subject pronoun ("he", "elle", "они", "it") → the most recent speaker of that gender ("it":
  the most recent organisation);
* an anaphoric subject ("البيان", "the statement", "the two sides") → the current source;
* "the two ministers", "وتعهدوا" inside a readout → the readout's participants.

Transitions: a heading or title resets the chain; narration whose subject is another named
actor resets it; a statement credited to the document's author does not enter it (the author
never refers to themselves as "he" or "she").
"""
from __future__ import annotations


class CarryState:
    """Who has spoken so far in one document section."""

    def __init__(self, max_gap: int = 3):
        self.history: list[tuple[str, str, bool, int]] = []   # (key, gender, is_person, at)
        self.n = 0                                       # statements seen in this document
        self.max_gap = max_gap                           # statements a speaker carries over
        self.source: str = ""                            # "according to" source in force
        self.mentioned: dict[str, int] = {}              # registry actor -> order of mention
        self.counter = 0
        self.readout: list[str] = []                      # participants of the current readout
        self.mentions: list[str] = []                     # persons named in narration

    # ------------------------------------------------------------ transitions
    def reset(self) -> None:
        self.history = []
        self.source = ""
        self.readout = []

    def push(self, key: str | None, gender: str = "", is_person: bool = True) -> None:
        """A statement credited to `key`; None ends the chain (an unresolved speaker)."""
        if key is None:
            self.reset()
        else:
            self.history.append((key, gender or "", is_person, self.n))

    def tick(self) -> None:
        """One more statement of the document."""
        self.n += 1

    def mention(self, key: str) -> None:
        self.mentioned[key] = self.counter
        self.counter += 1

    # ------------------------------------------------------------ queries
    def last(self, gender: str = "") -> str:
        """Most recent speaker agreeing with `gender` (m, f, "" = any, o = an organisation),
        if they spoke in the last `max_gap` statements."""
        for key, g, person, at in reversed(self.history):
            if self.n - at > self.max_gap:
                return ""
            if gender == "o":
                if not person:
                    return key
                continue
            if not gender or not g or g == gender:
                return key
        return ""

    def mentioned_last(self, gender: str = "") -> str:
        """The person most recently named in narration (pronouns with no earlier speaker)."""
        return self.mentions[-1] if self.mentions and gender != "o" else ""

    def last_distinct(self, n: int, persons_only: bool = True) -> list[str]:
        """The `n` most recent distinct speakers, oldest first ("the two ministers")."""
        out: list[str] = []
        for key, _, person, _ in reversed(self.history):
            if (person or not persons_only) and key not in out:
                out.append(key)
            if len(out) == n:
                break
        return list(reversed(out)) if len(out) == n else []

    def participants(self, n: int | None = None) -> list[str]:
        """The current readout's participants, else the last `n` distinct speakers."""
        if self.readout:
            return list(self.readout)
        return self.last_distinct(n) if n else []
