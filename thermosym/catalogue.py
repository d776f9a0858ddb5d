"""The catalogue: every quantity and claim of the loaded documents, by key and id.

:func:`load_catalogue` reads the built-in documents (``thermosym/catalog/*.toml``, the two source documents of
``CLAIMS.md``) and any user claim files, and keeps reading past a bad file or a bad claim: the problems come back
beside the catalogue, each naming file, claim and line.

>>> cat, errors = load_catalogue()
>>> errors
[]
>>> cat.claim("TL-08").text
'F = E - TS'
>>> sorted(q.key for q in cat.by_symbol("H"))
['TL.H', 'TL.H_ham']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import sympy

from thermosym.claim import Claim, Reading
from thermosym.errors import ClaimFileError, UnknownClaimError, UnknownQuantityError
from thermosym.loader import ClaimFile, Document, read_claim_file, read_claim_files
from thermosym.quantity import Quantity

#: The built-in documents, in the order CLAIMS.md lists them.
BUILTIN_DOCUMENTS = ("TL", "HC")


@dataclass
class Catalogue:
    """Quantities by key, claims by id (in reading order), and the documents they come from."""

    documents: dict[str, Document] = field(default_factory=dict)
    quantities: dict[str, Quantity] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)

    def claim(self, claim_id: str) -> Claim:
        try:
            return self.claims[claim_id]
        except KeyError:
            raise UnknownClaimError(claim_id) from None

    def quantity(self, key: str) -> Quantity:
        try:
            return self.quantities[key]
        except KeyError:
            raise UnknownQuantityError(key) from None

    def __iter__(self) -> Iterator[Claim]:
        return iter(self.claims.values())

    def __len__(self) -> int:
        return len(self.claims)

    def by_symbol(self, symbol: str) -> list[Quantity]:
        """Every quantity that prints as ``symbol``."""
        return [q for q in self.quantities.values() if q.symbol == symbol]

    def symbols(self) -> dict[str, sympy.Symbol]:
        """Quantity key → the SymPy symbol the statements use."""
        return {key: q.sym for key, q in self.quantities.items()}

    def display_names(self) -> dict[sympy.Basic, str]:
        """SymPy symbol → the symbol the document prints, for ``sympy.latex(..., symbol_names=...)``."""
        return {q.sym: q.latex() for q in self.quantities.values()}

    def display(self, expr: sympy.Basic) -> sympy.Basic:
        """``expr`` with every quantity replaced by the symbol the document prints (for str output)."""
        mapping: dict[sympy.Basic, sympy.Basic] = {q.sym: q.display for q in self.quantities.values()}
        funcs = {q.key: sympy.Function(q.symbol) for q in self.quantities.values()}
        replaced = expr.xreplace(mapping)
        applied = {
            f: funcs[f.func.__name__](*f.args)
            for f in replaced.atoms(sympy.core.function.AppliedUndef)
            if f.func.__name__ in funcs
        }
        for base in replaced.atoms(sympy.IndexedBase):
            if str(base.label) in self.quantities:
                applied[base] = sympy.IndexedBase(self.quantities[str(base.label)].symbol)
        return replaced.xreplace(applied) if applied else replaced

    def add_claim(self, claim: Claim, new_quantities: Iterable[Quantity] = ()) -> None:
        """Add a claim (a derived one, say) with the quantities it introduces."""
        for q in new_quantities:
            self.quantities.setdefault(q.key, q)
        if claim.id in self.claims:
            raise ValueError(f"claim {claim.id} is already in the catalogue")
        self.claims[claim.id] = claim

    def add_reading(self, claim_id: str, reading: Reading) -> None:
        """Attach a reading (other than as-written) to a claim."""
        self.claims[claim_id] = self.claim(claim_id).with_reading(reading)

    def copy(self) -> Catalogue:
        return replace(self, documents=dict(self.documents), quantities=dict(self.quantities), claims=dict(self.claims))


def builtin_paths() -> list[Path]:
    """The claim files of the built-in documents, shipped inside the package."""
    folder = resources.files("thermosym") / "catalog"
    return [Path(str(folder / f"{doc}.toml")) for doc in BUILTIN_DOCUMENTS]


def _merge(catalogue: Catalogue, claim_file: ClaimFile, errors: list[ClaimFileError]) -> None:
    doc = claim_file.document
    if doc is None:
        return
    if doc.id in catalogue.documents:
        errors.append(ClaimFileError(claim_file.path, f"document id {doc.id!r} is already loaded"))
        return
    catalogue.documents[doc.id] = doc
    for q in claim_file.quantities.values():
        catalogue.quantities[q.key] = q
    for claim in claim_file.claims:
        if claim.id in catalogue.claims:
            first = catalogue.claims[claim.id].source
            errors.append(
                ClaimFileError(
                    claim_file.path,
                    f"duplicate claim id: already defined in {first.file}:{first.line}",
                    claim.source.line,
                    claim.id,
                )
            )
            continue
        catalogue.claims[claim.id] = claim


def load_catalogue(files: Sequence[str | Path] = (), *, builtin: bool = True) -> tuple[Catalogue, list[ClaimFileError]]:
    """Load the built-in documents (unless ``builtin=False``) and ``files``; return the catalogue and problems."""
    catalogue = Catalogue()
    errors: list[ClaimFileError] = []
    paths: list[str | Path] = [*(builtin_paths() if builtin else []), *files]
    for claim_file in read_claim_files(paths):
        errors.extend(claim_file.errors)
        _merge(catalogue, claim_file, errors)
    return catalogue, errors


def load_text(text: str, path: str = "<string>", catalogue: Catalogue | None = None) -> ClaimFile:
    """Read claim-file text (for tests and notebooks), importing from ``catalogue``'s documents."""
    known = {}
    if catalogue is not None:
        for doc_id in catalogue.documents:
            known[doc_id] = {q.local_name: q for q in catalogue.quantities.values() if q.document == doc_id}
    return read_claim_file(path, text=text, known=known)
