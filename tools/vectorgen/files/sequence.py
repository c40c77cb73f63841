"""vectors/sequence.yaml: the first ten ports of 200 (user, tool) pairs."""

from __future__ import annotations

from collections.abc import Iterator

from ..case import Case, VectorFile, settings
from ..expect import ports
from ..model import model, seed_of

FILE = VectorFile(
    "sequence",
    "Port sequences",
    "The first ten ports of 200 (user, tool) pairs with the default settings, unchecked (--list=10).",
)

# (id part, user name): ASCII, punctuation, case, digits, non-ASCII, the LCG's two special seeds
USERS = [
    ("alice", "alice"),
    ("bob", "bob"),
    ("carol", "carol"),
    ("dave", "dave"),
    ("eve", "eve"),
    ("mallory", "mallory"),
    ("trent", "trent"),
    ("peggy", "peggy"),
    ("victor", "victor"),
    ("walter", "walter"),
    ("root", "root"),
    ("nobody", "nobody"),
    ("admin", "admin"),
    ("guest", "guest"),
    ("henrik", "henrik"),
    ("hb", "hb"),
    ("x", "x"),
    ("ab", "ab"),
    ("user1", "user1"),
    ("user2", "user2"),
    ("u1234567", "u1234567"),
    ("first-last", "first.last"),
    ("dash-name", "dash-name"),
    ("under-score", "under_score"),
    ("mixed-case", "MixedCase"),
    ("upper", "ALICE"),
    ("email-like", "alice@example.org"),
    ("domain-user", "CORP\\alice"),
    ("long", "a-very-long-user-name-for-hpc"),
    ("digits", "0007"),
    ("umlaut", "jöhn"),
    ("accent", "josé"),
    ("cjk", "名前"),
    ("cyrillic", "иван"),
    ("greek", "αλέξης"),
    ("arabic", "محمد"),
    ("emoji", "😀"),
    ("dfam", "dfam"),
    ("dfan", "dfan"),
    ("space", "john smith"),
]
TOOLS = [None, "rstudio", "jupyter-notebook", "vscode", "shiny"]
DOCUMENTED = {  # upstream's README shows these
    ("alice", None): "alice: 30845 19654 32310 63992 15273",
    ("bob", None): "bob: 54242",
    ("alice", "rstudio"): "alice + rstudio: 22486",
    ("alice", "jupyter-notebook"): "alice + jupyter-notebook: 29525",
}
OBSERVED = {("alice", None): "base_alice_list10"}


def cases() -> Iterator[Case]:
    for alias, user in USERS:
        for tool in TOOLS:
            seed = seed_of(user, tool or "")
            doc = DOCUMENTED.get((user, tool))
            yield Case(
                f"seq-{alias}" + (f"-{tool}" if tool else ""),
                f"first ten ports of seed {seed!r}",
                ["P4M-SEQ-1", "P4M-SEQ-4", "P4M-SET-1"],
                ports(model(seed, 10)),
                settings(user=user, list=10, **({"tool": tool} if tool else {})),
                observed=OBSERVED.get((user, tool)),
                flags=["documented-example"] if doc else (),
                note=f"documented example ({doc})" if doc else None,
            )
