"""N_(): marks a label kept in a constant (a status, a term, a role) for the translation
catalogue; the web layer translates it when it shows it (`_()` in templates, the `term` filter)."""


def N_(message: str) -> str:
    return message
