"""JSON Schema validation with errors that name the file, line and column, in Danish and English."""
from __future__ import annotations

import difflib
import json
from decimal import Decimal
from functools import lru_cache
from importlib import resources

import jsonschema
from jsonschema.exceptions import best_match

from ..dsl.errors import RammeaftaleError
from .yamlsafe import PosDict, PosList

TYPE_WORDS = {"string": ("tekst", "text"), "number": ("et tal", "a number"), "integer": ("et helt tal", "a whole number"),
              "object": ("en samling felter (nøgle: værdi)", "a mapping (key: value)"), "array": ("en liste", "a list"),
              "boolean": ("sand/falsk (true/false)", "true/false"), "null": ("ingenting", "nothing")}


@lru_cache(maxsize=None)
def packaged_schema(name: str) -> dict:
    return json.loads(resources.files(__package__).joinpath("schemas", name).read_text(encoding="utf-8"))


def locate(data, path) -> tuple[int | None, int | None]:
    """The file position of the value at `path` (a list of keys/indexes) inside loaded YAML."""
    node, where = data, getattr(data, "start", None)
    for key in path:
        if isinstance(node, PosDict) and key in node:
            where, node = node.pos.get(key, where), node[key]
        elif isinstance(node, PosList) and isinstance(key, int) and key < len(node):
            where, node = node.pos[key], node[key]
        else:
            break
    return (where.line, where.column) if where else (None, None)


def _key_position(data, path, key):
    node = data
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return None
    if isinstance(node, PosDict) and key in node.key_pos:
        where = node.key_pos[key]
        return where.line, where.column
    return None


def _shown(instance) -> str:
    """A value as the user wrote it: 40.5, 'fyrre', a list, a mapping (never Python's repr of a Decimal)."""
    if isinstance(instance, bool):
        return "true" if instance else "false"
    if isinstance(instance, (int, Decimal)):
        return str(instance)
    if isinstance(instance, str):
        return f"'{instance}'"
    if isinstance(instance, list):
        return "en liste"
    if isinstance(instance, dict):
        return "en samling felter"
    return "ingenting" if instance is None else str(instance)


def _is_integer(checker, instance) -> bool:
    # YAML gives 40.0 as Decimal('40.0'): a whole number all the same
    if isinstance(instance, Decimal):
        return instance == instance.to_integral_value()
    return jsonschema.Draft202012Validator.TYPE_CHECKER.is_type(instance, "integer")


_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer))


