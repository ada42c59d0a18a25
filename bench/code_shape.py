"""The shape of the code: modules per folder, the largest modules and functions, complexity, import cycles.

The redesign issue asks for before/after numbers that show the architecture in the layout; this script computes them
from the source alone (``ast`` for lengths and imports, ruff's McCabe rule for complexity), so it runs on any
checkout::

    python bench/code_shape.py [SRC_DIR]          # default: src/newsbeam of this checkout
    python bench/code_shape.py SRC_DIR --json

Import cycles are reported twice: among module-level imports (a cycle there can fail at import time) and among all
imports, function-level ones included (a late import hides a cycle from the interpreter, not from the reader).
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPLEXITY_LIMIT = 15
LENGTH_LIMIT = 60


def module_name(src: Path, path: Path) -> str:
    rel = path.relative_to(src.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _resolve(mod: str, node: ast.ImportFrom, is_pkg: bool) -> str:
    if not node.level:
        return node.module or ""
    base = mod.split(".") if is_pkg else mod.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def package_imports(tree: ast.Module, mod: str, is_pkg: bool, known: set[str], top_only: bool) -> set[str]:
    """Modules of the package this module imports: when it is loaded (``top_only``) or anywhere in it."""
    out: set[str] = set()
    for node in (tree.body if top_only else ast.walk(tree)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(mod, node, is_pkg)
            names = [f"{target}.{a.name}" for a in node.names] + [target]
        for n in names:
            # The longest known module that prefixes the name: "pkg.mod.func" -> "pkg.mod".
            while n and n not in known:
                n = n.rpartition(".")[0]
            # A module's own parent packages are loaded before it anyway: not a dependency of its design.
            if n and n != mod and not mod.startswith(n + "."):
                out.add(n)
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        # Invariant: every pass either descends to a new node (each node once) or pops one frame.
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))
    return found


def complexity(src: Path) -> list[tuple[str, int]]:
    """(location, complexity) of every function above the limit, from ruff's C901."""
    cmd = [sys.executable, "-m", "ruff", "check", str(src), "--select", "C901", "--output-format", "json",
           "--config", f"lint.mccabe.max-complexity = {COMPLEXITY_LIMIT}", "--no-cache"]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, check=False)
        items = json.loads(res.stdout or "[]")
    except (OSError, ValueError):
        return []
    out = []
    for it in items:
        msg = it.get("message", "")
        n = int(msg.split("(")[-1].split(" ")[0]) if "(" in msg else 0
        name = msg.split("`")[1] if "`" in msg else msg
        out.append((f"{Path(it['filename']).relative_to(src.parent)}:{name}", n))
    return sorted(out, key=lambda x: -x[1])


def shape(src: Path) -> dict:
    files = sorted(p for p in src.rglob("*.py"))
    known = {module_name(src, p) for p in files}
    per_folder: Counter = Counter()
    lines: dict[str, int] = {}
    funcs: list[tuple[str, int]] = []
    graph: dict[str, set[str]] = {}
    graph_all: dict[str, set[str]] = {}
    for p in files:
        mod = module_name(src, p)
        text = p.read_text(encoding="utf-8")
        tree = ast.parse(text)
        folder = str(p.parent.relative_to(src.parent))
        per_folder[folder] += 1
        lines[mod] = text.count("\n")
        graph[mod] = package_imports(tree, mod, p.name == "__init__.py", known, top_only=True)
        graph_all[mod] = package_imports(tree, mod, p.name == "__init__.py", known, top_only=False)
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                kind = "class " if isinstance(node, ast.ClassDef) else ""
                funcs.append((f"{mod}:{kind}{node.name}", length))
    fns = sorted(((n, k) for n, k in funcs if not n.split(":")[1].startswith("class ")), key=lambda x: -x[1])
    classes = sorted(((n, k) for n, k in funcs if n.split(":")[1].startswith("class ")), key=lambda x: -x[1])
    total = sum(lines.values())
    top4 = sum(sorted(lines.values(), reverse=True)[:4])
    return {
        "modules": len(files),
        "lines": total,
        "modules_per_folder": dict(sorted(per_folder.items())),
        "largest_modules": sorted(lines.items(), key=lambda x: -x[1])[:5],
        "share_of_four_largest": round(top4 / total, 3) if total else 0.0,
        "largest_classes": classes[:3],
        "longest_functions": fns[:5],
        f"functions_over_{LENGTH_LIMIT}_lines": sum(1 for _, k in fns if k > LENGTH_LIMIT),
        f"complexity_over_{COMPLEXITY_LIMIT}": complexity(src),
        "import_cycles_at_load": cycles(graph),
        "import_cycles_any_import": cycles(graph_all),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", nargs="?", default=str(ROOT / "src" / "newsbeam"))
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    s = shape(Path(a.src).resolve())
    if a.json:
        print(json.dumps(s, indent=1))
        return 0
    for k, v in s.items():
        print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
