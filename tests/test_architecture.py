"""The shape of the code, read from its imports: layers that point one way, no import cycle,
files a newcomer can read. See docs/architecture.md.

    bot (the shell)  ->  commands  ->  storage  ->  domain  ->  base, config
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("base", "config", "domain", "storage", "commands", "bot")
# What each layer may import of the project (besides itself).
ALLOWED = {
    "base": set(),
    "config": set(),
    "domain": {"base"},
    "storage": {"base", "config", "domain"},
    "commands": {"base", "config", "domain", "storage"},
    "bot": {"base", "config", "domain", "storage", "commands"},
}
MAX_LINES = 700


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imports(path: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """The project modules `name` imports, anywhere in the file (lazy imports count too)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            targets = [f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in modules else origin
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, name, modules) for name, path in modules.items()}


def test_every_import_points_down_the_layers():
    upward = []
    for name, targets in _graph().items():
        layer = name.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            if other != layer and other not in ALLOWED[layer]:
                upward.append(f"{name} -> {target}")
    assert not upward, "imports that run against the layers:\n" + "\n".join(sorted(upward))


def test_only_the_shell_knows_the_registry_and_features_do_not_import_each_other():
    graph = _graph()
    features = {name.split(".")[1] for name in graph if name.startswith("commands.") and
                (ROOT / "commands" / name.split(".")[1]).is_dir()}
    wrong = []
    for name, targets in graph.items():
        for target in targets:
            if target == "commands.registry" and not name.startswith("bot."):
                wrong.append(f"{name} -> {target}")
            parts, other = name.split("."), target.split(".")
            if (len(parts) > 1 and len(other) > 1 and parts[0] == other[0] == "commands"
                    and parts[1] in features and other[1] in features and parts[1] != other[1]):
                wrong.append(f"{name} -> {target}")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_import_cycle():
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_no_source_file_is_longer_than_a_newcomer_can_read():
    long = {str(path.relative_to(ROOT)): n for path in _modules().values()
            if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert not long, f"files over {MAX_LINES} lines: {long}"


def test_the_checker_sees_an_upward_import(tmp_path):
    """The reader itself: a relative and a lazy import are both found."""
    modules = {"domain.x": tmp_path / "x.py", "bot.runtime": tmp_path / "r.py", "domain": tmp_path / "__init__.py"}
    (tmp_path / "x.py").write_text("def f():\n    from bot.runtime import Runtime\n")
    assert _imports(tmp_path / "x.py", "domain.x", modules) == {"bot.runtime"}
