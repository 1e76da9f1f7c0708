"""Fail when `nbdev_export`, `nbdev_clean` or the README build would change a file, or a saved output names a machine path.

Notebooks are the source: the exported package and README.md must already be what they produce, and
the notebooks already cleaned. We hash the files, run the three steps, hash again and list what moved.
Works in a dirty work tree too (it compares contents, not git status).
"""
import hashlib, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WATCHED = ["nbs", "yolo_sam_training", "README.md", "pyproject.toml"]
SKIP = {".ipynb_checkpoints", "__pycache__", "_proc", "tmp"}


def snapshot():
    files = {}
    for w in WATCHED:
        p = ROOT / w
        for f in ([p] if p.is_file() else sorted(p.rglob("*")) if p.exists() else []):
            if f.is_file() and not SKIP & set(f.relative_to(ROOT).parts):
                files[str(f.relative_to(ROOT))] = hashlib.sha1(f.read_bytes()).hexdigest()
    return files


def main():
    before = snapshot()
    bin_ = Path(sys.executable).parent
    for cmd in ([str(bin_ / "nbdev_clean")], [str(bin_ / "nbdev_export")], [sys.executable, str(ROOT / "tools" / "make_readme.py")]):
        r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if r.returncode:
            sys.exit(f"{' '.join(cmd)} failed:\n{r.stdout}\n{r.stderr}")
    after = snapshot()
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    if changed:
        print("These files change when the notebooks are exported/cleaned and the README rebuilt;")
        print("run `nbdev_export && nbdev_clean && python tools/make_readme.py` and commit them:")
        for c in changed: print("  " + c)
        sys.exit(1)
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "scrub_outputs.py"), "--check"], cwd=ROOT, capture_output=True, text=True)
    if r.returncode: sys.exit(r.stdout + r.stderr)
    print(f"export, clean and README are up to date ({len(after)} files checked); no machine path in saved outputs")


if __name__ == "__main__":
    main()
