"""Read portfolio and config files into validated models, with every error located.

Files are data, never code: YAML is composed with the safe loader and walked by hand so that
duplicate keys are refused (never last-one-wins), every key keeps the line it is written on,
and alias expansion is bounded. A file's every problem is reported in one run: what cannot be
read is recorded and replaced by a stand-in, and validation goes on around it.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import tomllib
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import ConfigError, ErrorItem, InputError, PortfolioError, close_matches
from .portfolio import Portfolio, cross_reference_problems

Loc = tuple[str | int, ...]
LineMap = dict[Loc, int]
M = TypeVar("M", bound=BaseModel)
E = TypeVar("E", bound=InputError)

SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".toml": "toml", ".json": "json"}
DEFAULT_MAX_BYTES = 10_000_000
MAX_NODES = 200_000  # YAML nodes after alias expansion: far above any real portfolio


class _DocumentError(Exception):
    """A problem that stops reading the whole file (bad syntax, an alias bomb)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _Invalid:
    """Stands in for a value the reader refused, so that validation goes on around it."""

    def __repr__(self) -> str:
        return "<refused value>"

    def __deepcopy__(self, memo: dict[int, object]) -> _Invalid:
        return self


INVALID = _Invalid()


@dataclass(frozen=True)
class Problem:
    """A problem found while reading a document that does not stop the reading.

    A value that cannot be read is replaced by INVALID, and validation errors about INVALID
    are not reported: they would be about the stand-in, not the file. `refuses` marks what
    makes the whole file unusable, a YAML tag that builds objects or a duplicate key (which
    of the values was meant?): such a file is not validated, but every such problem in it is
    still reported.
    """

    path: str
    message: str
    line: int | None = None
    refuses: bool = False


@dataclass
class Document:
    """A parsed file: plain data, the line of every key path (YAML), and reading problems."""

    data: Any
    lines: LineMap = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def read_bytes(path: Path, max_bytes: int, error: type[E]) -> bytes:
    """The file's bytes, refusing what is missing, not a file, or too large."""
    name = str(path)
    if not path.exists():
        raise error(name, [ErrorItem("", "no such file")])
    if not path.is_file():
        raise error(name, [ErrorItem("", "not a file (a directory?)")])
    size = path.stat().st_size
    if size > max_bytes:
        raise error(
            name, [ErrorItem("", f"file is {size:,} bytes, above the limit of {max_bytes:,}")]
        )
    try:
        with path.open("rb") as fh:
            # Read at most one byte past the limit: a file that grows after stat() (or a
            # device that reports no size) is still refused without reading it whole.
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise error(name, [ErrorItem("", f"cannot read: {exc.strerror or exc}")]) from None
    if len(data) > max_bytes:
        raise error(name, [ErrorItem("", f"file is above the limit of {max_bytes:,} bytes")])
    return data


