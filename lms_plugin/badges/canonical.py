"""RDF Dataset Canonicalization (W3C RDFC-1.0) of credential documents, with pyld.

VC DI EdDSA v1.0 §3.3.3 (Transformation) and §3.3.5 (Proof Configuration) canonicalize with
RDFC-1.0. pyld 3.x implements URDNA2015, which RDFC-1.0 standardized: the labelling is the same and
only the escaping of the canonical N-Quads differs (RDFC-1.0 §4.4 serializes with RDF 1.2 N-Quads'
canonical form: control characters other than TAB, LF and CR as UCHAR/ECHAR; pyld writes them
raw). Documents with such characters in a literal or an IRI are refused here, so every output this
module gives is RDFC-1.0's.

As verifiers do (jsonld.js `safe` mode, which Digital Bazaar's cryptosuites use), a term the
contexts do not define or a relative IRI is an error rather than silently dropped: a field outside
the signed RDF would otherwise ride along unsigned. The blank-node work is bounded as rdf-canonize's
default (`maxWorkFactor` 1): at most as many N-degree hashes as there are non-unique blank nodes,
so a crafted "poison" graph cannot pin a worker.

Cost (benchmarks/README.md, "Badges"): the document is expanded once, with contexts processed once
per process (processor.py), and that one expansion is both checked and turned into RDF.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pyld.canon import URDNA2015
from pyld.jsonld import JsonLdError

from lms_plugin.badges.errors import CredentialError
from lms_plugin.badges.loader import document_loader
from lms_plugin.badges.processor import Processor, context_resolver

# RDF 1.2 N-Quads canonical form escapes these in literals; pyld (URDNA2015) does not.
_UNSAFE_LITERAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UNSAFE_IRI = re.compile('[\x00-\x20<>"{}|^`\\\\\x7f]')
_ABSOLUTE_IRI = re.compile(r"_:|[A-Za-z][A-Za-z0-9+.-]*:")  # or a blank node label


def canonicalize(document: Mapping[str, Any]) -> str:
    """The RDFC-1.0 canonical N-Quads of a JSON-LD document, over the shipped contexts only."""
    processor = Processor(on_property_dropped=_refuse_dropped)
    options: dict[str, Any] = {
        "documentLoader": document_loader(),
        "contextResolver": context_resolver(),
        "base": None,  # relative IRIs stay relative (and are refused); "" means example.org
        "rdfDirection": "i18n-datatype",  # as the VC DI cryptosuites do
        "processingMode": "json-ld-1.1",  # to_rdf's defaults, which expanded_to_rdf reads
        "produceGeneralizedRdf": False,
    }
    try:
        _refuse_imports(document)
        expanded = processor.expand(dict(document), options)
        _refuse_relative_iris(expanded)
        dataset = processor.expanded_to_rdf(expanded, options)
    except CredentialError:
        raise
    except (JsonLdError, ValueError, TypeError, LookupError, AttributeError, RecursionError) as exc:
        # pyld meets untrusted input here; besides JsonLdError it lets Python errors out on
        # malformed documents (e.g. ValueError for "@context": ""): all mean "not valid JSON-LD".
        raise _explain(exc) from exc
    _refuse_unsafe_text(dataset)
    return str(_BoundedRdfc().main(dataset, {"format": "application/n-quads"}))


class _BoundedRdfc(URDNA2015):  # type: ignore[misc]  # pyld is untyped
    """pyld's canonicalizer with rdf-canonize's default bound on N-degree hashing, and a cheaper
    copy of a blank node in Hash First Degree Quads (RDFC-1.0 §4.6.3, step 3.1.1)."""

    _remaining: int | None = None

    def modify_first_degree_component(self, id_: str, component: Any, key: str) -> Any:
        """The component, a blank node labelled `_:a` if it is the reference node, else `_:z`.

        A term of pyld's dataset is a flat dict of strings, so a shallow copy is the `deepcopy`
        pyld makes, at a tenth of its cost: 0.39 of the 5.5 ms a Level 1 credential takes to
        canonicalize (benchmarks/README.md, "Badges"). The output is pyld's own, byte for byte
        (tests/unit/badges/test_processor.py compares it with stock pyld's `normalize`).
        """
        if component["type"] != "blank node":
            return component
        return {**component, "value": "_:a" if component["value"] == id_ else "_:z"}

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
        if self._remaining is None:  # the non-unique blank nodes left after the simple pass
            self._remaining = sum(len(ids) for ids in self.hash_to_blank_nodes.values())
        if self._remaining <= 0:
            raise CredentialError(
                "The document's blank nodes are too entangled to canonicalize.",
                code="jsonld_invalid",
            )
        self._remaining -= 1
        return super().hash_n_degree_quads(id_, issuer)


def _refuse_dropped(expanded_property: str | None) -> None:
    raise CredentialError(
        f"The document uses a term no context defines ({expanded_property!r}).",
        code="jsonld_invalid",
    )


def _refuse_imports(node: Any) -> None:
    """Refuse `@import` (JSON-LD 1.1 §4.1.10): pyld merges the importing context into the imported
    one in place, which would rewrite a shipped context for every later document of the process."""
    if isinstance(node, list):
        for item in node:
            _refuse_imports(item)
    elif isinstance(node, dict):
        if "@import" in node:
            raise CredentialError("The document's context uses @import.", code="jsonld_invalid")
        for value in node.values():
            _refuse_imports(value)


def _refuse_relative_iris(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _refuse_relative_iris(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@id" or (key == "@type" and "@value" not in node):
                for iri in value if isinstance(value, list) else [value]:
                    if isinstance(iri, str) and not _ABSOLUTE_IRI.match(iri):
                        raise CredentialError(
                            f"The document has a relative IRI ({iri!r}).", code="jsonld_invalid"
                        )
            elif key != "@value":
                _refuse_relative_iris(value)


def _refuse_unsafe_text(dataset: Mapping[str, list[dict[str, Any]]]) -> None:
    for triples in dataset.values():
        for triple in triples:
            for term in triple.values():
                unsafe = _UNSAFE_LITERAL if term["type"] == "literal" else _UNSAFE_IRI
                if term["type"] != "blank node" and unsafe.search(term["value"]):
                    raise CredentialError(
                        "The document contains control characters.", code="jsonld_invalid"
                    )
                if term["type"] == "literal" and _UNSAFE_IRI.search(term.get("datatype", "")):
                    raise CredentialError("The document has a bad datatype.", code="jsonld_invalid")


def _explain(exc: BaseException) -> CredentialError:
    """The error pyld wrapped (an unknown context, a refused term) or a plain jsonld_invalid."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, CredentialError):
            return cause
        cause = cause.__cause__ or cause.__context__
    return CredentialError(f"The document is not valid JSON-LD: {exc}", code="jsonld_invalid")
