"""Reading the forms of a page the way a browser would, for tests that fill them generically."""
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Field:
    name: str
    kind: str  # input type, "select" or "textarea"
    options: list[str] = field(default_factory=list)
    value: str = ""


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)


class _FormParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = Form(action=a.get("action") or self.page_url, method=(a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            if tag == "option" and self._select is not None:
                self._select.options.append(a.get("value", ""))
            return
        elif tag == "input":
            self._form.fields.append(Field(a["name"], (a.get("type") or "text").lower(), value=a.get("value", "")))
        elif tag == "select":
            self._select = Field(a["name"], "select")
            self._form.fields.append(self._select)
        elif tag == "textarea":
            self._form.fields.append(Field(a["name"], "textarea"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_on(html: str, page_url: str) -> list[Form]:
    parser = _FormParser(page_url)
    parser.feed(html)
    return parser.forms
