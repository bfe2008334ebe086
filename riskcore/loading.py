"""Read portfolio and config files into validated models, with every error located.

Files are data, never code: YAML is composed with the safe loader and walked by hand so that
duplicate keys are refused (never last-one-wins), every key keeps its line number, and alias
expansion is bounded.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import tomllib
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import ConfigError, ErrorItem, InputError, PortfolioError
from .portfolio import Portfolio, cross_reference_problems

Loc = tuple[str | int, ...]
LineMap = dict[Loc, int]
M = TypeVar("M", bound=BaseModel)
E = TypeVar("E", bound=InputError)

SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".toml": "toml", ".json": "json"}
DEFAULT_MAX_BYTES = 10_000_000
MAX_NODES = 200_000  # YAML nodes after alias expansion: far above any real portfolio


class _DocumentError(Exception):
    def __init__(self, message: str, line: int | None = None, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.path = path


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
        return path.read_bytes()
    except OSError as exc:
        raise error(name, [ErrorItem("", f"cannot read: {exc.strerror or exc}")]) from None


def parse_document(data: bytes, fmt: str) -> tuple[Any, LineMap]:
    """Parse YAML, TOML or JSON bytes into plain data and a map of key paths to lines."""
    if not data.strip():
        raise _DocumentError("file is empty")
    if b"\x00" in data:
        raise _DocumentError("file is binary, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _DocumentError(f"not UTF-8 text (byte {exc.start})", line) from None
    if fmt == "yaml":
        return _parse_yaml(text)
    if fmt == "toml":
        return _parse_toml(text), {}
    return _parse_json(text), {}


def _parse_toml(text: str) -> Any:
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise _DocumentError("TOML nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(match[1]) if match else None
        raise _DocumentError(
            f"TOML syntax error: {re.sub(r' ?[(]at line.*[)]', '', message)}", line
        ) from None


def _parse_json(text: str) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise _DocumentError(f"duplicate key {key!r}")
            out[key] = value
        return out

    def constant(name: str) -> float:
        raise _DocumentError(f"{name} is not valid JSON")

    try:
        return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise _DocumentError(f"JSON syntax error: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise _DocumentError("JSON nested too deeply") from None


# libyaml's parser where PyYAML was built with it (10x faster), else the pure-Python one; both
# compose the same nodes with the same marks, and both construct only safe types.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_MERGE = "tag:yaml.org,2002:merge"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


def _parse_yaml(text: str) -> tuple[Any, LineMap]:
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise _DocumentError(f"YAML syntax error: {exc.problem or exc}", line) from None
    except yaml.YAMLError as exc:
        raise _DocumentError(f"YAML error: {exc}") from None
    except RecursionError:
        raise _DocumentError("YAML nested too deeply") from None
    finally:
        loader.dispose()
    if node is None:
        raise _DocumentError("file is empty")
    lines: LineMap = {}
    try:
        return _YamlWalker(loader, lines).walk(node, (), ""), lines
    except RecursionError:
        raise _DocumentError("YAML nested too deeply") from None


class _YamlWalker:
    """Turn composed YAML nodes into data, keeping lines and charging every node to a budget.

    Aliases and merge keys (`<<`) are expanded here, node by node, so an alias or merge bomb
    runs out of budget after MAX_NODES values instead of exhausting memory.
    """

    def __init__(self, loader: yaml.SafeLoader | yaml.CSafeLoader, lines: LineMap) -> None:
        self.loader = loader
        self.lines = lines
        self.budget = MAX_NODES

    def walk(self, node: yaml.Node, loc: Loc, path: str) -> Any:
        self.budget -= 1
        line = node.start_mark.line + 1
        if self.budget < 0:
            raise _DocumentError(
                f"document expands to more than {MAX_NODES:,} values (a YAML alias bomb?); refused",
                line,
            )
        self.lines.setdefault(loc, line)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise _DocumentError(
                    f"YAML tag {node.tag!r} is not allowed in data files", line, path=path
                )
            return [self.walk(item, (*loc, i), f"{path}[{i}]") for i, item in enumerate(node.value)]
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            raise _DocumentError(f"YAML: {exc.problem}", line, path=path) from None
        except ValueError as exc:  # e.g. a timestamp such as 2025-13-45
            raise _DocumentError(
                f"YAML: cannot read {node.value!r}: {exc}", line, path=path
            ) from None

    def _mapping(self, node: yaml.MappingNode, loc: Loc, path: str) -> dict[Any, Any]:
        line = node.start_mark.line + 1
        if node.tag != _MAP:
            raise _DocumentError(
                f"YAML tag {node.tag!r} is not allowed in data files", line, path=path
            )
        merged: dict[Any, Any] = {}
        result: dict[Any, Any] = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                sources = (
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                for source in sources:
                    if not isinstance(source, yaml.MappingNode):
                        raise _DocumentError(
                            "a merge key (<<) takes mappings only", line, path=path
                        )
                    for key, value in self._mapping(source, loc, path).items():
                        merged.setdefault(key, value)  # earlier sources win, as YAML says
                continue
            key = self._key(key_node, path)
            sub = f"{path}.{key}" if path else str(key)
            # Compare as text: `2026:` and `'2026':` are the same key once validated.
            first = seen.setdefault(str(key), key_node.start_mark.line + 1)
            if first != key_node.start_mark.line + 1 or str(key) in map(str, result):
                raise _DocumentError(
                    f"duplicate key {key!r} (first at line {first}); keys must be unique",
                    key_node.start_mark.line + 1,
                    path=sub,
                )
            self.lines[(*loc, key)] = key_node.start_mark.line + 1
            result[key] = self.walk(value_node, (*loc, key), sub)
        return {**{k: v for k, v in merged.items() if str(k) not in seen}, **result}

    def _key(self, node: yaml.Node, path: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise _DocumentError(
                "a mapping key must be a plain value", node.start_mark.line + 1, path=path
            )
        try:
            key = self.loader.construct_object(node, deep=True)
        except (yaml.constructor.ConstructorError, ValueError) as exc:
            raise _DocumentError(
                f"YAML: bad key: {exc}", node.start_mark.line + 1, path=path
            ) from None
        if isinstance(key, bool) or not isinstance(key, str | int):
            return str(node.value)  # `on:` or `yes:` is the word, not YAML 1.1's boolean
        return key


def read_document(path: Path, max_bytes: int, error: type[E]) -> tuple[Any, LineMap, bytes]:
    """Read and parse one file, chosen by extension; errors are `error` naming the file."""
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise error(
            str(path),
            [ErrorItem("", f"unknown file type {path.suffix!r}; use .yaml, .yml, .toml or .json")],
        )
    data = read_bytes(path, max_bytes, error)
    try:
        parsed, lines = parse_document(data, fmt)
    except _DocumentError as exc:
        raise error(str(path), [ErrorItem(exc.path, exc.message, exc.line)]) from None
    return parsed, lines, data


def validate(model: type[M], data: Any, *, source: str | None, lines: LineMap, error: type[E]) -> M:
    """Validate data into `model`, turning every pydantic error into a located ErrorItem."""
    if not isinstance(data, Mapping):
        kind = type(data).__name__
        raise error(
            source, [ErrorItem("", f"expected a mapping of sections at the top, got {kind}")]
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        items = located_errors(model, data, exc, lines)
        if model is Portfolio:
            seen = {(i.location, i.message) for i in items}
            for loc, message in cross_reference_problems(data):
                where = format_loc(loc, data)
                if (where, message) not in seen:
                    items.append(ErrorItem(where, message, _line(lines, loc)))
            items.sort(key=lambda i: (i.line or 0, i.location, i.message))
        raise error(source, items) from None
    except RecursionError:
        raise error(source, [ErrorItem("", "document nested too deeply")]) from None


def located_errors(
    model: type[BaseModel], data: Any, exc: ValidationError, lines: LineMap
) -> list[ErrorItem]:
    """Every problem in `exc`, located by field path (and line where known), sorted."""
    items: list[ErrorItem] = []
    for err in exc.errors(include_url=False):
        loc = _data_loc(err["loc"], data)
        ctx = err.get("ctx") or {}
        kind = err["type"]
        if kind == "riskcore_many":
            for where, message in ctx["problems"]:
                full = (*loc, *where)
                items.append(ErrorItem(format_loc(full, data), message, _line(lines, full)))
            continue
        message = err["msg"]
        if kind == "riskcore":
            loc = (*loc, ctx["field"])
            message = ctx["msg"]
        elif kind == "extra_forbidden":
            message = f"unknown field {loc[-1]!r}" + _did_you_mean(model, loc)
        elif kind == "missing":
            message = "required field is missing"
        elif message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        items.append(ErrorItem(format_loc(loc, data), message, _line(lines, loc)))
    unique = {(i.location, i.message, i.line): i for i in items}
    return sorted(unique.values(), key=lambda i: (i.line or 0, i.location, i.message))


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
        if found is None and isinstance(last, str) and last.isdigit():
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
    close = difflib.get_close_matches(str(loc[-1]), list(owner.model_fields), n=1, cutoff=0.6)
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


def load_portfolio_with_hash(
    source: str | Path | Mapping[str, Any] | Portfolio, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[Portfolio, str]:
    """The validated portfolio and the sha256 of its file's bytes (or of its canonical JSON)."""
    if isinstance(source, Portfolio):
        return source, sha256_hex(canonical_json(source.model_dump(mode="json")))
    if isinstance(source, Mapping):
        portfolio = validate(Portfolio, source, source=None, lines={}, error=PortfolioError)
        return portfolio, sha256_hex(canonical_json(portfolio.model_dump(mode="json")))
    path = Path(source)
    data, lines, raw = read_document(path, max_bytes, PortfolioError)
    portfolio = validate(Portfolio, data, source=str(path), lines=lines, error=PortfolioError)
    return portfolio, sha256_hex(raw)


def load_portfolio(
    source: str | Path | Mapping[str, Any] | Portfolio, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Portfolio:
    """Load a portfolio from a path, a mapping or a model; problems raise PortfolioError."""
    return load_portfolio_with_hash(source, max_bytes=max_bytes)[0]


def read_config_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[Any, LineMap]:
    """Parse a config file (TOML, YAML or JSON) into data, refusing non-mappings."""
    data, lines, _ = read_document(path, max_bytes, ConfigError)
    if not isinstance(data, Mapping):
        raise ConfigError(str(path), [ErrorItem("", "expected a mapping of sections at the top")])
    return data, lines
