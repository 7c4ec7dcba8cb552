"""The one error type the project raises for bad input, with a stable code and a position."""
from __future__ import annotations


class RammeaftaleError(Exception):
    """A user-facing error: code, message (da/en), where it is, and a hint (da/en).

    `line`/`column` are 1-based positions in `file`. Inside the DSL they are first positions in the
    expression text; the rule-file loader shifts them to positions in the YAML file.
    """

    def __init__(self, code: str, message: str, *, message_en: str | None = None, file: str | None = None,
                 line: int | None = None, column: int | None = None, hint: str | None = None,
                 hint_en: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.message_en = message_en or message
        self.file = file
        self.line = line
        self.column = column
        self.hint = hint
        self.hint_en = hint_en

    def hint_for(self, lang: str = "da") -> str | None:
        """The hint in `lang`: the English one when there is one, else the Danish (a hint is never lost)."""
        if lang == "da":
            return self.hint
        return self.hint_en or self.hint

    def where(self) -> str:
        parts = [p for p in (self.file, self.line, self.column) if p is not None]
        return ":".join(str(p) for p in parts)

    def render(self, lang: str = "da") -> str:
        message = self.message if lang == "da" else self.message_en
        text = f"{self.where()}: {message} [{self.code}]" if self.where() else f"{message} [{self.code}]"
        hint = self.hint_for(lang)
        if hint:
            text += f"\n  {'tip' if lang == 'da' else 'hint'}: {hint}"
        return text

    def as_json(self, lang: str = "da") -> dict:
        return {"code": self.code, "file": self.file, "line": self.line, "column": self.column,
                "message": self.message if lang == "da" else self.message_en, "hint": self.hint_for(lang)}


class ErrorList(RammeaftaleError):
    """Several errors found in one pass (a checker reports all it finds, not just the first)."""

    def __init__(self, errors: list[RammeaftaleError]):
        first = errors[0]
        super().__init__(first.code, first.message, message_en=first.message_en, file=first.file,
                         line=first.line, column=first.column, hint=first.hint,
                         hint_en=first.hint_en)
        self.errors = errors

    def render(self, lang: str = "da") -> str:
        return "\n".join(error.render(lang) for error in self.errors)
