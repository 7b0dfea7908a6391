"""Phrase: a sentence or label a service hands out for people to read, kept as its English
template (marked with N_() where it is written) and its parameters, and written out only when it
is shown: in a request, in the reader's language with their date and money formats (the
translator hwaas.i18n installs for refusals, hwaas.services.errors.render); elsewhere in English.

A Phrase can be a parameter of another Phrase or of a refusal (a term's label in a sentence)."""
from hwaas.services.errors import render


class Phrase:
    __slots__ = ("template", "params")

    def __init__(self, template: str, **params):
        self.template = template
        self.params = params

    def __str__(self) -> str:
        return render(self.template, self.params)

    def __repr__(self) -> str:
        return f"Phrase({self.template!r}, **{self.params!r})"

    def __eq__(self, other) -> bool:
        if isinstance(other, Phrase):
            return (self.template, self.params) == (other.template, other.params)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.template)


def said(template: str, **params) -> str:
    """The sentence written out now (in the request's language, if any)."""
    return render(template, params)
