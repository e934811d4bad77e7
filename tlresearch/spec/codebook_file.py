"""Reading a codebook file safely: any encoding the readers accept, and bounded YAML.

A codebook is a small file the lab edits by hand, often in Excel's Notepad: it may be
Windows-1252 or UTF-16, and nothing stops a broken or hostile one from holding a
"billion laughs" (aliases of aliases, gigabytes once expanded) or a structure nested
thousands of levels deep (a ``RecursionError`` in the YAML composer). This module reads
the bytes, decodes them like the exports, and refuses anything past the limits below
with one :class:`~tlresearch.core.errors.CodebookError` line, before building objects.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from tlresearch.core.errors import CodebookError, ReadError
from tlresearch.core.text_decoding import decode_text

#: A real codebook is a few kilobytes; a megabyte is not a codebook.
MAX_BYTES = 1_000_000
#: Nesting of mappings and lists (a real codebook needs about 5).
MAX_DEPTH = 40
#: Nodes once every alias is expanded (a real codebook has a few thousand).
MAX_NODES = 200_000


def read_codebook_yaml(path: Path) -> object:
    """The YAML content of a codebook file, decoded and checked against the limits.

    Raises
    ------
    CodebookError
        ``rule`` is ``codebook_syntax`` (unreadable, not YAML) or ``codebook_limits``
        (too big, too deep, too many nodes once aliases are expanded).
    """
    name = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise CodebookError(f"cannot read codebook ({exc.strerror or exc})", file=name,
                            rule="codebook_syntax") from None
    if len(data) > MAX_BYTES:
        raise _limit(f"the file is larger than {MAX_BYTES:,} bytes".replace(",", " "), name)
    try:
        text, _ = decode_text(data, name, what="YAML")
    except ReadError as error:
        raise CodebookError(f"cannot read codebook: {error.message}", file=name,
                            rule="codebook_syntax") from None
    try:
        _check_events(text, name)
        node = yaml.compose(text.removeprefix("\ufeff"), Loader=yaml.SafeLoader)
        _check_expansion(node, name)
        _check_duplicate_keys(node, name)
        return yaml.safe_load(text.removeprefix("\ufeff"))
    except yaml.YAMLError as exc:
        raise CodebookError(f"cannot read codebook: not valid YAML: {_one_line(exc)}", file=name,
                            rule="codebook_syntax") from None


def _check_events(text: str, name: str) -> None:
    """Refuse a nesting deeper than :data:`MAX_DEPTH` (the parser itself is not recursive)."""
    depth = 0
    for event in yaml.parse(text.removeprefix("\ufeff"), Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else None
                raise _limit(f"nested more than {MAX_DEPTH} levels deep", name, line)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _check_expansion(node, name: str) -> None:
    """Refuse more than :data:`MAX_NODES` nodes once aliases are expanded.

    An alias is the same node object reached twice, so sizes are computed once per
    object (memoised), never by walking the expansion itself.
    """
    if node is None:
        return
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack = [(node, False)]
    while stack:
        current, children_done = stack.pop()
        key = id(current)
        if key in sizes:
            continue
        children = _children(current)
        if children_done:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            if sizes[key] > MAX_NODES:
                raise _limit(f"more than {MAX_NODES:,} values once its aliases (*name) are "
                             "expanded".replace(",", " "), name)
            continue
        if key in open_nodes:
            raise _limit("an alias (*name) refers to a value that contains it", name)
        open_nodes.add(key)
        stack.append((current, True))
        for child in children:
            if id(child) in open_nodes:
                raise _limit("an alias (*name) refers to a value that contains it", name)
            if id(child) not in sizes:
                stack.append((child, False))


def _check_duplicate_keys(node, name: str) -> None:
    """Refuse a key written twice in one mapping, naming it and both lines.

    PyYAML keeps the last one silently: a label written twice under ``labels`` would map
    an answer to the wrong code with exit 0. Nodes are visited once each (aliases share
    them), so the walk is bounded by the nodes :func:`_check_expansion` allowed.
    """
    seen_nodes: set[int] = set()
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if id(current) in seen_nodes:
            continue
        seen_nodes.add(id(current))
        if isinstance(current, yaml.MappingNode):
            first_line: dict[tuple[str, str], int] = {}
            for key, _ in current.value:
                if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
                    continue
                line = key.start_mark.line + 1
                earlier = first_line.setdefault((key.tag, key.value), line)
                if earlier != line:
                    raise CodebookError(
                        f"codebook refused: the key {key.value!r} is written twice in the "
                        f"same block (lines {earlier} and {line}); keep one",
                        file=name, row=line, rule="duplicate_key")
        stack.extend(_children(current))


def _children(node) -> list:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _limit(message: str, name: str, line: int | None = None) -> CodebookError:
    return CodebookError(f"codebook refused: {message}", file=name, row=line,
                         rule="codebook_limits")


def _one_line(exc: yaml.YAMLError) -> str:
    """A YAML error as one line: what is wrong and where, without the quoted excerpt."""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    mark = getattr(exc, "problem_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
    return f"{problem}{where}"