def _describe(error) -> tuple[str, str, str | None, str | None]:
    """Danish text, English text and a hint (da, en) for one jsonschema error."""
    validator, value, instance = error.validator, error.validator_value, error.instance
    if validator == "required":
        missing = [name for name in value if isinstance(instance, dict) and name not in instance]
        names = ", ".join(f"'{name}'" for name in missing)
        return f"mangler {names}", f"missing {names}", None, None
    if validator in ("additionalProperties", "unevaluatedProperties"):
        allowed = sorted(error.schema.get("properties", {}))
        extra = [key for key in instance if key not in allowed] if isinstance(instance, dict) else []
        name = extra[0] if extra else "?"
        close = difflib.get_close_matches(str(name), allowed, n=1, cutoff=0.6)
        hint = f"mente du '{close[0]}'?" if close else ("tilladte felter: " + ", ".join(allowed) if allowed else None)
        hint_en = f"did you mean '{close[0]}'?" if close else ("allowed fields: " + ", ".join(allowed) if allowed else None)
        return f"ukendt felt '{name}'", f"unknown field '{name}'", hint, hint_en
    if validator == "type":
        kinds = value if isinstance(value, list) else [value]
        da = " eller ".join(TYPE_WORDS.get(kind, (kind, kind))[0] for kind in kinds)
        en = " or ".join(TYPE_WORDS.get(kind, (kind, kind))[1] for kind in kinds)
        return f"forventede {da}, fik {_shown(instance)}", f"expected {en}, got {_shown(instance)}", None, None
    if validator in ("enum", "const"):
        options = value if validator == "enum" else [value]
        close = difflib.get_close_matches(str(instance), [str(option) for option in options], n=1, cutoff=0.5)
        listed = ", ".join(str(option) for option in options)
        return (f"'{instance}' er ikke tilladt; mulige værdier: {listed}", f"'{instance}' is not allowed; possible values: {listed}",
                f"mente du '{close[0]}'?" if close else None, f"did you mean '{close[0]}'?" if close else None)
    if validator == "format":
        return (f"'{instance}' er ikke en gyldig dato", f"'{instance}' is not a valid date", "skriv datoer som ÅÅÅÅ-MM-DD",
                "write dates as YYYY-MM-DD")
    if validator == "pattern":
        return f"'{instance}' har ikke den rigtige form", f"'{instance}' does not have the right form", *_pattern_hint(value)
    if validator in ("minimum", "exclusiveMinimum"):
        return f"{instance} er for lille (mindst {value})", f"{instance} is too small (at least {value})", None, None
    if validator == "maximum":
        return f"{instance} er for stor (højst {value})", f"{instance} is too large (at most {value})", None, None
    if validator in ("minItems", "minProperties"):
        return f"skal have mindst {value} element(er)", f"must have at least {value} item(s)", None, None
    if validator in ("maxItems", "maxProperties"):
        return (f"må højst have {value} element(er)", f"may have at most {value} item(s)",
                "del posterne op i flere; grænsen står som max_items i regelfilen",
                "split the records into several; the limit is max_items in the rule file")
    if validator in ("minLength",):
        return "må ikke være tom", "must not be empty", None, None
    if validator == "maxLength":
        return f"er for lang (højst {value} tegn)", f"is too long (at most {value} characters)", None, None
    if validator == "oneOf":
        return ("skal have præcis én af de mulige former (fx enten 'rules' eller 'table')",
                "must have exactly one of the possible forms (e.g. either 'rules' or 'table')", None, None)
    if validator == "anyOf":
        return ("passer ikke til nogen af de mulige former", "matches none of the possible forms",
                "en regelfil har enten 'period:' eller 'subject:', 'title:' og 'facts:'",
                "a rule file has either 'period:' or 'subject:', 'title:' and 'facts:'")
    if validator == "dependentRequired":
        return f"kræver også {', '.join(error.validator_value.get(next(iter(error.validator_value)), []))}", \
            "requires further fields", None, None
    return error.message, error.message, None, None


def _pattern_hint(pattern: str) -> tuple[str | None, str | None]:
    """The hint (da, en) for a value that does not match `pattern`."""
    if "\\d{4}-\\d{2}-\\d{2}" in pattern:
        return "skriv datoer som ÅÅÅÅ-MM-DD", "write dates as YYYY-MM-DD"
    if pattern.startswith("^[0-9]{3}_"):
        return ("dokumenter navngives som kildefilen, fx 001_c7b3169ddc9536ee.txt",
                "documents are named like the source file, e.g. 001_c7b3169ddc9536ee.txt")
    if "\\." in pattern and pattern.startswith("^[a-z0-9_]+"):
        return ("regel-id'er skrives med små bogstaver og punktummer, fx syd2018.kategori.klynge",
                "rule ids are written in lower case with dots, e.g. syd2018.kategori.klynge")
    return None, None


def dotted_path(path) -> tuple[str, str]:
    where = ".".join(str(step) for step in path)
    return where, where


def validate(data, schema: dict, file: str, name_path=dotted_path) -> list[RammeaftaleError]:
    """All schema errors, each placed at its line and column; `name_path` words the path (da, en)."""
    validator = _Validator(schema, format_checker=jsonschema.FormatChecker(["date"]))
    errors = []
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        error = best_match([error]) if error.context else error
        if error.context:
            error = best_match(error.context)
        path = list(error.absolute_path)
        line, column = locate(data, path)
        da, en, hint, hint_en = _describe(error)
        if error.validator in ("additionalProperties", "unevaluatedProperties") and isinstance(error.instance, dict):
            allowed = error.schema.get("properties", {})
            extra = [key for key in error.instance if key not in allowed]
            if extra:
                line, column = _key_position(data, path, extra[0]) or (line, column)
        where_da, where_en = name_path(path)
        errors.append(RammeaftaleError("SCHEMA001", f"{where_da}: {da}" if where_da else da,
                                       message_en=f"{where_en}: {en}" if where_en else en, file=file, line=line,
                                       column=column, hint=hint, hint_en=hint_en))
    return errors
