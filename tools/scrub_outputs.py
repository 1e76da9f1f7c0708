"""Saved notebook outputs name no machine path: temporary folders, the checkout, the venv, home folders.

    python tools/scrub_outputs.py [--check] [nbs/NB.ipynb ...]     # default: every notebook in nbs/

Without --check, rewrites them in the outputs: a temporary folder (`/tmp/tmpab12cd`, `/tmp/reliability-xyz`)
becomes `$TMP`, the checkout `$REPO`, an installed package's folder `$SITE`, our package's folder
`yolo_sam_training/` wherever it was checked out. With --check, lists the
outputs that still hold one and exits 1 (tools/check_clean.py runs it). Only outputs are touched: a path in
a cell's source is a bug to fix in the notebook.
"""
import json, re, sys, sysconfig, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TMP = re.escape(tempfile.gettempdir().rstrip("/"))
RULES = [  # most specific first
    (re.compile(r"(?:/[\w.+-]+)*/(?:site|dist)-packages/"), "$SITE/"),
    (re.compile(r"(?:/[\w.+-]+)+/(?=yolo_sam_training/)"), ""),   # our own package, wherever it is checked out
    (re.compile(re.escape(str(ROOT))), "$REPO"),
    (re.compile(TMP + r"/[\w.+-]+"), "$TMP"),
]
FORBIDDEN = re.compile(r"(?<![\w$])(?:" + TMP + r"|/work|/home|/root|/Users)/[\w.+-]")


def _walk(o, fn):
    "Apply `fn` to the text of an output; images (base64, where `/tmp/` can occur by chance) are left alone."
    if isinstance(o, str): return o if "base64," in o else fn(o)   # an embedded image
    if isinstance(o, list): return [_walk(x, fn) for x in o]
    if isinstance(o, dict): return {k: v if k.startswith("image/") else _walk(v, fn) for k, v in o.items()}
    return o


def _text(outputs) -> str:
    "An output list as JSON, without its images."
    return json.dumps(_walk(outputs, lambda s: s) and [{k: v for k, v in o.items() if k != "data"} | {"data": {
        k: v for k, v in o.get("data", {}).items() if not k.startswith("image/")}} for o in outputs])


def scrub_text(s: str) -> str:
    for rx, new in RULES: s = rx.sub(new, s)
    return s


def notebooks(args): return [Path(a) for a in args] or sorted((ROOT / "nbs").glob("*.ipynb"))


def main(argv):
    check = "--check" in argv
    bad = []
    for f in notebooks([a for a in argv if a != "--check"]):
        raw = f.read_text(encoding="utf-8"); nb = json.loads(raw)
        for i, c in enumerate(nb.get("cells", [])):
            if not c.get("outputs"): continue
            if check:
                m = FORBIDDEN.search(_text(c["outputs"]))
                if m: bad.append(f"{f.name} cell {i}: {m.group(0)}...")
            else: c["outputs"] = _walk(c["outputs"], scrub_text)
        if not check:
            new = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
            if new != raw: f.write_text(new, encoding="utf-8"); print("scrubbed", f.name)
    if bad:
        print("saved outputs that name a machine path (run tools/scrub_outputs.py, or print paths relative to a folder):")
        for b in bad: print("  " + b)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
