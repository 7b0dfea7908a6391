"""Password rules (ASVS 5.0 §6.2): long enough, not common, not the user's own name or e-mail.
No composition rules and no periodic change; paste is allowed."""
from functools import lru_cache

from hwaas.messages import N_
from hwaas.services import errors

MIN_LENGTH = 12
MAX_LENGTH = 128


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships the 30,000 most common passwords from public breach corpora.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


class Problem(str):
    """One thing wrong with a password: the English sentence (a str), with its N_-marked `template`
    and `params`; `message` is the sentence in the reader's language (errors.render)."""

    def __new__(cls, template: str, **params):
        problem = super().__new__(cls, errors.fill(template, params, "en"))
        problem.template, problem.params = template, params
        return problem

    @property
    def message(self) -> str:
        return errors.render(self.template, self.params)


class PasswordRefused(errors.ValidationFailed):
    """A new password that breaks the rules: every problem, in the reader's language."""

    def __init__(self, problems: list[Problem], field: str | None = "password"):
        super().__init__(problems[0].template, field=field, **problems[0].params)
        self.problems = problems

    @property
    def message(self) -> str:
        return " ".join(problem.message for problem in self.problems)


def password_problems(password: str, email: str = "", name: str = "") -> list[Problem]:
    """What is wrong with a new password, as sentences for the form; empty when it is fine."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(Problem(N_("Use at least %(count)s characters."), count=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        problems.append(Problem(N_("Use at most %(count)s characters."), count=MAX_LENGTH))
    lowered = password.lower()
    if lowered in _common_passwords() or lowered.rstrip("0123456789!") in _common_passwords():
        problems.append(Problem(N_("This password is one of the most common ones. Choose something less "
                                   "predictable.")))
    local_part = email.split("@")[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        problems.append(Problem(N_("Do not use your e-mail address in your password.")))
    if name and len(name) >= 4 and name.lower().replace(" ", "") in lowered.replace(" ", ""):
        problems.append(Problem(N_("Do not use your name in your password.")))
    return problems