def parse_document(data: bytes, fmt: str) -> Document:
    """Parse YAML, TOML or JSON bytes into plain data, key lines and reading problems."""
    if not data.strip():
        raise _DocumentError("file is empty")
    if b"\x00" in data:
        raise _DocumentError("file is binary, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _DocumentError(f"not UTF-8 text (byte {exc.start})", line) from None
    if not text.strip():
        raise _DocumentError("file is empty")  # a byte order mark and nothing else
    if fmt == "yaml":
        return _parse_yaml(text)
    if fmt == "toml":
        return Document(_parse_toml(text))
    return _parse_json(text)


def _parse_toml(text: str) -> Any:
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise _DocumentError("TOML nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(match[1]) if match else None
        message = re.sub(r" ?[(]at line.*[)]", "", message)
        twice = re.fullmatch(r"Cannot declare \((.*)\) twice", message)
        if twice:
            name = ".".join(re.findall(r"'((?:[^'\\]|\\.)*)'", twice[1]))
            message = f"the table [{name}] is declared twice; tables and keys must be unique"
        elif message == "Cannot overwrite a value":
            message = "a key is given a value twice; keys must be unique"
        raise _DocumentError(f"TOML syntax error: {message}", line) from None
    except ValueError:  # an integer past Python's digit limit: the parser gives no position
        raise _too_many_digits(text) from None


def _too_many_digits(text: str) -> _DocumentError:
    limit = sys.get_int_max_str_digits()
    found = re.search(rf"\d{{{limit + 1},}}", text)
    line = text.count("\n", 0, found.start()) + 1 if found else None
    return _DocumentError(f"a number has more than {limit:,} digits", line)


def _parse_json(text: str) -> Document:
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                duplicates.append(key)  # the first one stays; each is reported below
                continue
            out[key] = value
        return out

    def constant(name: str) -> float:
        # json gives no position: find the first NaN or Infinity outside a string.
        found = (m for m in _JSON_CONSTANT.finditer(text) if m[1] == name)
        at = next(found, None)
        line = text.count("\n", 0, at.start()) + 1 if at else None
        raise _DocumentError(f"{name} is not valid JSON", line)

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise _DocumentError(f"JSON syntax error: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise _DocumentError("JSON nested too deeply") from None
    except ValueError:  # an integer past Python's digit limit: the parser gives no position
        raise _too_many_digits(text) from None
    located: list[tuple[str, int | None]] = []
    if duplicates:  # (the scan cannot miss one json found; if it did, say so without a line)
        located = [*_json_duplicate_keys(text)] or [(key, None) for key in duplicates]
    problems = [Problem("", f"duplicate key {key!r}", line, refuses=True) for key, line in located]
    return Document(data, {}, problems)


_JSON_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)')
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]')


def _json_duplicate_keys(text: str) -> list[tuple[str, int]]:
    """Each key of valid JSON `text` that repeats a key of its object, with its line.

    json reports no positions to its hooks, so the text is scanned again: strings and
    brackets are enough to know which string is a key and of which object.
    """
    found: list[tuple[str, int]] = []
    stack: list[set[str] | None] = []  # the keys of each open object; None for an array
    expect_key = False
    key: tuple[str, int] | None = None
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token == "{":
            stack.append(set())
            expect_key = True
        elif token == "[":
            stack.append(None)
            expect_key = False
        elif token in "}]":
            stack.pop()
            expect_key = False
        elif token == ",":
            expect_key = bool(stack) and stack[-1] is not None
        elif token == ":":
            keys = stack[-1] if stack else None
            if key is not None and keys is not None:
                if key[0] in keys:
                    found.append((key[0], text.count("\n", 0, key[1]) + 1))
                keys.add(key[0])
            key = None
        elif expect_key:
            key = (json.loads(token), match.start())
            expect_key = False
    return found


# libyaml's parser where PyYAML was built with it (10x faster), else the pure-Python one; both
# compose the same nodes with the same marks, and both construct only safe types.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_MERGE = "tag:yaml.org,2002:merge"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
# Safe, but not data a portfolio or config can hold: bytes.
_REFUSED_SCALAR_TAGS = frozenset({"tag:yaml.org,2002:binary"})
# YAML 1.1 reads 010 as 8 (octal) and 1:30 as 90 (base 60): numbers nobody means to write.
_OCTAL = re.compile(r"^[-+]?0[0-7_]+$")


def _parse_yaml(text: str) -> Document:
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "end of stream" in (exc.problem or ""):
            mark = exc.context_mark  # an unclosed quote or bracket: where it was opened
        line = mark.line + 1 if mark else None
        raise _DocumentError(_yaml_syntax_message(exc, text), line) from None
    except yaml.YAMLError as exc:
        raise _DocumentError(f"YAML error: {exc}") from None
    except RecursionError:
        raise _DocumentError("YAML nested too deeply") from None
    finally:
        loader.dispose()
    if node is None:
        raise _DocumentError("file is empty")
    walker = _YamlWalker(loader)
    try:
        data = walker.walk(node, (), "")
    except RecursionError:
        raise _DocumentError("YAML nested too deeply") from None
    return Document(data, walker.lines, walker.problems)


def _yaml_syntax_message(exc: yaml.MarkedYAMLError, text: str) -> str:
    """The parser's complaint, with what it was reading and where that began."""
    problem = exc.problem or str(exc)
    mark, context = exc.problem_mark, exc.context_mark
    if problem == "but found another document":
        return (
            "YAML syntax error: the file holds more than one document (a second '---'); "
            "put everything in one"
        )
    if mark is not None and "cannot start any token" in problem:
        lines = text.split("\n")
        line = lines[mark.line] if mark.line < len(lines) else ""
        if line[mark.column : mark.column + 1] == "\t":
            return "YAML syntax error: found a tab character; indent YAML with spaces, not tabs"
    # libyaml and PyYAML word a few problems differently: say them one way.
    problem = problem.replace("are not allowed in this context", "are not allowed here")
    if problem.startswith("found undefined alias") and mark is not None:
        name = re.match(r"\*([^\s,\[\]{}]+)", text[mark.index :] if mark.index >= 0 else "")
        if name:
            problem = f"found undefined alias '*{name[1]}' (no anchor '&{name[1]}' before it)"
    if exc.context and context is not None and "end of stream" in problem:
        return f"YAML syntax error: {problem} {exc.context} (never closed)"
    if exc.context and context is not None and (mark is None or context.line != mark.line):
        return f"YAML syntax error: {problem} ({exc.context} that began on line {context.line + 1})"
    return f"YAML syntax error: {problem}"


class _YamlWalker:
    """Turn composed YAML nodes into data, keeping lines and charging every node to a budget.

    Aliases and merge keys (`<<`) are expanded here, node by node, so an alias or merge bomb
    runs out of budget after MAX_NODES values instead of exhausting memory; lines are kept
    only where a node is first written, not for its copies, so the line map stays the size
    of the file. A value that cannot be read (a refused tag, an impossible date, a duplicate
    key) is recorded as a Problem, once however often it is copied, and reading goes on, so
    that one run reports every problem of the file.
    """

    def __init__(self, loader: yaml.SafeLoader | yaml.CSafeLoader) -> None:
        self.loader = loader
        self.lines: LineMap = {}
        self.problems: list[Problem] = []
        self.budget = MAX_NODES
        self._walked: set[int] = set()  # collection nodes already expanded once
        self._reported: set[tuple[str, int]] = set()
        self._failed: dict[int, tuple[str, bool]] = {}  # scalar nodes that could not be read

    def _refuse(self, path: str, message: str, line: int, *, refuses: bool = False) -> _Invalid:
        if (message, line) not in self._reported:
            self._reported.add((message, line))
            self.problems.append(Problem(path, message, line, refuses))
        return INVALID

    def _first_visit(self, node: yaml.Node) -> bool:
        first = id(node) not in self._walked
        self._walked.add(id(node))
        return first

    def walk(self, node: yaml.Node, loc: Loc, path: str, record: bool = True) -> Any:
        self.budget -= 1
        line = node.start_mark.line + 1
        if self.budget < 0:
            raise _DocumentError(
                f"document expands to more than {MAX_NODES:,} values (a YAML alias bomb?); refused",
                line,
            )
        if record:
            self.lines.setdefault(loc, line)
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP:
                return self._refuse(path, _tag_message(node.tag), line, refuses=True)
            return self._mapping(node, loc, path, record and self._first_visit(node))
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                return self._refuse(path, _tag_message(node.tag), line, refuses=True)
            inner = record and self._first_visit(node)
            return [
                self.walk(item, (*loc, i), f"{path}[{i}]", inner)
                for i, item in enumerate(node.value)
            ]
        return self._scalar(node, path, line)

    def _scalar(self, node: yaml.Node, path: str, line: int) -> Any:
        if node.tag in _REFUSED_SCALAR_TAGS:
            return self._refuse(path, _tag_message(node.tag), line, refuses=True)
        if id(node) in self._failed:  # an alias of a value that could not be read
            message, refuses = self._failed[id(node)]
            return self._refuse(path, message, line, refuses=refuses)
        try:
            value = self.loader.construct_object(node, deep=True)
        except _CONSTRUCT_ERRORS as exc:
            # The constructor keeps a failed node as "in construction": forget it, and
            # remember the failure for the node's aliases.
            self.loader.recursive_objects.pop(node, None)
            self._failed[id(node)] = _construct_failure(node, exc)
            message, refuses = self._failed[id(node)]
            return self._refuse(path, message, line, refuses=refuses)
        plain = isinstance(node, yaml.ScalarNode) and not node.style and len(node.value) <= 40
        if node.tag in (_INT, _FLOAT) and plain:
            # (libyaml gives a plain scalar the style '', PyYAML None)
            if _OCTAL.match(node.value) and value != _decimal(node.value):
                return self._refuse(
                    path,
                    f"YAML 1.1 reads {node.value} as the octal number {value}; "
                    "write it without leading zeros, or quote it",
                    line,
                )
            if ":" in node.value:
                return self._refuse(
                    path,
                    f"YAML 1.1 reads {node.value} as the base-60 number {value}; "
                    "quote it if you meant text",
                    line,
                )
        return value

    def _mapping(self, node: yaml.MappingNode, loc: Loc, path: str, record: bool) -> dict[Any, Any]:
        line = node.start_mark.line + 1
        merged: dict[Any, Any] = {}
        result: dict[Any, Any] = {}
        seen: dict[str, int] = {}  # each key as text, with its line
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                sources = (
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                for source in sources:
                    if not isinstance(source, yaml.MappingNode) or source.tag != _MAP:
                        self._refuse(path, "a merge key (<<) takes mappings only", line)
                        continue
                    inner = record and self._first_visit(source)
                    for key, value in self._mapping(source, loc, path, inner).items():
                        merged.setdefault(key, value)  # earlier sources win, as YAML says
                continue
            key_line = key_node.start_mark.line + 1
            key = self._key(key_node, path)
            if key is INVALID:
                continue
            sub = f"{path}.{key}" if path else str(key)
            # Compare as text: `2026:` and `'2026':` are the same key once validated.
            first = seen.get(str(key))
            if first is not None:
                message = f"duplicate key {key!r} (first at line {first}); keys must be unique"
                self._refuse(sub, message, key_line, refuses=True)
                continue  # the first value stays, so that the walk goes on
            seen[str(key)] = key_line
            if record:
                self.lines[(*loc, key)] = key_line
            result[key] = self.walk(value_node, (*loc, key), sub, record)
        return {**{k: v for k, v in merged.items() if str(k) not in seen}, **result}

    def _key(self, node: yaml.Node, path: str) -> Any:
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.ScalarNode):
            return self._refuse(path, "a mapping key must be a plain value", line)
        try:
            key = self.loader.construct_object(node, deep=True)
        except _CONSTRUCT_ERRORS as exc:
            self.loader.recursive_objects.pop(node, None)
            message, refuses = _construct_failure(node, exc)
            message = message.replace("YAML: cannot read ", "YAML: bad key ", 1)
            return self._refuse(path, message, line, refuses=refuses)
        if isinstance(key, bool) or not isinstance(key, str | int):
            return str(node.value)  # `on:` or `yes:` is the word, not YAML 1.1's boolean
        return key


# What PyYAML's safe constructors raise for a scalar they cannot build: ConstructorError for
# an unknown tag, the rest for a value its (explicit) tag does not fit.
_CONSTRUCT_ERRORS = (
    yaml.constructor.ConstructorError,
    ValueError,
    KeyError,
    AttributeError,
    IndexError,
    TypeError,
    OverflowError,
)


def _construct_failure(node: yaml.Node, exc: Exception) -> tuple[str, bool]:
    """The message for a scalar PyYAML could not construct, and whether it refuses the file."""
    if isinstance(exc, yaml.constructor.ConstructorError):  # an unknown tag: not data
        return f"YAML: {exc.problem}", True
    if isinstance(exc, ValueError):  # a timestamp such as 2025-13-45, an int of 5,000 digits
        return f"YAML: cannot read {_shorten(node.value)}: {_reason(exc)}", False
    # An explicit tag its value does not fit (`!!bool maybe`, `!!timestamp soon`): PyYAML
    # raises KeyError, AttributeError or IndexError rather than say so.
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    return f"YAML: cannot read {_shorten(node.value)} as {tag}", False


def _decimal(text: str) -> int:
    """`text`, an int YAML 1.1 read as octal, read as a decimal number."""
    return int(text.replace("_", ""), 10)


def _shorten(text: str, width: int = 40) -> str:
    return repr(text if len(text) <= width else text[: width - 3] + "...")


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        return f"a number has more than {sys.get_int_max_str_digits():,} digits"
    return str(exc)


def _tag_message(tag: str) -> str:
    return f"YAML tag {tag!r} is not allowed in data files"


def read_document(path: Path, max_bytes: int, error: type[E]) -> tuple[Document, bytes]:
    """Read and parse one file, chosen by extension; errors are `error` naming the file."""
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None and path.exists() and not path.is_dir():
        raise error(
            str(path),
            [ErrorItem("", f"unknown file type {path.suffix!r}; use .yaml, .yml, .toml or .json")],
        )
    data = read_bytes(path, max_bytes, error)
    if fmt is None:  # pragma: no cover - read_bytes refused what is missing or a directory
        raise error(str(path), [ErrorItem("", f"unknown file type {path.suffix!r}")])
    try:
        document = parse_document(data, fmt)
    except _DocumentError as exc:
        raise error(str(path), [ErrorItem("", exc.message, exc.line)]) from None
    return document, data


def load_file(path: Path, model: type[M], error: type[E], max_bytes: int) -> tuple[M, bytes]:
    """Read, parse and validate one file into `model`, and its bytes; every problem located.

    Problems are `error`s naming the file, the field path and, where known, the line.
    """
    document, raw = read_document(path, max_bytes, error)
    found = validate(
        model,
        document.data,
        source=str(path),
        lines=document.lines,
        error=error,
        problems=document.problems,
    )
    return found, raw


def validate(
    model: type[M],
    data: Any,
    *,
    source: str | None,
    lines: LineMap,
    error: type[E],
    problems: Sequence[Problem] = (),
) -> M:
    """Validate data into `model`, turning every pydantic error into a located ErrorItem.

    `problems` found while reading the file are reported with the validation errors, in one
    list sorted by line: a file's every problem in one run.
    """
    read = [ErrorItem(p.path, p.message, p.line) for p in problems]
    if any(p.refuses for p in problems):
        raise error(source, _sorted(read))
    if not isinstance(data, Mapping):
        if data is not INVALID:  # else the reason it is refused is in `read` already
            kind = "null" if data is None else type(data).__name__
            read.append(ErrorItem("", f"expected a mapping of sections at the top, got {kind}"))
        raise error(source, _sorted(read))
    try:
        result = model.model_validate(data)
    except ValidationError as exc:
        # An error about a stand-in for a refused value repeats what `read` says.
        found = [item for loc, item in _located(model, data, exc, lines) if not _refused(data, loc)]
        if model is Portfolio:
            seen = {(i.location, i.message) for i in found}
            for loc, message in cross_reference_problems(data):
                where = format_loc(loc, data)
                if (where, message) not in seen:
                    found.append(ErrorItem(where, message, _line(lines, loc)))
        raise error(source, _sorted([*read, *found])) from None
    except RecursionError:
        raise error(source, [ErrorItem("", "document nested too deeply")]) from None
    if read:
        raise error(source, _sorted(read))
    return result


def _sorted(items: Sequence[ErrorItem]) -> list[ErrorItem]:
    unique = {(i.location, i.message, i.line): i for i in items}
    return sorted(unique.values(), key=lambda i: (i.line or 0, i.location, i.message))


def _refused(data: Any, loc: Loc) -> bool:
    """Whether the value at `loc` is a stand-in for a refused value."""
    node = data
    for part in loc:
        node = _child(node, part)
    return node is INVALID


def located_errors(
    model: type[BaseModel], data: Any, exc: ValidationError, lines: LineMap
) -> list[ErrorItem]:
    """Every problem in `exc`, located by field path (and line where known), sorted."""
    return _sorted([item for _, item in _located(model, data, exc, lines)])


# pydantic's wording for a value of the wrong shape names classes ("a valid dictionary or
# instance of Company"); people wrote a file, so say what the file should hold.
_SHAPES = {
    "model_type": "a mapping (key: value pairs)",
    "model_attributes_type": "a mapping (key: value pairs)",
    "dict_type": "a mapping (key: value pairs)",
    "list_type": "a list",
    "string_type": "text",
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
}


def _located(
    model: type[BaseModel], data: Any, exc: ValidationError, lines: LineMap
) -> list[tuple[Loc, ErrorItem]]:
    items: list[tuple[Loc, ErrorItem]] = []
    for err in exc.errors(include_url=False):
        loc = _data_loc(err["loc"], data)
        ctx = err.get("ctx") or {}
        kind = err["type"]
        if kind == "riskcore_many":
            for where, message in ctx["problems"]:
                full = (*loc, *where)
                items.append((full, ErrorItem(format_loc(full, data), message, _line(lines, full))))
            continue
        message = err["msg"]
        if kind == "riskcore":
            loc = (*loc, ctx["field"])
            message = ctx["msg"]
        elif kind == "extra_forbidden":
            message = f"unknown field {loc[-1]!r}" + _did_you_mean(model, loc)
        elif kind == "missing":
            message = "required field is missing"
        elif kind in _SHAPES:
            message = f"expected {_SHAPES[kind]}, got {_describe(err.get('input'))}"
        elif message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        items.append((loc, ErrorItem(format_loc(loc, data), message, _line(lines, loc))))
    return items


def _describe(value: object) -> str:
    """A short account of a value as a file holds it: `'Testco'`, `5`, `null`, `a list`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        try:
            return _shorten(repr(value)).strip("'")
        except ValueError:  # an int past Python's digit limit cannot even be shown
            return "a number too long to show"
    if isinstance(value, str):
        return _shorten(value)
    if isinstance(value, Mapping):
        kind = "mapping"
    elif isinstance(value, list):
        kind = "list"
    else:
        kind = type(value).__name__
    return f"a {kind}"


def _data_loc(loc: Sequence[str | int], data: Any) -> Loc:
    """pydantic's location without its type tags (`function-before[...]`, `int`, ...).

    A part that names a key or index of the data is kept whatever it looks like; a part that
    does not is a tag only if it looks like one (a missing field's name is kept).
    """
    out: list[str | int] = []
    node = data
    for part in loc:
        child = _child(node, part)
        if child is not _MISSING:
            out.append(part)
            node = child
        elif isinstance(part, str) and ("[" in part or part in _TYPE_TAGS):
            continue
        else:
            out.append(part)
            node = None
    return tuple(out)


_TYPE_TAGS = frozenset({"str", "int", "float", "bool", "none", "list", "dict"})
_MISSING = object()


def _child(node: Any, part: str | int) -> Any:
    """`node[part]` when the data has it, else _MISSING."""
    if isinstance(node, Mapping) and part in node:
        return node[part]
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return _MISSING


def _line(lines: LineMap, loc: Loc) -> int | None:
    for end in range(len(loc), -1, -1):
        found = lines.get(loc[:end])
        last = loc[end - 1] if end else None
        if found is None and isinstance(last, str) and last.isdecimal():
            found = lines.get((*loc[: end - 1], int(last)))
        if found is not None:
            return found
    return None


def format_loc(loc: Sequence[str | int], data: Any = None) -> str:
    """`commitments[2].amount` for a list index, `.key` for a mapping key."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int) and (node is None or isinstance(node, list)):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
        if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(node, Mapping):
            node = node.get(part)
        else:
            node = None
    return out


def _did_you_mean(model: type[BaseModel], loc: Loc) -> str:
    owner = _model_at(model, loc[:-1])
    if owner is None:
        return ""
    close = close_matches(str(loc[-1]), list(owner.model_fields), n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; expected one of: {', '.join(owner.model_fields)}"


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
            continue
        origin, args = typing.get_origin(current), typing.get_args(current)
        if origin is list and args:
            current = args[0]
        elif origin is dict and len(args) == 2:
            current = args[1]
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(options) != 1:
                return tp
            tp = options[0]
        else:
            return tp


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_json(data: Any) -> bytes:
    """Canonical bytes of JSON-ready data: sorted keys, no spaces."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


STDIN = "<stdin>"


@dataclass(frozen=True)
class Text:
    """A whole document given as bytes, not as a file: standard input, read once.

    It is loaded as a file's content would be (size, syntax, every located error), in `fmt`
    (yaml, toml or json), with errors naming `name`; its hash is of its bytes, as a file's.
    """

    data: bytes
    fmt: str = "yaml"
    name: str = STDIN


def read_stdin(fmt: str, max_bytes: int = DEFAULT_MAX_BYTES, stream: Any = None) -> Text:
    """Standard input as a Text; at most one byte past the limit is read (then refused)."""
    binary = stream if stream is not None else sys.stdin.buffer
    return Text(binary.read(max_bytes + 1), fmt)


PortfolioSource = str | Path | Mapping[str, Any] | Portfolio | Text


def load_portfolio_with_hash(
    source: PortfolioSource, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[Portfolio, str]:
    """The validated portfolio and the sha256 of its file's bytes (or of its canonical JSON)."""
    if isinstance(source, Text):
        if len(source.data) > max_bytes:  # read_stdin stops one byte past: the size is unknown
            message = f"input is above the limit of {max_bytes:,} bytes"
            raise PortfolioError(source.name, [ErrorItem("", message)])
        return _load_bytes(source.data, source.fmt, source.name, max_bytes), sha256_hex(source.data)
    if isinstance(source, Portfolio):
        return source, sha256_hex(canonical_json(source.model_dump(mode="json")))
    if isinstance(source, Mapping):
        portfolio = validate(Portfolio, source, source=None, lines={}, error=PortfolioError)
        return portfolio, sha256_hex(canonical_json(portfolio.model_dump(mode="json")))
    portfolio, raw = load_file(Path(source), Portfolio, PortfolioError, max_bytes)
    return portfolio, sha256_hex(raw)


def load_document_text(
    text: str, fmt: str, *, source: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Portfolio:
    """Load a portfolio from the text of a document in `fmt` (yaml, toml or json).

    The same checks as a file's content (size, syntax, duplicates, every located error);
    errors name `source` (a JSONL line's id, say) in place of a path.
    """
    return _load_bytes(text.encode("utf-8", "surrogatepass"), fmt, source, max_bytes)


def _load_bytes(data: bytes, fmt: str, source: str | None, max_bytes: int) -> Portfolio:
    if fmt not in SUFFIXES.values():
        raise PortfolioError(source, [ErrorItem("", f"unknown format {fmt!r}")])
    if len(data) > max_bytes:
        message = f"document is {len(data):,} bytes, above the limit of {max_bytes:,}"
        raise PortfolioError(source, [ErrorItem("", message)])
    try:
        document = parse_document(data, fmt)
    except _DocumentError as exc:
        raise PortfolioError(source, [ErrorItem("", exc.message, exc.line)]) from None
    return validate(
        Portfolio,
        document.data,
        source=source,
        lines=document.lines,
        error=PortfolioError,
        problems=document.problems,
    )


def load_portfolio(source: PortfolioSource, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Portfolio:
    """Load a portfolio from a path, a mapping or a model; problems raise PortfolioError."""
    return load_portfolio_with_hash(source, max_bytes=max_bytes)[0]


def read_config_document(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Parse a config file (TOML, YAML or JSON), refusing non-mappings; problems are kept."""
    document, _ = read_document(path, max_bytes, ConfigError)
    if not isinstance(document.data, Mapping):
        raise ConfigError(str(path), [ErrorItem("", "expected a mapping of sections at the top")])
    return document


def read_config_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[Any, LineMap]:
    """Parse a config file (TOML, YAML or JSON) into data, refusing non-mappings."""
    document = read_config_document(path, max_bytes)
    if document.problems:
        items = [ErrorItem(p.path, p.message, p.line) for p in document.problems]
        raise ConfigError(str(path), _sorted(items))
    return document.data, document.lines
